using System.Net;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Leadership;
using GitOps.Reconciler.Status;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;
using GitOps.Reconciler.Tests.Support;
using GitOps.Testing.Git;

namespace GitOps.Reconciler.Tests.EndToEnd;

/// <summary>
/// The reconciler end to end: a real temporary Git repository, the real Kubernetes driver against the fake API server
/// over HTTP, ConfigMap status, Lease leader election and the HTTP endpoints.
/// </summary>
public sealed class ReconcilerEndToEndTests
{
    private static Dictionary<string, string?> Files(bool selfHeal = true, params (string Name, int Trees)[] models)
    {
        var files = new Dictionary<string, string?> { ["environments/prod/environment.yaml"] = SpecRepository.Environment(selfHeal: selfHeal) };
        foreach (var (name, trees) in models)
        {
            files[$"models/{name}/model.yaml"] = SpecRepository.Model(name, trees: trees);
        }
        return files;
    }

    /// <summary>A reconciler that polls once an hour but watches its objects: only the drift watch can trigger a pass.</summary>
    private static Task<RunningReconciler> StartHourlyWatchingAsync(FakeCluster cluster, FakeGitRepo repo) =>
        RunningReconciler.StartAsync(cluster.Connection, repo.Path, "replica-a",
            interval: TimeSpan.FromHours(1), watchDrift: true, driftDebounce: TimeSpan.FromMilliseconds(200));

    /// <summary>The training Job of the one model of <paramref name="commit"/>, once the reconciler applied the commit,
    /// is idle and reads from its watch: a change made before the watch has listed its kind is not an event for it (the
    /// interval pass finds it).</summary>
    private static async Task<JsonObject> TrainingJobOnceWatchedAsync(FakeCluster cluster, RunningReconciler reconciler, string commit)
    {
        await StatusWhenAsync(cluster, s => s.LastAppliedCommit == commit);
        var job = Assert.Single(OfKind(cluster, "Job", "fraud"));
        await Eventually.TrueAsync(() => reconciler.App.Loop.Watchdog.BusyFor is null);
        await Eventually.TrueAsync(() => reconciler.Driver.ReadsFromWatch("prod", SpecRepository.Namespace));
        return job;
    }

    /// <summary>A Job's status as its controller writes it when the Job has succeeded.</summary>
    private static JsonObject JobComplete() => new()
    {
        ["succeeded"] = 1,
        ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Complete", ["status"] = "True" }),
    };

    internal static async Task<EnvironmentStatus> StatusWhenAsync(FakeCluster cluster, Func<EnvironmentStatus, bool> condition)
    {
        var store = new ConfigMapStatusStore(cluster.Connection, ReconcilerRig.StatusNamespace);
        EnvironmentStatus? last = null;
        await Eventually.TrueAsync(() =>
        {
            last = store.ReadAsync("prod", CancellationToken.None).GetAwaiter().GetResult();
            return last is not null && condition(last);
        }, TimeSpan.FromSeconds(60));
        return last!;
    }

    private static IReadOnlyList<JsonObject> Managed(FakeCluster cluster) =>
        [.. ManagedKinds.All.SelectMany(k => cluster.Server.ListObjects(k.ApiVersion, k.Kind, SpecRepository.Namespace)
            .Select(o => { var c = (JsonObject)o.DeepClone(); c["kind"] = k.Kind; c["apiVersion"] = k.ApiVersion; return c; }))];

    private static IReadOnlyList<string> ModelsIn(FakeCluster cluster) =>
        [.. Managed(cluster).Select(o => o["metadata"]!["labels"]![ManagedLabels.Model]!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal)];

    private static IReadOnlyList<JsonObject> OfKind(FakeCluster cluster, string kind, string model) =>
        [.. Managed(cluster).Where(o => o["kind"]!.GetValue<string>() == kind
            && o["metadata"]!["labels"]![ManagedLabels.Model]!.GetValue<string>() == model)];

