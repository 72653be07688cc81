using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;
using GitOps.Specs.Model;

namespace GitOps.Planning.Tests.Plans;

/// <summary>A warm reconciler plans with its <see cref="RenderCache"/>: a model whose inputs did not change and whose
/// objects still match the cluster in the versions they matched is neither rendered nor compared again; anything else
/// plans exactly as without the cache.</summary>
public sealed class PlanMemoTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public sealed class ThePlanEnvironmentMethod
    {
        [Fact]
        public void Should_Trust_An_Earlier_Match_Until_The_Observed_ResourceVersion_Changes_When_Planning_With_A_Cache()
        {
            // Given a converged cluster and a first plan that found every object equal
            var specs = TestSpecs.Repository();
            var cache = new RenderCache();
            var context = new RenderContext("c1");
            var cluster = new ObjectStore();
            foreach (var obj in Renderer.Render(specs, "staging", RegistryFacts.Empty, context).Objects)
            {
                cluster.Apply(obj, dryRun: false, Now);
            }
            var first = EnvironmentPlanner.PlanEnvironment(specs, "staging", RegistryFacts.Empty, context, cluster.Objects, cache);
            var job = first.Plan.Actions.First(a => a.Key.Kind == "Job").Key;

            // When the Job is edited without a new resourceVersion (which no API server does), then with one (drift)
            var silently = cluster.Objects.Select(o => ObjectKeys.Of(o) == job ? Edited(o) : o).ToList();
            var trusted = EnvironmentPlanner.PlanEnvironment(specs, "staging", RegistryFacts.Empty, context, silently, cache);
            cluster.Edit(job, o => o["spec"]!["backoffLimit"] = 9, Now);
            var drifted = EnvironmentPlanner.PlanEnvironment(specs, "staging", RegistryFacts.Empty, context, cluster.Objects, cache);
            var uncached = EnvironmentPlanner.PlanEnvironment(specs, "staging", RegistryFacts.Empty, context, cluster.Objects);

            // Then the same version is not compared again; a new one is, and plans as without the cache
            Assert.False(first.Plan.HasChanges);
            Assert.False(trusted.Plan.HasChanges);
            Assert.Equal(ActionKind.Update, drifted.Plan.Actions.Single(a => a.Key == job).Action);
            Assert.Equal(uncached.Plan.Actions.Select(a => (a.Key, a.Action, a.Reason)), drifted.Plan.Actions.Select(a => (a.Key, a.Action, a.Reason)));
        }
        [Fact]
        public void Should_Render_Only_The_Changed_Model_When_Planning_With_A_Warm_Cache()
        {
            // Given a converged cluster, planned once with the cache
            var before = TestSpecs.Repository();
            var cluster = Converged(before, "c1");
            var cache = new RenderCache();
            var first = Staging(before, cluster, "c1", cache);
            var after = ChurnPredictorRetuned();

            // When the same commit is planned again, then a commit that changes one model
            var again = Staging(before, cluster, "c1", cache);
            var changed = Staging(after, cluster, "c2", cache);
            var uncached = Staging(after, cluster, "c2");

            // Then only what changed is rendered, and the plan is the one planned without a cache
            Assert.Equal(new RenderStats(Rendered: 2, Reused: 0), first.Stats);
            Assert.Equal(new RenderStats(Rendered: 0, Reused: 2), again.Stats);
            Assert.False(again.Plan.HasChanges);
            Assert.Equal(new RenderStats(Rendered: 1, Reused: 1), changed.Stats);
            Assert.True(changed.Plan.HasChanges);
            Assert.Equal(Described(uncached), Described(changed));
            Assert.True(uncached.Summary.Models.SequenceEqual(changed.Summary.Models));
            Assert.True(uncached.Summary.Training.SequenceEqual(changed.Summary.Training));
        }

        [Fact]
        public void Should_Compare_The_Applied_Objects_Of_A_Changed_Model_Once_Then_Reuse_It_When_Planning_With_A_Warm_Cache()
        {
            // Given a commit that changes one model, planned with a warm cache
            var before = TestSpecs.Repository();
            var cluster = Converged(before, "c1");
            var cache = new RenderCache();
            Staging(before, cluster, "c1", cache);
            var after = ChurnPredictorRetuned();
            var changed = Staging(after, cluster, "c2", cache);

            // When its changes are applied (new resourceVersions) and it is planned twice more
            foreach (var action in changed.Plan.Changes.Where(a => a.Action is ActionKind.Create or ActionKind.Update))
            {
                cluster.Apply(action.Desired!, dryRun: false, Now);
            }
            foreach (var action in changed.Plan.Changes.Where(a => a.Action == ActionKind.Delete))
            {
                cluster.Delete(action.Key);
            }
            var applied = Staging(after, cluster, "c2", cache);
            var settled = Staging(after, cluster, "c2", cache);

            // Then the changed model is rendered once more to compare its new versions, then reused like the other
            Assert.True(changed.Plan.HasChanges);
            Assert.Equal(new RenderStats(Rendered: 1, Reused: 1), applied.Stats);
            Assert.False(applied.Plan.HasChanges);
            Assert.Equal(new RenderStats(Rendered: 0, Reused: 2), settled.Stats);
            Assert.False(settled.Plan.HasChanges);
        }

        [Fact]
        public void Should_Render_The_Model_Of_A_Changed_Rollout_Policy_When_Planning_With_A_Warm_Cache()
        {
            // Given the very same model records, and the rollout policy of one of them changed
            var before = TestSpecs.Repository();
            var cluster = Converged(before, "c1");
            var cache = new RenderCache();
            Staging(before, cluster, "c1", cache);
            var policy = TestSpecs.CanaryPolicy();
            var after = SpecSet.From(before.All.Select(o => o is RolloutPolicySpec
                ? policy with { Spec = policy.Spec with { Steps = [.. policy.Spec.Steps.Take(2)] } }
                : o));

            // When
            var changed = Staging(after, cluster, "c1", cache);
            var again = Staging(after, cluster, "c1", cache);
            var uncached = Staging(after, cluster, "c1");

            // Then the model with that policy is rendered again, then reused like the other
            Assert.Equal(new RenderStats(Rendered: 1, Reused: 1), changed.Stats);
            Assert.Equal(new RenderStats(Rendered: 0, Reused: 2), again.Stats);
            Assert.Equal(Described(uncached), Described(changed));
        }

        [Fact]
        public void Should_Plan_A_Deleted_Object_Again_When_Its_Model_Is_Cached()
        {
            // Given a converged cluster planned once with the cache
            var specs = TestSpecs.Repository();
            var cluster = Converged(specs, "c1");
            var cache = new RenderCache();
            Staging(specs, cluster, "c1", cache);
            var job = cluster.Objects.Select(ObjectKeys.Of).First(k => k.Kind == "Job");

            // When the Job is deleted by hand
            cluster.Delete(job);
            var plan = Staging(specs, cluster, "c1", cache);

            // Then it is created again, from a tree rendered for this pass
            var create = plan.Plan.Actions.Single(a => a.Action == ActionKind.Create);
            Assert.Equal(job, create.Key);
            Assert.Equal("c1", ObjectKeys.Annotation(create.Desired!, ManagedLabels.CommitAnnotation));
        }

        [Fact]
        public void Should_Forget_A_Model_No_Longer_Served_When_Planning_With_A_Cache()
        {
            // Given a cache that planned both models of staging
            var specs = TestSpecs.Repository();
            var cluster = Converged(specs, "c1");
            var cache = new RenderCache();
            Staging(specs, cluster, "c1", cache);
            EnvironmentPlanner.PlanEnvironment(specs, "prod", RegistryFacts.Empty, new RenderContext("c1"), [], cache);
            var before = cache.Count;

            // When churn-predictor leaves the repository
            var without = SpecSet.From(specs.All.Where(o => o is not ModelSpec { Name: "churn-predictor" }));
            var plan = Staging(without, cluster, "c2", cache);

            // Then its record goes, the other environment's stay, and its objects are pruned
            Assert.Equal(3, before);
            Assert.Equal(2, cache.Count);
            Assert.Contains(plan.Plan.Actions, a => a.Action == ActionKind.Delete);
        }

        [Fact]
        public void Should_Keep_No_Desired_Tree_In_The_Actions_Of_Objects_That_Match_The_Cluster()
        {
            // Given a converged cluster with one object edited by hand
            var specs = TestSpecs.Repository();
            var cluster = Converged(specs, "c1");
            var job = cluster.Objects.Select(ObjectKeys.Of).First(k => k.Kind == "Job");
            cluster.Edit(job, o => o["spec"]!["backoffLimit"] = 9, Now);

            // When
            var plan = Staging(specs, cluster, "c1");

            // Then the drifted object carries what to apply; the others only what the cluster has
            var update = plan.Plan.Actions.Single(a => a.Action == ActionKind.Update);
            Assert.Equal(job, update.Key);
            Assert.NotNull(update.Desired);
            var unchanged = plan.Plan.Actions.Where(a => a.Action == ActionKind.Unchanged).ToList();
            Assert.NotEmpty(unchanged);
            Assert.All(unchanged, a => Assert.Null(a.Desired));
            Assert.All(unchanged, a => Assert.NotNull(a.Observed));
        }
    }

    /// <summary>The test repository with one hyperparameter of churn-predictor changed.</summary>
    private static SpecSet ChurnPredictorRetuned() => TestSpecs.Repository(m => m.Name != "churn-predictor" ? m : m with
    {
        Spec = m.Spec with { Training = m.Spec.Training with { Hyperparameters = m.Spec.Training.Hyperparameters.SetItem("learningRate", "0.05") } },
    });

    public sealed class TheDesiredAsTextOption
    {
        [Fact]
        public void Should_Keep_The_Objects_To_Apply_As_Their_Text_And_Read_Them_As_The_Same_Trees()
        {
            // Given a cluster where one Job was edited by hand and one ConfigMap deleted
            var specs = TestSpecs.Repository();
            var cluster = Converged(specs, "c1");
            var job = cluster.Objects.Select(ObjectKeys.Of).First(k => k.Kind == "Job");
            var configMap = cluster.Objects.Select(ObjectKeys.Of).First(k => k.Kind == "ConfigMap");
            cluster.Edit(job, o => o["spec"]!["backoffLimit"] = 9, Now);
            cluster.Delete(configMap);

            // When the environment is planned keeping trees, and keeping text
            var trees = Staging(specs, cluster, "c1");
            var text = EnvironmentPlanner.PlanEnvironment(specs, "staging", RegistryFacts.Empty, new RenderContext("c1"), cluster.Objects,
                desiredAsText: true);

            // Then the same actions, each create and update with its object as text that reads back as the same tree
            Assert.Equal(trees.Plan.Actions.Select(a => (a.Key, a.Action, a.Reason)), text.Plan.Actions.Select(a => (a.Key, a.Action, a.Reason)));
            var changes = text.Plan.Changes.ToList();
            Assert.Equal([configMap, job], changes.Select(a => a.Key).Order());
            Assert.All(changes, a => Assert.NotNull(a.DesiredText));
            Assert.All(trees.Plan.Changes, a => Assert.Null(a.DesiredText));
            foreach (var (tree, kept) in trees.Plan.Changes.Zip(changes))
            {
                Assert.True(JsonNode.DeepEquals(tree.Desired, kept.Desired));
                Assert.Equal(tree.Desired!.ToJsonString(), kept.Desired!.ToJsonString());
            }
        }
    }

    /// <summary>Plans staging of <paramref name="specs"/> at <paramref name="commit"/> against the cluster, with the cache when given.</summary>
    private static EnvironmentPlan Staging(SpecSet specs, ObjectStore cluster, string commit, RenderCache? cache = null) =>
        EnvironmentPlanner.PlanEnvironment(specs, "staging", RegistryFacts.Empty, new RenderContext(commit), cluster.Objects, cache);

    private static ObjectStore Converged(SpecSet specs, string commit)
    {
        var cluster = new ObjectStore();
        foreach (var obj in Renderer.Render(specs, "staging", RegistryFacts.Empty, new RenderContext(commit)).Objects)
        {
            cluster.Apply(obj, dryRun: false, Now);
        }
        return cluster;
    }

    private static List<string> Described(EnvironmentPlan plan) =>
        [.. plan.Plan.Actions.Select(a => $"{a.Action} {a.Key}: {a.Reason} {a.Desired?.ToJsonString()}")];

    private static JsonObject Edited(JsonObject job)
    {
        var copy = (JsonObject)job.DeepClone();
        copy["spec"]!["backoffLimit"] = 9;
        return copy;
    }
}
