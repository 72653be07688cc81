using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Git;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Tests.Support;
using GitOps.Testing.FakeKubernetes;
using GitOps.Testing.Git;

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
        public async Task Should_End_With_A_One_Line_Retry_Naming_The_Remote_And_The_Timeout_When_The_Remote_Never_Answers()
        {
            // Given a pass over a real Git source whose remote accepts the connection and never answers
            await using var rig = await ReconcilerRig.StartAsync();
            using var remote = new SilentGitRemote();
            var cache = Directory.CreateTempSubdirectory("gitops-silent-").FullName;
            try
            {
                var git = new GitSource(new GitSourceOptions { Url = remote.Url, CacheDirectory = Path.Combine(cache, "repo"), Timeout = TimeSpan.FromSeconds(1) });
                var pass = rig.NewPass(git: git);

                // When (the deadline only keeps a regression from hanging the test run)
                var outcome = (await pass.RunAsync(["prod"], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60))).Single();

                // Then
                var retry = Assert.IsType<ReconcileOutcome.Retry>(outcome);
                // (the whole reason is the message, so a failure shows what libgit2 said)
                Assert.True(retry.Reason.StartsWith("git fetch failed: cannot clone " + remote.Url, StringComparison.Ordinal), retry.Reason);
                Assert.True(retry.Reason.Contains("no answer within 1s (--git-timeout)", StringComparison.Ordinal), retry.Reason);
                Assert.DoesNotContain('\n', retry.Reason);
                Assert.Empty(rig.Managed());
                Assert.DoesNotContain(rig.Logs.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
            }
            finally
            {
                Directory.Delete(cache, recursive: true);
            }
        }

        [Fact]
        public async Task Should_Keep_Healing_Drift_From_The_Last_Good_Commit_While_Git_Is_Down()
        {
            // Given an applied commit, then Git goes down and someone edits a managed object by hand
            await using var rig = await ReconcilerRig.StartAsync();
            var good = rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1)));
            await rig.RunAsync();
            var config = rig.Managed().First(o => o["kind"]!.GetValue<string>() == "ConfigMap");
            var before = config["data"]!.ToJsonString();
            var key = config["data"]!.AsObject().First().Key;
            rig.Cluster.Server.EditByHand(KeyOf(config), new JsonObject { ["data"] = new JsonObject { [key] = "edited by hand" } });
            rig.Git.FailNextFetches(1);

            // When
            var outcome = await rig.RunAsync();

            // Then the drift is healed from the last good commit, and the outcome names the Git error
            var retry = Assert.IsType<ReconcileOutcome.Retry>(outcome);
            Assert.Equal(good, retry.Commit);
            Assert.StartsWith("git fetch failed: could not read from remote repository", retry.Reason);
            Assert.Contains($"the cluster is kept converged on the last good commit {good[..12]} (1 drifted object(s) restored)", retry.Reason);
            var healed = rig.Cluster.Server.GetObject(KeyOf(config))!;
            Assert.Equal(before, healed["data"]!.ToJsonString());
            Assert.Equal(good, (await rig.StatusAsync())!.LastAppliedCommit);
        }

        [Fact]
        public async Task Should_Not_Promise_A_Retry_In_The_Log_When_Running_Once()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1)));
            rig.Git.FailNextFetches(1);

            // When
            var outcome = (await rig.NewPass(once: true).RunAsync(["prod"], CancellationToken.None)).Single();

            // Then
            Assert.IsType<ReconcileOutcome.Retry>(outcome);
            Assert.Contains(rig.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("prod: failed: git fetch failed", StringComparison.Ordinal));
            Assert.DoesNotContain(rig.Logs.Lines, l => l.Contains("retry in", StringComparison.OrdinalIgnoreCase));
        }

        [Fact]
        public async Task Should_Say_The_Status_Is_Not_Written_When_It_Cannot_Be_Saved_In_A_Single_Pass()
        {
            // Given an environment whose status ConfigMap exists, and an API server that refuses to update it
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1)));
            await rig.RunAsync();
            rig.Cluster.Server.FailNext(1000, statusCode: 503, verb: "update", pathContains: "gitops-status-prod");

            // When one pass runs, as reconcile --once does
            var outcome = (await rig.NewPass(once: true).RunAsync(["prod"], CancellationToken.None)).Single();

            // Then the log says the status was not written, and promises no next pass
            Assert.IsType<ReconcileOutcome.NoChange>(outcome);
            Assert.Contains(rig.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal)
                                                 && l.Contains("prod: cannot save status (", StringComparison.Ordinal)
                                                 && l.EndsWith("); it is not written: run the pass again to record it", StringComparison.Ordinal));
            Assert.DoesNotContain(rig.Logs.Lines, l => l.Contains("next pass", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_Retry_When_The_Api_Server_Fails()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1)));
            rig.Cluster.Server.FailNext(1000, statusCode: 503, verb: "apply");

            // When
            var outcome = await rig.RunAsync();

            // Then
            var retry = Assert.IsType<ReconcileOutcome.Retry>(outcome);
            Assert.Contains("503", retry.Reason);
            Assert.Equal(TimeSpan.FromSeconds(5), retry.After);
            var status = await rig.StatusAsync();
            Assert.Equal("Retry", status!.Outcome);
            Assert.Null(status.LastAppliedCommit);
            Assert.DoesNotContain(rig.Logs.Lines, l => !l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains("   at ", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_Report_Forbidden_In_One_Line_And_Wait_The_Long_Backoff_When_The_Namespace_Has_No_RoleBinding()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1)));
            rig.Cluster.Server.Refuse(FakeRefusal.Forbidden(@namespace: SpecRepository.Namespace));

            // When
            var outcome = await rig.RunAsync();

            // Then
            var refused = Assert.IsType<ReconcileOutcome.Refused>(outcome);
            Assert.Equal(TimeSpan.FromMinutes(5), refused.After);
            Assert.StartsWith("Forbidden: the reconciler may not list ", refused.Reason);
            Assert.Contains(" in namespace \"ml\"; this is granted by platform/deploy/reconciler/environment-rolebindings.yaml", refused.Reason);
            var status = await rig.StatusAsync();
            Assert.Equal("Refused", status!.Outcome);
            Assert.StartsWith("refused by the API server: Forbidden:", status.Message);
            Assert.Contains(rig.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Forbidden: the reconciler may not list", StringComparison.Ordinal));
            Assert.DoesNotContain(rig.Logs.Lines, l => !l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains("   at ", StringComparison.Ordinal));
            Assert.Equal(0, rig.Cluster.Server.RequestCount("apply"));
        }

        [Fact]
        public async Task Should_Report_Unauthorized_When_The_Credentials_Are_Not_Accepted()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1)));
            rig.Cluster.Server.Refuse(FakeRefusal.Unauthorized());

            // When
            var outcome = await rig.RunAsync();

            // Then
            var refused = Assert.IsType<ReconcileOutcome.Refused>(outcome);
            Assert.Contains("Unauthorized: the API server did not accept the reconciler's credentials", refused.Reason);
            Assert.Equal(TimeSpan.FromMinutes(5), refused.After);
            Assert.DoesNotContain(rig.Logs.Lines, l => !l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains("   at ", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_Apply_Every_Other_Model_And_Report_The_Refused_Object_Against_Its_Model_When_The_Server_Finds_It_Invalid()
        {
            // Given a model whose Job the API server refuses, beside a valid one
            await using var rig = await ReconcilerRig.StartAsync();
            var commit = rig.Git.Commit(SpecRepository.Files(Env(), ("bad", 1), ("good", 1)));
            var refusal = new FakeRefusal
            {
                Code = 422,
                Resource = "jobs",
                NamePrefix = "bad",
                Reason = "spec.template.spec.nodeSelector: Invalid value: \"bad key!!/x\": name part must consist of alphanumeric characters",
            };
            rig.Cluster.Server.Refuse(refusal);

            // When
            var outcome = await rig.RunAsync();

            // Then the good model is applied in full, the bad one is reported
            var refused = Assert.IsType<ReconcileOutcome.Refused>(outcome);
            var refusedObject = Assert.Single(refused.Objects);
            Assert.Equal("bad", refusedObject.Model);
            Assert.StartsWith("Invalid: the API server refuses Job ml/bad", refusedObject.Message);
            Assert.Contains("spec.template.spec.nodeSelector: Invalid value: \"bad key!!/x\"", refusedObject.Message);
            Assert.Equal(TimeSpan.FromMinutes(5), refused.After);
            Assert.Contains(rig.ManagedNames(), n => n.StartsWith("Job/good", StringComparison.Ordinal));
            Assert.DoesNotContain(rig.ManagedNames(), n => n.StartsWith("Job/bad", StringComparison.Ordinal));
            var status = await rig.StatusAsync();
            Assert.Equal(("Refused", null), (status!.Outcome, status.LastAppliedCommit));
            Assert.Contains("(model bad)", status.DiagnosticsSummary);

            // When the object is accepted again, the next pass applies it
            rig.Cluster.Server.Lift(refusal);
            var next = await rig.RunAsync();

            // Then
            Assert.Equal(commit, Assert.IsType<ReconcileOutcome.Applied>(next).Commit);
            Assert.Contains(rig.ManagedNames(), n => n.StartsWith("Job/bad", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_Recreate_A_Stable_Deployment_Deleted_By_Hand_Without_Retraining_Or_Pruning()
        {
            // Given a trained model served in prod
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1)));
            await rig.RunAsync();
            rig.Cluster.Server.SetStatus(KeyOf(rig.Managed().Single(o => o["kind"]!.GetValue<string>() == "Job")), new JsonObject { ["succeeded"] = 1 });
            Assert.IsType<ReconcileOutcome.Applied>(await rig.RunAsync());
            var served = rig.ManagedNames();
            Assert.Contains("Deployment/fraud-stable", served);
            Assert.DoesNotContain(served, n => n.StartsWith("Job/", StringComparison.Ordinal));

            // When a person deletes the Deployment (kubectl delete deployment fraud-stable)
            rig.Cluster.Server.DeleteObject(new ResourceKey("apps/v1", "Deployment", SpecRepository.Namespace, "fraud-stable"));
            var outcome = await rig.RunAsync();

            // Then it is simply recreated: no training Job, nothing pruned
            var applied = Assert.IsType<ReconcileOutcome.Applied>(outcome);
            Assert.Equal((1, 0, 0), (applied.Plan.Create, applied.Plan.Update, applied.Plan.Delete));
            Assert.Equal(served, rig.ManagedNames());
        }

        [Fact]
        public async Task Should_Not_Retrain_When_A_Succeeded_Training_Job_Is_Deleted_By_Hand()
        {
            // Given a training Job that succeeded while its model's serving objects are refused, so the Job stays
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(SpecRepository.Files(Env(), ("fraud", 1)));
            await rig.RunAsync();
            var job = rig.Managed().Single(o => o["kind"]!.GetValue<string>() == "Job");
            rig.Cluster.Server.SetStatus(KeyOf(job), new JsonObject { ["succeeded"] = 1 });
            var refusal = new FakeRefusal { Code = 422, Resource = "deployments", Reason = "spec.replicas: Invalid value: 1: refused for the test" };
            rig.Cluster.Server.Refuse(refusal);
            Assert.IsType<ReconcileOutcome.Refused>(await rig.RunAsync());
            Assert.Contains($"Job/{job["metadata"]!["name"]}", rig.ManagedNames());

            // When a person deletes the succeeded Job, then the Deployment is accepted again
            rig.Cluster.Server.DeleteObject(KeyOf(job));
            rig.Cluster.Server.Lift(refusal);
            var outcome = await rig.RunAsync();

            // Then the version is served, and not trained again
            Assert.IsType<ReconcileOutcome.Applied>(outcome);
            Assert.Contains("Deployment/fraud-stable", rig.ManagedNames());
            Assert.DoesNotContain(rig.ManagedNames(), n => n.StartsWith("Job/", StringComparison.Ordinal));
        }

        private static ResourceKey KeyOf(JsonObject o) => new(o["apiVersion"]!.GetValue<string>(), o["kind"]!.GetValue<string>(),
            SpecRepository.Namespace, o["metadata"]!["name"]!.GetValue<string>());

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
