using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Tests.Support;

namespace GitOps.Reconciler.Tests.Loop;

public sealed class ReconcilePassTests
{
    private static string Env(bool selfHeal = true) => SpecRepository.Environment(selfHeal: selfHeal);

    public sealed class TheRunAsyncMethod
    {
        [Fact]
        public async Task Should_Create_The_Objects_Of_A_First_Valid_Commit()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            var commit = rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 2)));

            // When
            var outcome = await rig.RunAsync();

            // Then
            var applied = Assert.IsType<ReconcileOutcome.Applied>(outcome);
            Assert.Equal(commit, applied.Commit);
            Assert.True(applied.Plan.Create > 0);
            Assert.Equal(applied.Plan.Create, rig.Managed().Count);
            Assert.All(rig.Managed(), o => Assert.Equal("fraud", o["metadata"]!["labels"]![ManagedLabels.Model]!.GetValue<string>()));
            var status = await rig.StatusAsync();
            Assert.Equal("Applied", status!.Outcome);
            Assert.Equal(commit, status.LastAppliedCommit);
            Assert.Equal(commit, status.LastAttemptedCommit);
        }

        [Fact]
        public async Task Should_Change_Nothing_When_The_Commit_Is_Already_Applied()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            var commit = rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 2)));
            await rig.RunAsync();
            var patchesBefore = rig.Cluster.Server.RequestCount("patch");

            // When a restarted reconciler (new pass, state only in the cluster) looks again
            var outcome = (await rig.NewPass().RunAsync(["prod"], CancellationToken.None)).Single();

            // Then
            var noChange = Assert.IsType<ReconcileOutcome.NoChange>(outcome);
            Assert.Equal(commit, noChange.Commit);
            Assert.Equal(0, noChange.Plan.Changes);
            Assert.Equal(patchesBefore, rig.Cluster.Server.RequestCount("patch"));
            Assert.Equal(0, rig.Cluster.Server.RequestCount("delete"));
        }

        [Fact]
        public async Task Should_Update_Objects_When_A_Model_Changes()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1)));
            await rig.RunAsync();
            var before = rig.ManagedNames();

            // When
            var commit = rig.Git.Commit(new Dictionary<string, string>
            {
                ["environments/prod/environment.yaml"] = Env(),
                ["models/fraud/model.yaml"] = SpecRepository.Model("fraud", trees: 300),
            });
            var outcome = await rig.RunAsync();

            // Then: a new version to train replaces the old one
            var applied = Assert.IsType<ReconcileOutcome.Applied>(outcome);
            Assert.True(applied.Plan.Changes > 0);
            Assert.NotEqual(before, rig.ManagedNames());
            Assert.All(rig.Managed(), o => Assert.Equal(commit, o["metadata"]!["annotations"]![ManagedLabels.CommitAnnotation]!.GetValue<string>()));
        }

        [Fact]
        public async Task Should_Prune_The_Objects_Of_A_Model_Removed_From_Git()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1), ("churn", 1)));
            await rig.RunAsync();
            Assert.Contains(rig.Managed(), o => o["metadata"]!["labels"]![ManagedLabels.Model]!.GetValue<string>() == "churn");

            // When
            rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1)));
            var outcome = await rig.RunAsync();

            // Then
            var applied = Assert.IsType<ReconcileOutcome.Applied>(outcome);
            Assert.True(applied.Plan.Delete > 0);
            Assert.DoesNotContain(rig.Managed(), o => o["metadata"]!["labels"]![ManagedLabels.Model]!.GetValue<string>() == "churn");
            Assert.Contains(rig.Managed(), o => o["metadata"]!["labels"]![ManagedLabels.Model]!.GetValue<string>() == "fraud");
        }

        [Fact]
        public async Task Should_Stall_And_Change_Nothing_When_The_Commit_Has_Validation_Errors()
        {
            // Given a good commit applied, then a commit that removes a model and breaks another
            await using var rig = await ReconcilerRig.StartAsync();
            var good = rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1), ("churn", 1)));
            await rig.RunAsync();
            var before = rig.Managed().Select(o => o.ToJsonString()).ToList();
            var requestsBefore = rig.Cluster.Server.RequestCount("patch") + rig.Cluster.Server.RequestCount("delete");

            // When
            var bad = rig.Git.Commit(new Dictionary<string, string>
            {
                ["environments/prod/environment.yaml"] = Env(),
                ["models/fraud/model.yaml"] = SpecRepository.InvalidModel("fraud"),
            });
            var outcome = await rig.RunAsync();

            // Then nothing was applied nor pruned, and the status says which commit failed and why
            var stalled = Assert.IsType<ReconcileOutcome.Stalled>(outcome);
            Assert.Equal(bad, stalled.Commit);
            Assert.Equal(good, stalled.LastGoodCommit);
            Assert.Contains(stalled.Diagnostics, d => d.IsError && d.Span.File == "models/fraud/model.yaml");
            Assert.Equal(before, rig.Managed().Select(o => o.ToJsonString()).ToList());
            Assert.Equal(requestsBefore, rig.Cluster.Server.RequestCount("patch") + rig.Cluster.Server.RequestCount("delete"));
            var status = await rig.StatusAsync();
            Assert.Equal("Stalled", status!.Outcome);
            Assert.Equal(good, status.LastAppliedCommit);
            Assert.Equal(bad, status.LastAttemptedCommit);
            Assert.Contains("models/fraud/model.yaml:", status.DiagnosticsSummary);
            Assert.Contains(bad[..12], status.Message);
        }

        [Fact]
        public async Task Should_Not_Load_A_Stalled_Commit_Again_Until_Git_Moves()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(new Dictionary<string, string>
            {
                ["environments/prod/environment.yaml"] = Env(),
                ["models/fraud/model.yaml"] = SpecRepository.InvalidModel("fraud"),
            });
            await rig.RunAsync();
            var restarted = rig.NewPass();
            var statusBefore = await rig.StatusAsync();

            // When
            var again = (await restarted.RunAsync(["prod"], CancellationToken.None)).Single();

            // Then
            Assert.IsType<ReconcileOutcome.Stalled>(again);
            Assert.Equal(1, rig.Validations);
            Assert.Equal(statusBefore, await rig.StatusAsync());

            // And when a fix is pushed, it is applied
            var fix = rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1)));
            var fixedOutcome = (await restarted.RunAsync(["prod"], CancellationToken.None)).Single();
            Assert.Equal(fix, Assert.IsType<ReconcileOutcome.Applied>(fixedOutcome).Commit);
            Assert.Equal("Applied", (await rig.StatusAsync())!.Outcome);
        }

        [Fact]
        public async Task Should_Stall_When_The_Environment_Is_Not_Defined_In_The_Commit()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1)));
            await rig.RunAsync();
            var before = rig.ManagedNames();

            // When the environment file disappears from Git
            rig.Git.Commit(new Dictionary<string, string> { ["models/fraud/model.yaml"] = SpecRepository.Model("fraud") });
            var outcome = await rig.RunAsync();

            // Then its objects are not pruned
            Assert.IsType<ReconcileOutcome.Stalled>(outcome);
            Assert.Equal(before, rig.ManagedNames());
        }

        [Fact]
        public async Task Should_Retry_With_Backoff_When_Git_Cannot_Be_Fetched()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            var good = rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1)));
            await rig.RunAsync();
            rig.Git.FailNextFetches(2);

            // When
            var first = await rig.RunAsync();
            var second = await rig.RunAsync();
            var third = await rig.RunAsync();

            // Then
            Assert.Equal(TimeSpan.FromSeconds(5), Assert.IsType<ReconcileOutcome.Retry>(first).After);
            Assert.Equal(TimeSpan.FromSeconds(10), Assert.IsType<ReconcileOutcome.Retry>(second).After);
            Assert.Contains("git fetch failed", ((ReconcileOutcome.Retry)first).Reason);
            Assert.IsType<ReconcileOutcome.NoChange>(third);
            Assert.Equal(good, (await rig.StatusAsync())!.LastAppliedCommit);
            Assert.Contains("gitops_git_fetch_errors_total 2", await rig.Metrics.ExportAsync(CancellationToken.None));
        }

        [Fact]
        public async Task Should_Retry_When_The_Api_Server_Fails()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1)));
            rig.Cluster.Server.FailNext(1000, statusCode: 403, verb: "apply");

            // When
            var outcome = await rig.RunAsync();

            // Then
            var retry = Assert.IsType<ReconcileOutcome.Retry>(outcome);
            Assert.Contains("403", retry.Reason);
            var status = await rig.StatusAsync();
            Assert.Equal("Retry", status!.Outcome);
            Assert.Null(status.LastAppliedCommit);
        }

        [Fact]
        public async Task Should_Restore_An_Object_Edited_By_Hand_When_Self_Heal_Is_On()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(Env(selfHeal: true), ("fraud", 1)));
            await rig.RunAsync();
            var (key, original) = EditFirstObjectByHand(rig);

            // When
            var outcome = await rig.RunAsync();

            // Then
            var applied = Assert.IsType<ReconcileOutcome.Applied>(outcome);
            Assert.Equal(1, applied.DriftHealed);
            Assert.Equal(original, Labels(rig.Cluster.Server.GetObject(key)!));
            Assert.Contains("gitops_drift_detected_total{environment=\"prod\"} 1", await rig.Metrics.ExportAsync(CancellationToken.None));
        }

        [Fact]
        public async Task Should_Leave_An_Object_Edited_By_Hand_When_Self_Heal_Is_Off()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(Env(selfHeal: false), ("fraud", 1)));
            await rig.RunAsync();
            var (key, _) = EditFirstObjectByHand(rig);

            // When
            var outcome = await rig.RunAsync();

            // Then
            var noChange = Assert.IsType<ReconcileOutcome.NoChange>(outcome);
            Assert.Equal(1, noChange.Drift);
            Assert.Equal("hand", rig.Cluster.Server.GetObject(key)!["metadata"]!["labels"]![ManagedLabels.Track]!.GetValue<string>());
            Assert.Contains("selfHeal is off", (await rig.StatusAsync())!.Message);
        }

        private static (ResourceKey Key, string Labels) EditFirstObjectByHand(ReconcilerRig rig)
        {
            var target = rig.Managed().First(o => o["metadata"]?["labels"]?[ManagedLabels.Track] is not null);
            var key = new ResourceKey(target["apiVersion"]!.GetValue<string>(), target["kind"]!.GetValue<string>(),
                SpecRepository.Namespace, target["metadata"]!["name"]!.GetValue<string>());
            var original = Labels(target);
            rig.Cluster.Server.EditByHand(key, new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [ManagedLabels.Track] = "hand" } },
            });
            return (key, original);
        }

        private static string Labels(JsonObject o) => o["metadata"]!["labels"]!.ToJsonString();
    }
}
