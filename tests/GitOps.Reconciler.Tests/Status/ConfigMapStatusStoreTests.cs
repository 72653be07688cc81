using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Status;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;

namespace GitOps.Reconciler.Tests.Status;

public sealed class ConfigMapStatusStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, 123, TimeSpan.Zero);

    private static EnvironmentStatus Applied(string commit) => new()
    {
        Environment = "prod",
        LastAppliedCommit = commit,
        LastAttemptedCommit = commit,
        Outcome = "Applied",
        Message = "3 objects applied",
        DiagnosticsSummary = "models/fraud/model.yaml:3:1: warning GITOPS0201: no owner",
        PlanSummary = "+ Deployment/ml/fraud-v2",
        LastAttemptTime = Now,
        LastAppliedTime = Now,
    };

    public sealed class TheSaveAsyncMethod
    {
        [Fact]
        public async Task Should_Round_Trip_Every_Field_Through_The_ConfigMap()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var store = new ConfigMapStatusStore(cluster.Connection, "ml");

            // When
            var saved = await store.SaveAsync(Applied("abc123"), CancellationToken.None);
            var read = await store.ReadAsync("prod", CancellationToken.None);

            // Then
            Assert.NotNull(saved.ResourceVersion);
            Assert.Equal(saved, read);
            Assert.Equal(Applied("abc123") with { ResourceVersion = saved.ResourceVersion }, read);
            var cm = cluster.Server.GetObject("v1", "ConfigMap", "ml", "gitops-status-prod")!;
            Assert.Equal("abc123", cm["data"]!["lastAppliedCommit"]!.GetValue<string>());
            Assert.Equal("Applied", cm["data"]!["outcome"]!.GetValue<string>());
        }

        [Fact]
        public async Task Should_Refuse_A_Save_Based_On_A_Stale_Read()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var store = new ConfigMapStatusStore(cluster.Connection, "ml");
            var first = await store.SaveAsync(Applied("abc123"), CancellationToken.None);
            await store.SaveAsync(first with { Outcome = "NoChange" }, CancellationToken.None);

            // When
            var error = await Assert.ThrowsAsync<StatusConflictException>(() =>
                store.SaveAsync(first with { Outcome = "Stalled" }, CancellationToken.None));

            // Then
            Assert.Equal("prod", error.Environment);
            Assert.Equal("NoChange", (await store.ReadAsync("prod", CancellationToken.None))!.Outcome);
        }

        [Fact]
        public async Task Should_Refuse_To_Create_A_Status_Someone_Else_Created()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var store = new ConfigMapStatusStore(cluster.Connection, "ml");
            await store.SaveAsync(Applied("abc123"), CancellationToken.None);

            // When / Then
            await Assert.ThrowsAsync<StatusConflictException>(() => store.SaveAsync(Applied("def456"), CancellationToken.None));
        }

        [Fact]
        public async Task Should_Truncate_Very_Long_Texts()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var store = new ConfigMapStatusStore(cluster.Connection, "ml");
            var plan = new string('x', ConfigMapStatusStore.MaxFieldLength * 2);

            // When
            var saved = await store.SaveAsync(Applied("abc") with { PlanSummary = plan }, CancellationToken.None);

            // Then
            Assert.True(saved.PlanSummary!.Length < plan.Length);
            Assert.EndsWith("(truncated)", saved.PlanSummary);
        }

        [Fact]
        public async Task Should_Not_Be_Seen_As_A_Managed_Object_So_Prune_Never_Deletes_It()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            await new ConfigMapStatusStore(cluster.Connection, "ml").SaveAsync(Applied("abc"), CancellationToken.None);

            // When
            var managed = await cluster.Driver().ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then
            Assert.Empty(managed);
        }
    }

    public sealed class TheReadAsyncMethod
    {
        [Fact]
        public async Task Should_Return_Null_When_Nothing_Was_Saved()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var store = new ConfigMapStatusStore(cluster.Connection, "ml");

            // When
            var status = await store.ReadAsync("prod", CancellationToken.None);

            // Then
            Assert.Null(status);
        }
    }

    public sealed class TheUpdateAsyncMethod
    {
        [Fact]
        public async Task Should_Reapply_The_Change_On_The_Newer_Version_After_A_Concurrent_Write()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var store = new ConfigMapStatusStore(cluster.Connection, "ml");
            await store.SaveAsync(Applied("abc"), CancellationToken.None);
            var calls = 0;

            // When
            var result = await store.UpdateAsync("prod", current =>
            {
                if (++calls == 1)
                {
                    cluster.Server.EditByHand(new ResourceKey("v1", "ConfigMap", "ml", "gitops-status-prod"),
                        new JsonObject { ["data"] = new JsonObject { ["message"] = "written by another replica" } });
                }
                return current with { LastAttemptedCommit = "def", Outcome = "Stalled" };
            }, CancellationToken.None);

            // Then
            Assert.Equal(2, calls);
            Assert.Equal(("def", "Stalled", "written by another replica", "abc"),
                (result.LastAttemptedCommit, result.Outcome, result.Message, result.LastAppliedCommit));
        }
    }
}
