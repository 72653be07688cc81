using System.Collections.Immutable;
using System.Text.Json.Nodes;
using CsCheck;
using GitOps.Planning.Cluster;
using GitOps.Planning.Formatting;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;
using GitOps.Specs.Model;
using GitOps.Testing;

namespace GitOps.Planning.Tests.Plans;

public sealed class PlanPropertiesTests
{
    private static readonly string[] Environments = ["staging", "prod"];

    /// <summary>A random repository: 1–6 models (or as many as asked) with random training, serving, pools, overrides and environments.</summary>
    private static SpecSet RandomRepository(Random r, int minModels = 1, int maxModels = 6)
    {
        var models = new List<SpecObject>();
        var count = r.Next(minModels, maxModels + 1);
        for (var i = 0; i < count; i++)
        {
            var envs = Environments.Where(_ => r.Next(3) > 0).ToArray();
            var gpus = r.Next(3);
            var overrides = ImmutableSortedDictionary<string, ModelOverride>.Empty;
            if (r.Next(2) == 0)
            {
                overrides = overrides.Add("prod", new ModelOverride
                {
                    Serving = new ServingSpec
                    {
                        Replicas = r.Next(1, 5),
                        Autoscaling = r.Next(2) == 0 ? new Autoscaling(2, 6, 60) : null,
                        Resources = r.Next(2) == 0 ? new ResourceRequest { Cpu = "1", Gpus = 1, Pool = "l4" } : null,
                    },
                });
            }
            models.Add(TestSpecs.Model($"model-{i}", envs, b => b with
            {
                Training = b.Training with
                {
                    Hyperparameters = b.Training.Hyperparameters.SetItem("learningRate", $"0.{r.Next(1, 9)}"),
                    Resources = gpus == 0 ? new ResourceRequest { Cpu = "2" } : new ResourceRequest { Gpus = gpus, Pool = r.Next(2) == 0 ? "a100" : "l4" },
                },
                Serving = b.Serving with { Replicas = r.Next(1, 4), MinAvailable = r.Next(3) == 0 ? 1 : null },
                Rollout = r.Next(3) == 0 ? null : b.Rollout,
                Overrides = overrides,
            }));
        }
        return SpecSet.From([
            TestSpecs.Environment("staging", r.Next(2) == 0 ? TrafficRouters.GatewayApi : TrafficRouters.Replicas),
            TestSpecs.Environment("prod", r.Next(2) == 0 ? TrafficRouters.Istio : TrafficRouters.GatewayApi, new Promotion("staging", null)),
            .. models, TestSpecs.CanaryPolicy(), TestSpecs.Gate()]);
    }

    /// <summary>Random registry facts: some versions trained, some served, some canaries in progress.</summary>
    private static RegistryFacts RandomFacts(SpecSet specs, Random r)
    {
        var facts = RegistryFacts.Empty;
        foreach (var m in specs.Models)
        {
            foreach (var env in m.Spec.Environments)
            {
                var version = ModelVersions.Compute(m, specs.Environment(env)!);
                switch (r.Next(4))
                {
                    case 0:
                        break;
                    case 1:
                        facts = facts.WithTrained(m.Name, version);
                        break;
                    case 2:
                        facts = facts.WithTrained(m.Name, version).WithDeployment(m.Name, env, new DeploymentFacts("aaaaaaaaaaaa", new CanaryFacts(version, r.Next(0, 101))));
                        break;
                    default:
                        facts = facts.WithDeployment(m.Name, env, new DeploymentFacts("bbbbbbbbbbbb", null));
                        break;
                }
            }
        }
        return facts;
    }