    private static ResourceKey KeyOf(JsonObject o) => new(o["apiVersion"]!.GetValue<string>(), o["kind"]!.GetValue<string>(),
        SpecRepository.Namespace, o["metadata"]!["name"]!.GetValue<string>());

    public sealed class TheReconciler
    {
        [Fact]
        public async Task Should_Follow_The_Branch_Through_Create_Update_Prune_Stall_And_Fix()
        {
            // Given a repository with two models, and a reconciler that only polls once an hour (webhooks drive it)
            await using var cluster = await FakeCluster.StartAsync();
            using var repo = FakeGitRepo.Create();
            var first = repo.Commit("two models", Files(true, ("fraud", 100), ("churn", 100)));
            await using var reconciler = await RunningReconciler.StartAsync(cluster.Connection, repo.Path, "replica-a", interval: TimeSpan.FromHours(1));

            // Then: first commit → objects appear
            await StatusWhenAsync(cluster, s => s.LastAppliedCommit == first);
            Assert.Equal(["churn", "fraud"], ModelsIn(cluster));
            var job = Assert.Single(OfKind(cluster, "Job", "fraud"));

            // When its training Job succeeds → the trained version is served, the Job is pruned
            cluster.Server.SetStatus(KeyOf(job), new JsonObject { ["succeeded"] = 1 });
            Assert.Equal(HttpStatusCode.Accepted, await reconciler.PushWebhookAsync());
            await Eventually.TrueAsync(() => OfKind(cluster, "Deployment", "fraud").Count == 1 && OfKind(cluster, "Job", "fraud").Count == 0,
                TimeSpan.FromSeconds(60));

            // When a model changes → updated (a new version to train)
            var changed = repo.Commit("retrain churn", new Dictionary<string, string?> { ["models/churn/model.yaml"] = SpecRepository.Model("churn", trees: 400) });
            var churnJobBefore = OfKind(cluster, "Job", "churn").Single()["metadata"]!["name"]!.GetValue<string>();
            Assert.Equal(HttpStatusCode.Accepted, await reconciler.PushWebhookAsync());
            await StatusWhenAsync(cluster, s => s.LastAppliedCommit == changed);
            var churnJobAfter = Assert.Single(OfKind(cluster, "Job", "churn"))["metadata"]!["name"]!.GetValue<string>();
            Assert.NotEqual(churnJobBefore, churnJobAfter);

            // When a model is removed → pruned
            var removed = repo.Commit("drop churn", new Dictionary<string, string?> { ["models/churn/model.yaml"] = null });
            Assert.Equal(HttpStatusCode.Accepted, await reconciler.PushWebhookAsync());
            await StatusWhenAsync(cluster, s => s.LastAppliedCommit == removed);
            Assert.Equal(["fraud"], ModelsIn(cluster));

            // When an invalid commit arrives → nothing changes and the status says Stalled
            var snapshot = Managed(cluster).Select(o => o.ToJsonString()).Order(StringComparer.Ordinal).ToList();
            var invalid = repo.Commit("typo", new Dictionary<string, string?>
            {
                ["models/fraud/model.yaml"] = SpecRepository.InvalidModel("fraud"),
                ["models/extra/model.yaml"] = SpecRepository.Model("extra"),
            });
            Assert.Equal(HttpStatusCode.Accepted, await reconciler.PushWebhookAsync());
            var stalled = await StatusWhenAsync(cluster, s => s.LastAttemptedCommit == invalid);
            Assert.Equal("Stalled", stalled.Outcome);
            Assert.Equal(removed, stalled.LastAppliedCommit);
            Assert.Contains("models/fraud/model.yaml:", stalled.DiagnosticsSummary);
            Assert.Equal(snapshot, Managed(cluster).Select(o => o.ToJsonString()).Order(StringComparer.Ordinal).ToList());

            // When the fix is pushed → applied
            var fix = repo.Commit("fix typo", new Dictionary<string, string?> { ["models/fraud/model.yaml"] = SpecRepository.Model("fraud") });
            Assert.Equal(HttpStatusCode.Accepted, await reconciler.PushWebhookAsync());
            var applied = await StatusWhenAsync(cluster, s => s.LastAppliedCommit == fix);
            Assert.Equal("Applied", applied.Outcome);
            Assert.Equal(["extra", "fraud"], ModelsIn(cluster));
        }

