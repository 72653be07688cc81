using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;

namespace GitOps.Planning.Tests.Plans;

/// <summary>A warm reconciler plans with its <see cref="RenderCache"/>: objects found equal in an earlier pass are
/// not compared again while neither side changed.</summary>
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
    }

    private static JsonObject Edited(JsonObject job)
    {
        var copy = (JsonObject)job.DeepClone();
        copy["spec"]!["backoffLimit"] = 9;
        return copy;
    }
}