    /// <summary>The cluster another random commit left, with hand edits (replicas, a label) and an object that is not ours
    /// where one of ours may go.</summary>
    private static List<JsonObject> EditedCluster(SpecSet specs, Random r)
    {
        var observed = Clusters.Converge(RandomRepository(r), RandomFacts(specs, r)).Select(o => (JsonObject)o.DeepClone()).ToList();
        foreach (var o in observed.Where(_ => r.Next(4) == 0))
        {
            if (o["spec"]?["replicas"] is not null)
            {
                o["spec"]!["replicas"] = 7;
            }
            o["metadata"]!["labels"]!["team"] = "edited";
        }
        observed.Add(JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"model-0-model","namespace":"ml-staging"},"data":{"x":"y"}}""")!.AsObject());
        return observed;
    }

    private static string Describe(RegistryFacts facts) => string.Join("\n", facts.Models.Select(m =>
        $"{m.Key}: trained {string.Join(",", m.Value.TrainedVersions)}; {string.Join("; ", m.Value.Environments.Select(e => $"{e.Key} {e.Value.StableVersion} {e.Value.Canary}"))}"));

    private static List<T> Shuffle<T>(IEnumerable<T> items, Random r) => [.. items.OrderBy(_ => r.Next())];

    private static RepositoryPlan PlanAll(SpecSet specs, RegistryFacts facts, IReadOnlyList<JsonObject> observed) =>
        EnvironmentPlanner.Plan(specs, Environments, facts, new RenderContext("abc1234"), observed);

    public sealed class TheRenderAndPlanMethods
    {
        [Fact]
        public void Should_Produce_Identical_Output_When_Files_And_Documents_Are_Reordered()
        {
            Gen.Int[0, int.MaxValue].Sample(seed =>
            {
                // Given
                var r = new Random(seed);
                var specs = RandomRepository(r);
                var facts = RandomFacts(specs, r);
                var observed = Clusters.Converge(RandomRepository(r), RandomFacts(specs, r));
                var shuffledSpecs = SpecSet.From(Shuffle(specs.All, r));
                var shuffledObserved = Shuffle(observed, r).Select(o => (JsonObject)o.DeepClone()).ToList();

                // When
                var a = PlanAll(specs, facts, observed);
                var b = PlanAll(shuffledSpecs, facts, shuffledObserved);

                // Then
                Assert.Equal(PlanJson.Format(a), PlanJson.Format(b));
                Assert.Equal(PlanText.Format(a), PlanText.Format(b));
                foreach (var env in Environments)
                {
                    Assert.Equal(
                        RenderOutput.Stream(Renderer.Render(specs, env, facts, new RenderContext("abc1234"))),
                        RenderOutput.Stream(Renderer.Render(shuffledSpecs, env, facts, new RenderContext("abc1234"))));
                }
            }, iter: 40);
        }

        [Fact]
        public void Should_Plan_Large_Repositories_On_Every_Core_With_The_Same_Result_And_Converge()
        {
            Gen.Int[0, int.MaxValue].Sample(seed =>
            {
                // Given: enough models per environment (64 or more) that rendering and diffing run in parallel
                var r = new Random(seed);
                var specs = RandomRepository(r, 100, 120);
                var facts = RandomFacts(specs, r);
                var observed = Clusters.Converge(RandomRepository(r, 100, 120), RandomFacts(specs, r))
                    .Select(o => (JsonObject)o.DeepClone()).ToList();
                foreach (var o in observed.Where(_ => r.Next(5) == 0))
                {
                    o["metadata"]!["labels"]!["ml.gitops/version"] = "edited";
                }
                var shuffledSpecs = SpecSet.From(Shuffle(specs.All, r));
                var shuffledObserved = Shuffle(observed, r).Select(o => (JsonObject)o.DeepClone()).ToList();

                // When
                var a = PlanAll(specs, facts, observed);
                var b = PlanAll(shuffledSpecs, facts, shuffledObserved);
                var state = (IReadOnlyList<JsonObject>)observed;
                foreach (var env in a.Environments)
                {
                    state = InMemoryApply.Apply(env.Plan, state, Clusters.Now);
                }

                // Then
                Assert.True(a.Environments.Sum(e => e.Plan.Actions.Length) > 400);
                Assert.Equal(PlanJson.Format(a), PlanJson.Format(b));
                Assert.Equal(PlanText.Format(a), PlanText.Format(b));
                var second = PlanAll(specs, facts, state);
                Assert.False(second.HasChanges, string.Join("\n", second.Environments.SelectMany(e => e.Plan.Changes).Select(c => $"{c.Key}: {c.Reason}")));
            }, iter: 5);
        }

        [Fact]
        public void Should_Plan_The_Same_When_The_Observed_Objects_Are_Kept_Compactly()
        {
            Gen.Int[0, int.MaxValue].Sample(seed =>
            {
                // Given: a cluster left by another commit, with hand edits, a foreign object and resource versions
                var r = new Random(seed);
                var specs = RandomRepository(r);
                var facts = RandomFacts(specs, r);
                var observed = EditedCluster(specs, r);
                foreach (var (o, i) in observed.Select((o, i) => (o, i)).Where(_ => r.Next(2) == 0))
                {
                    o["metadata"]!["resourceVersion"] = $"{1000 + i}";
                    o["metadata"]!["uid"] = $"uid-{i}";
                }
                var compact = ObservedObjects.Of(observed);

                // When
                var trees = PlanAll(specs, facts, observed);
                var fromText = PlanAll(specs, facts, compact);

                // Then: the same plan, the same objects behind each action, and the same facts read back
                Assert.Equal(PlanJson.Format(trees), PlanJson.Format(fromText));
                Assert.Equal(PlanText.Format(trees), PlanText.Format(fromText));
                var actions = trees.Environments.SelectMany(e => e.Plan.Actions).ToList();
                var compactActions = fromText.Environments.SelectMany(e => e.Plan.Actions).ToList();
                Assert.Equal(actions.Count, compactActions.Count);
                for (var i = 0; i < actions.Count; i++)
                {
                    Assert.True(JsonNode.DeepEquals(actions[i].Observed, compactActions[i].Observed), $"{actions[i].Key}");
                    Assert.Equal(actions[i].Observed is not null, compactActions[i].ObservedCompact is not null);
                }
                Assert.Equal(Describe(ObservedFacts.From(observed)), Describe(ObservedFacts.From(compact)));
            }, iter: 40);
        }

        [Fact]
        public void Should_Converge_So_That_The_Second_Plan_Is_Empty()
        {
            Gen.Int[0, int.MaxValue].Sample(seed =>
            {
                // Given: a cluster left by another commit, with hand edits and a foreign object
                var r = new Random(seed);
                var specs = RandomRepository(r);
                var facts = RandomFacts(specs, r);
                var observed = EditedCluster(specs, r);

                // When
                var state = (IReadOnlyList<JsonObject>)observed;
                foreach (var env in Environments)
                {
                    var render = Renderer.Render(specs, env, facts, new RenderContext("c1"));
                    state = InMemoryApply.Apply(Planner.Plan(env, render.Objects, state), state, Clusters.Now);
                }

                // Then
                foreach (var env in Environments)
                {
                    var second = Planner.Plan(env, Renderer.Render(specs, env, facts, new RenderContext("c2")).Objects, state);
                    Assert.False(second.HasChanges, string.Join("\n", second.Changes.Select(a => $"{a.Key}: {a.Reason}")));
                }
            }, iter: 40);
        }
    }
}