        [Fact]
        public async Task Should_Detect_And_Heal_An_Object_Edited_By_Hand()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            using var repo = FakeGitRepo.Create();
            var commit = repo.Commit("one model", Files(true, ("fraud", 100)));
            await using var reconciler = await RunningReconciler.StartAsync(cluster.Connection, repo.Path, "replica-a");
            await StatusWhenAsync(cluster, s => s.LastAppliedCommit == commit);
            var job = Assert.Single(OfKind(cluster, "Job", "fraud"));
            var before = job["spec"]!["backoffLimit"]!.GetValue<int>();

            // When
            cluster.Server.EditByHand(KeyOf(job), new JsonObject { ["spec"] = new JsonObject { ["backoffLimit"] = before + 5 } });

            // Then
            await Eventually.TrueAsync(() => OfKind(cluster, "Job", "fraud").Single()["spec"]!["backoffLimit"]!.GetValue<int>() == before,
                TimeSpan.FromSeconds(60));
            await Eventually.TrueAsync(() => reconciler.App.Metrics.ExportAsync(CancellationToken.None).GetAwaiter().GetResult()
                .Contains("gitops_drift_detected_total{environment=\"prod\"} 1", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_Heal_A_Deployment_Scaled_By_Hand_Long_Before_The_Interval_When_The_Watch_Sees_It()
        {
            // Given a served model, and a reconciler that polls once an hour but watches its objects
            await using var cluster = await FakeCluster.StartAsync();
            using var repo = FakeGitRepo.Create();
            var commit = repo.Commit("one model", Files(true, ("fraud", 100)));
            await using var reconciler = await StartHourlyWatchingAsync(cluster, repo);
            await StatusWhenAsync(cluster, s => s.LastAppliedCommit == commit);
            cluster.Server.SetStatus(KeyOf(Assert.Single(OfKind(cluster, "Job", "fraud"))), new JsonObject { ["succeeded"] = 1 });
            Assert.Equal(HttpStatusCode.Accepted, await reconciler.PushWebhookAsync());
            await Eventually.TrueAsync(() => OfKind(cluster, "Deployment", "fraud").Count == 1, TimeSpan.FromSeconds(60));
            var deployment = OfKind(cluster, "Deployment", "fraud").Single();
            var name = deployment["metadata"]!["name"]!.GetValue<string>();
            var replicas = deployment["spec"]!["replicas"]!.GetValue<int>();
            await Eventually.TrueAsync(() => reconciler.App.Loop.Watchdog.BusyFor is null);
            // An edit made before the watch has listed its kind is not an event for it (the interval pass finds it).
            await Eventually.TrueAsync(() => reconciler.Driver.ReadsFromWatch("prod", SpecRepository.Namespace));
            var before = reconciler.App.Drift!.DetectedCount;

            // When someone scales it through the API server, as kubectl scale would
            var path = KubernetesPaths.Item("apps/v1", "deployments", SpecRepository.Namespace, name) + "?fieldManager=kubectl-scale";
            var edit = await cluster.Connection.SendAsync(HttpMethod.Patch, path,
                new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas + 3 } }, "application/merge-patch+json", CancellationToken.None);
            Assert.True(edit.IsSuccess);

            // Then the watch notices it and a pass restores the count, without waiting for the hourly pass
            await Eventually.TrueAsync(() => reconciler.App.Drift!.DetectedCount > before, TimeSpan.FromSeconds(60));
            await Eventually.TrueAsync(() => OfKind(cluster, "Deployment", "fraud").Single()["spec"]!["replicas"]!.GetValue<int>() == replicas,
                TimeSpan.FromSeconds(60));
            var lines = reconciler.Logs.Lines.ToList();
            var seen = lines.FindIndex(l => l.Contains($"prod: Deployment/{SpecRepository.Namespace}/{name} changed outside GitOps", StringComparison.Ordinal));
            Assert.True(seen >= 0, "the watch did not log the edit");
            // The pass it asked for; its reason is the first change of the burst, which may be the training Job's end.
            Assert.Contains(lines.Skip(seen), l => l.Contains("Pass triggered by ", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_Serve_A_Model_Within_Seconds_Of_Its_Training_Job_Finishing_When_The_Watch_Sees_It()
        {
            // Given a reconciler that polls once an hour, watches its objects, and has started a training Job
            await using var cluster = await FakeCluster.StartAsync();
            using var repo = FakeGitRepo.Create();
            var commit = repo.Commit("one model", Files(true, ("fraud", 100)));
            await using var reconciler = await StartHourlyWatchingAsync(cluster, repo);
            var job = await TrainingJobOnceWatchedAsync(cluster, reconciler, commit);
            var drift = reconciler.App.Drift!.DetectedCount;

            // When the Job succeeds, with no push and no webhook
            cluster.Server.SetStatus(KeyOf(job), JobComplete());

            // Then a pass follows at once and rolls the model out, and the Job's end is not counted as drift
            await Eventually.TrueAsync(() => OfKind(cluster, "Deployment", "fraud").Count == 1, TimeSpan.FromSeconds(60));
            Assert.Contains(reconciler.Logs.Lines, l => l.Contains($"Pass triggered by {KeyOf(job)} finished: Complete", StringComparison.Ordinal));
            Assert.Equal(drift, reconciler.App.Drift!.DetectedCount);
        }

        [Fact]
        public async Task Should_Pass_Again_When_A_Served_Deployment_Becomes_Available_Without_Calling_It_Drift()
        {
            // Given a reconciler that polls once an hour, watches its objects, and has rolled a trained model out
            await using var cluster = await FakeCluster.StartAsync();
            using var repo = FakeGitRepo.Create();
            var commit = repo.Commit("one model", Files(true, ("fraud", 100)));
            await using var reconciler = await StartHourlyWatchingAsync(cluster, repo);
            var job = await TrainingJobOnceWatchedAsync(cluster, reconciler, commit);
            cluster.Server.SetStatus(KeyOf(job), JobComplete());
            await Eventually.TrueAsync(() => OfKind(cluster, "Deployment", "fraud").Count == 1, TimeSpan.FromSeconds(60));
            await Eventually.TrueAsync(() => reconciler.App.Loop.Watchdog.BusyFor is null);
            var deployment = OfKind(cluster, "Deployment", "fraud").Single();
            var replicas = deployment["spec"]!["replicas"]!.GetValue<int>();
            var drift = reconciler.App.Drift!.DetectedCount;

            // When its controller reports every replica updated and available
            cluster.Server.SetStatus(KeyOf(deployment), new JsonObject
            {
                ["observedGeneration"] = deployment["metadata"]!["generation"]!.GetValue<long>(),
                ["replicas"] = replicas,
                ["updatedReplicas"] = replicas,
                ["readyReplicas"] = replicas,
                ["availableReplicas"] = replicas,
            });

            // Then a pass follows, with no push and no webhook, and it is not counted as drift
            var triggered = $"Pass triggered by {KeyOf(deployment)} Available: {replicas} of {replicas} replicas available";
            await Eventually.TrueAsync(() => reconciler.Logs.Lines.Any(l => l.Contains(triggered, StringComparison.Ordinal)), TimeSpan.FromSeconds(60));
            Assert.Equal(drift, reconciler.App.Drift!.DetectedCount);
        }

        [Fact]
        public async Task Should_Recreate_A_Job_Deleted_By_Hand_Long_Before_The_Interval_When_The_Watch_Sees_It()
        {
            // Given a reconciler that polls once an hour, watches its objects and reads them from that watch
            await using var cluster = await FakeCluster.StartAsync();
            using var repo = FakeGitRepo.Create();
            var commit = repo.Commit("one model", Files(true, ("fraud", 100)));
            await using var reconciler = await StartHourlyWatchingAsync(cluster, repo);
            var job = await TrainingJobOnceWatchedAsync(cluster, reconciler, commit);
            var before = reconciler.App.Drift!.DetectedCount;

            // When someone deletes the training Job
            cluster.Server.DeleteObject(KeyOf(job));

            // Then the watch notices it and a pass creates it again, without waiting for the hourly pass
            await Eventually.TrueAsync(() => reconciler.App.Drift!.DetectedCount > before, TimeSpan.FromSeconds(60));
            await Eventually.TrueAsync(() => OfKind(cluster, "Job", "fraud").Count == 1, TimeSpan.FromSeconds(60));
            Assert.Contains(reconciler.Logs.Lines, l => l.Contains($"prod: {KeyOf(job)} deleted outside GitOps", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_Hand_The_Lease_To_A_Standby_When_Its_Pass_Hangs_On_A_Git_Remote_That_Never_Answers()
        {
            // Given a leader whose fetch waits on a silent remote far longer than a pass may take
            await using var cluster = await FakeCluster.StartAsync();
            using var remote = new SilentGitRemote();
            await using var a = await RunningReconciler.StartAsync(cluster.Connection, remote.Url, "replica-a",
                gitTimeout: TimeSpan.FromMinutes(10), passTimeout: TimeSpan.FromSeconds(1));
            await Eventually.TrueAsync(() => a.IsLeader && remote.Accepted >= 1, TimeSpan.FromSeconds(60));
            var b = new LeaseLeaderElector(cluster.Connection,
                new LeaderElectionOptions { Namespace = ReconcilerRig.StatusNamespace, Identity = "replica-b" }, TimeProvider.System);

            // When the pass outlives its bound, a standby campaigns
            await Eventually.TrueAsync(() => b.TryAcquireOrRenewAsync(CancellationToken.None).GetAwaiter().GetResult(), TimeSpan.FromSeconds(60));

            // Then the stuck leader gave the Lease up and says why, in one line
            Assert.Equal("replica-b", cluster.Server.GetObject("coordination.k8s.io/v1", "Lease", ReconcilerRig.StatusNamespace, "gitops-reconciler")
                ?["spec"]?["holderIdentity"]?.GetValue<string>());
            Assert.False(a.IsLeader);
            Assert.Contains(a.Logs.Lines, l => l.Contains("Pass stuck for", StringComparison.Ordinal) && l.Contains("giving up the Lease", StringComparison.Ordinal));
            Assert.DoesNotContain(a.Logs.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_Let_Only_One_Of_Two_Replicas_Apply()
        {
            // Given two replicas on the same cluster
            await using var cluster = await FakeCluster.StartAsync();
            using var repo = FakeGitRepo.Create();
            var first = repo.Commit("one model", Files(true, ("fraud", 100)));
            await using var a = await RunningReconciler.StartAsync(cluster.Connection, repo.Path, "replica-a");
            await using var b = await RunningReconciler.StartAsync(cluster.Connection, repo.Path, "replica-b");

            // When
            await StatusWhenAsync(cluster, s => s.LastAppliedCommit == first);
            await Eventually.TrueAsync(() => a.IsLeader || b.IsLeader);

            // Then exactly one leads, and only the leader ever ran a pass
            var (leader, standby) = a.IsLeader ? (a, b) : (b, a);
            Assert.False(standby.IsLeader);
            Assert.Equal(0, standby.App.Loop.PassCount);
            Assert.True(leader.App.Loop.PassCount > 0);

            // When the leader goes away, the standby takes over and applies the next commit
            await leader.StopAsync();
            var second = repo.Commit("another model", new Dictionary<string, string?> { ["models/churn/model.yaml"] = SpecRepository.Model("churn") });
            await StatusWhenAsync(cluster, s => s.LastAppliedCommit == second);
            Assert.True(standby.IsLeader);
            Assert.Equal(["churn", "fraud"], ModelsIn(cluster));
        }

        [Fact]
        public async Task Should_Fetch_On_The_Leader_When_The_Push_Webhook_Reaches_The_Standby()
        {
            // Given two replicas that poll once an hour and relay pushes, the first of them leading
            await using var cluster = await FakeCluster.StartAsync();
            using var repo = FakeGitRepo.Create();
            var first = repo.Commit("one model", Files(true, ("fraud", 100)));
            await using var leader = await RunningReconciler.StartAsync(cluster.Connection, repo.Path, "replica-a",
                interval: TimeSpan.FromHours(1), relayPushes: true);
            await StatusWhenAsync(cluster, s => s.LastAppliedCommit == first);
            Assert.True(leader.IsLeader);
            await using var standby = await RunningReconciler.StartAsync(cluster.Connection, repo.Path, "replica-b",
                interval: TimeSpan.FromHours(1), relayPushes: true);
            // Each replica's relay watches from where its listing stopped: a push after that is an event for it.
            await Eventually.TrueAsync(() => cluster.Server.RequestCount("watch") >= 2);

            // When a commit is pushed and GitHub's delivery reaches the standby (the Service picked its pod)
            var second = repo.Commit("another model", new Dictionary<string, string?> { ["models/churn/model.yaml"] = SpecRepository.Model("churn") });
            Assert.Equal(HttpStatusCode.Accepted, await standby.PushWebhookAsync());

            // Then the leader fetches and applies it at once, the standby still applies nothing
            await StatusWhenAsync(cluster, s => s.LastAppliedCommit == second);
            Assert.Equal(["churn", "fraud"], ModelsIn(cluster));
            Assert.Equal(1, leader.App.Relayed!.RelayedCount);
            Assert.Contains("gitops_webhook_pushes_total{source=\"relayed\"} 1", await leader.App.Metrics.ExportAsync(CancellationToken.None), StringComparison.Ordinal);
            Assert.Contains("gitops_webhook_pushes_total{source=\"received\"} 1", await standby.App.Metrics.ExportAsync(CancellationToken.None), StringComparison.Ordinal);
            Assert.Contains(leader.Logs.Lines, l => l.Contains("received by another replica: fetching now", StringComparison.Ordinal));
            Assert.Equal(0, standby.App.Loop.PassCount);
        }

        [Fact]
        public async Task Should_Converge_Without_Duplicates_When_The_Leader_Is_Killed_Mid_Apply()
        {
            // Given a first replica applying twelve models slowly, one object at a time
            await using var cluster = await FakeCluster.StartAsync();
            using var repo = FakeGitRepo.Create();
            var names = Enumerable.Range(1, 12).Select(i => ($"model-{i:00}", 100)).ToArray();
            var commit = repo.Commit("twelve models", Files(true, names));
            cluster.Server.DelayNext(1000, TimeSpan.FromMilliseconds(100), verb: "apply");
            var a = await RunningReconciler.StartAsync(cluster.Connection, repo.Path, "replica-a", applyParallelism: 1);

            // When it is killed after some objects were applied and before the pass finished
            await Eventually.TrueAsync(() => Managed(cluster).Count >= 3, TimeSpan.FromSeconds(60));
            await a.DisposeAsync();
            var partial = Managed(cluster).Count;
            Assert.InRange(partial, 3, 23);
            var store = new ConfigMapStatusStore(cluster.Connection, ReconcilerRig.StatusNamespace);
            Assert.NotEqual(commit, (await store.ReadAsync("prod", CancellationToken.None))?.LastAppliedCommit);

            // Then the next replica converges, with exactly one object per desired name
            await using var b = await RunningReconciler.StartAsync(cluster.Connection, repo.Path, "replica-b");
            await StatusWhenAsync(cluster, s => s.LastAppliedCommit == commit);
            var objects = Managed(cluster);
            Assert.Equal(24, objects.Count);
            Assert.Equal(24, objects.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}").Distinct().Count());
            Assert.All(names, n => Assert.Single(OfKind(cluster, "Job", n.Item1)));
        }
    }
}
