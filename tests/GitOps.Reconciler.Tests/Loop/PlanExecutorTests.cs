using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Plans;
using GitOps.Reconciler.Loop;
using GitOps.Testing;

namespace GitOps.Reconciler.Tests.Loop;

public sealed class PlanExecutorTests
{
    private static JsonObject Managed(ManagedKind kind, string name) => new()
    {
        ["apiVersion"] = kind.ApiVersion,
        ["kind"] = kind.Kind,
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = "ml",
            ["labels"] = new JsonObject
            {
                [ManagedLabels.ManagedBy] = ManagedLabels.ManagedByValue,
                [ManagedLabels.Environment] = "prod",
                [ManagedLabels.Model] = "fraud",
            },
        },
    };

    public sealed class TheExecuteAsyncMethod
    {
        [Fact]
        public async Task Should_Prune_In_The_Order_The_Plan_Lists_When_A_Model_Is_Removed()
        {
            // Given every object of a removed model, seeded in the opposite of the prune order
            var cluster = new InMemoryClusterDriver();
            var seeded = new[]
            {
                Managed(ManagedKinds.All.Single(k => k.Kind == "ConfigMap"), "fraud-model"),
                Managed(ManagedKinds.All.Single(k => k.Kind == "Job"), "fraud-train"),
                Managed(ManagedKinds.All.Single(k => k.Kind == "Deployment"), "fraud-stable"),
                Managed(ManagedKinds.HttpRoute, "fraud"),
            };
            foreach (var obj in seeded)
            {
                cluster.Seed(obj);
            }
            var plan = Planner.Plan("prod", [], await cluster.ReadManagedAsync("prod", "ml", CancellationToken.None));

            // When
            await new PlanExecutor(cluster, parallelism: 1).ExecuteAsync(plan, CancellationToken.None);

            // Then the executor deletes exactly in the plan's order, which puts routes first and configuration last
            var deleted = cluster.Operations.Where(o => o.Verb == "delete").Select(o => o.Key.Kind).ToList();
            Assert.Equal(plan.Changes.Select(a => a.Key.Kind), deleted);
            Assert.Equal(["HTTPRoute", "Deployment", "Job", "ConfigMap"], deleted);
        }
    }
}
