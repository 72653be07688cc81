using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Experiments;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Loop;
using GitOps.Testing.FakeKubernetes;
using GitOps.Testing.Time;

namespace GitOps.Reconciler.Tests.Drivers.Kubernetes;

public sealed class KubernetesClusterDriverTests
{
    private static readonly ResourceKey WebDeployment = new("apps/v1", "Deployment", "ml", "web");
    private static readonly KubernetesDriverOptions TwoKinds = new() { Kinds = [ManagedKinds.ConfigMap, ManagedKinds.Deployment] };

    private static async Task<DriftWatching> WatchDriftAsync(FakeCluster cluster, KubernetesDriverOptions options)
    {
        var driver = cluster.Driver(options);
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var drift = driver.WatchDriftAsync("prod", "ml", stop.Token).GetAsyncEnumerator(stop.Token);
        var first = drift.MoveNextAsync();
        await Eventually.TrueAsync(() => driver.ReadsFromWatch("prod", "ml"));
        return new DriftWatching(driver, drift, first, stop);
    }

    /// <summary>A running drift watch of one driver, as the reconciler's <c>DriftWatch</c> keeps one.</summary>
    private sealed class DriftWatching(KubernetesClusterDriver driver, IAsyncEnumerator<ManagedChange> drift, ValueTask<bool> next,
        CancellationTokenSource stop) : IAsyncDisposable
    {
        private ValueTask<bool> _next = next;

        public KubernetesClusterDriver Driver => driver;

        public async Task<ManagedChange> NextAsync()
        {
            Assert.True(await _next, "the watch ended unexpectedly");
            var change = drift.Current;
            _next = drift.MoveNextAsync();
            return change;
        }

        /// <summary>The next change, which must be drift, as its description.</summary>
        public async Task<string> NextDriftAsync() => await NextAsync() is { IsDrift: true } change ? change.Description : "not drift";

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            try
            {
                await _next;
            }
            catch (OperationCanceledException)
            {
                // The watch ends by cancellation.
            }
            await drift.DisposeAsync();
            stop.Dispose();
        }
    }

    public sealed class TheReadManagedAsyncMethod
    {
        [Fact]
        public async Task Should_Return_Only_Objects_Managed_For_The_Environment_Across_Kinds()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Seed(FakeCluster.ConfigMap("prod-config"));
            cluster.Server.Seed(FakeCluster.ConfigMap("staging-config", environment: "staging"));
            cluster.Server.Seed(FakeCluster.Managed("apps/v1", "Deployment", "web"));
            cluster.Server.Seed(FakeCluster.Managed("gateway.networking.k8s.io/v1", "HTTPRoute", "route", spec: new JsonObject { ["hostnames"] = new JsonArray("a.example") }));
            var unmanaged = FakeCluster.ConfigMap("hand-made");
            unmanaged["metadata"]!["labels"] = new JsonObject { ["app"] = "x" };
            cluster.Server.Seed(unmanaged);

            // When
            var objects = await cluster.Driver().ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then
            Assert.Equal(["ConfigMap/ml/prod-config", "Deployment/ml/web", "HTTPRoute/ml/route"],
                objects.Select(o => $"{o["kind"]}/{o["metadata"]!["namespace"]}/{o["metadata"]!["name"]}"));
            Assert.All(objects, o => Assert.NotNull(o["apiVersion"]));
            Assert.Equal(ManagedKinds.All.Length, cluster.Server.RequestCount("list"));
        }

        [Fact]
        public async Task Should_Leave_Out_Field_Ownership_And_Keep_Identity_When_Listing_Applied_Objects()
        {
            // Given an object applied by GitOps: the server records its field manager
            await using var cluster = await FakeCluster.StartAsync();
            await cluster.Driver().ApplyAsync(FakeCluster.Managed("apps/v1", "Deployment", "web"), dryRun: false, CancellationToken.None);
            Assert.NotNull(cluster.Server.GetObject(WebDeployment)!["metadata"]!["managedFields"]);

            // When
            var listed = Assert.Single(await cluster.Driver().ReadManagedAsync("prod", "ml", CancellationToken.None));

            // Then the list carries what planning reads, without the ownership record
            var metadata = listed["metadata"]!.AsObject();
            Assert.False(metadata.ContainsKey("managedFields"));
            Assert.Equal(cluster.Server.GetObject(WebDeployment)!["metadata"]!["resourceVersion"]!.GetValue<string>(), metadata["resourceVersion"]!.GetValue<string>());
            Assert.Equal(["apiVersion", "kind"], listed.Select(p => p.Key).Take(2));
            Assert.Equal(1, listed["spec"]!["replicas"]!.GetValue<int>());
        }

        [Fact]
        public async Task Should_List_Each_Object_As_A_Get_Reads_It_Without_Field_Ownership_Whatever_Its_Text()
        {
            // Given objects with escapes, non-ASCII text, numbers of every form, nesting, nulls and field ownership,
            // applied (so the server records managers) and read in pages of two
            await using var cluster = await FakeCluster.StartAsync();
            var driver = cluster.Driver(new KubernetesDriverOptions { ListPageSize = 2 });
            string[] names = ["a", "b", "c"];
            foreach (var name in names)
            {
                var spec = JsonNode.Parse($$"""
                    {"replicas": 3, "text": "quote \" slash \\ tab \t ünïcødé 😀 <tag> &amp;", "big": 12345678901234,
                     "ratio": -1.5e-3, "flag": true, "none": null, "list": [1, "two", {"three": [null, false, 7]}], "empty": {}, "name": "{{name}}", "last": 42}
                    """)!.AsObject();
                var deployment = FakeCluster.Managed("apps/v1", "Deployment", name, spec: spec);
                deployment["metadata"]!["annotations"] = new JsonObject { ["note"] = "línea\nnext" };
                await driver.ApplyAsync(deployment, dryRun: false, CancellationToken.None);
            }

            // When
            var listed = await driver.ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then each listed object is the object a get returns, without its ownership record, apiVersion and kind first
            Assert.Equal(names, listed.Select(o => o["metadata"]!["name"]!.GetValue<string>()));
            foreach (var o in listed)
            {
                var got = await driver.GetAsync(ObjectKeys.Of(o), CancellationToken.None);
                Assert.NotNull(got!["metadata"]!["managedFields"]);
                got["metadata"]!.AsObject().Remove("managedFields");
                Assert.True(JsonNode.DeepEquals(got, o), $"{got.ToJsonString()}\n{o.ToJsonString()}");
                Assert.Equal(got.ToJsonString(), o.ToJsonString());
            }
            // ... and what is read of each on the way is what its tree says
            var compact = Assert.IsType<ObservedObjects>(listed);
            Assert.All(compact.Items, c =>
            {
                var tree = c.Tree();
                Assert.Equal(ObjectKeys.Of(tree), c.Key);
                Assert.Equal((ObjectKeys.Label(tree, ManagedLabels.ManagedBy), ObjectKeys.Label(tree, ManagedLabels.Environment),
                    ObjectKeys.Label(tree, ManagedLabels.Model)), (c.ManagedBy, c.Environment, c.Model));
                Assert.Equal((tree["metadata"]!["uid"]!.GetValue<string>(), tree["metadata"]!["resourceVersion"]!.GetValue<string>()),
                    (c.Uid, c.ResourceVersion));
            });
        }

        [Fact]
        public async Task Should_Read_A_Kind_In_Pages_Of_The_Configured_Size()
        {
            // Given five managed ConfigMaps and pages of two
            await using var cluster = await FakeCluster.StartAsync();
            foreach (var name in new[] { "c1", "c2", "c3", "c4", "c5" })
            {
                cluster.Server.Seed(FakeCluster.ConfigMap(name));
            }
            cluster.Server.Seed(FakeCluster.ConfigMap("staging-config", environment: "staging"));

            // When
            var objects = await cluster.Driver(new KubernetesDriverOptions { ListPageSize = 2 }).ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then every object once, the ConfigMaps read in three requests (2 + 2 + 1), every other kind in one
            Assert.Equal(["c1", "c2", "c3", "c4", "c5"], objects.Select(o => o["metadata"]!["name"]!.GetValue<string>()));
            Assert.Equal(ManagedKinds.All.Length + 2, cluster.Server.RequestCount("list"));
        }

        [Fact]
        public async Task Should_Read_The_List_Again_When_Its_Snapshot_Expires_Between_Pages()
        {
            // Given the snapshot of the first page is compacted away before the second is asked for
            await using var cluster = await FakeCluster.StartAsync();
            foreach (var name in new[] { "c1", "c2", "c3", "c4", "c5" })
            {
                cluster.Server.Seed(FakeCluster.ConfigMap(name));
            }
            cluster.Server.ExpireListSnapshotAfterNextPage();

            // When
            var objects = await cluster.Driver(new KubernetesDriverOptions { ListPageSize = 2 }).ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then the list is read from the start again: every object exactly once (the 410 and three pages more)
            Assert.Equal(["c1", "c2", "c3", "c4", "c5"], objects.Select(o => o["metadata"]!["name"]!.GetValue<string>()));
            Assert.Equal(ManagedKinds.All.Length + 4, cluster.Server.RequestCount("list"));
        }

        [Fact]
        public async Task Should_Treat_A_Kind_The_Cluster_Does_Not_Serve_As_Empty()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync(options: new FakeKubernetesApiServerOptions
            {
                ResourceTypes = [.. FakeResourceType.Defaults.Where(t => t.Kind is not ("VirtualService" or "HTTPRoute"))],
            });
            cluster.Server.Seed(FakeCluster.ConfigMap("prod-config"));

            // When
            var objects = await cluster.Driver().ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then
            Assert.Equal("prod-config", Assert.Single(objects)["metadata"]!["name"]!.GetValue<string>());
        }

        [Fact]
        public async Task Should_Send_The_Kubeconfig_Token_And_Report_A_Rejected_One_Without_Retrying()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var path = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}");
            cluster.Server.WriteKubeconfig(path, contextName: "wrong-user", token: "not-the-token");
            using var connection = KubernetesApiConnection.FromKubeconfig(path, "wrong-user", FakeCluster.FastRetry);
            File.Delete(path);

            // When
            var error = await Assert.ThrowsAsync<KubernetesApiException>(() =>
                new KubernetesClusterDriver(connection).ReadManagedAsync("prod", "ml", CancellationToken.None));

            // Then
            Assert.Equal((401, "Unauthorized"), (error.StatusCode, error.Reason));
            Assert.Equal(1, cluster.Server.RequestCount("list"));
            Assert.Empty(await cluster.Driver().ReadManagedAsync("prod", "ml", CancellationToken.None));
        }

        [Fact]
        public async Task Should_Retry_Transient_Failures_With_Backoff()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Seed(FakeCluster.ConfigMap("prod-config"));
            cluster.Server.FailNext(2, 503, verb: "list", pathContains: "configmaps");
            cluster.Server.FailNext(1, 429, verb: "list", pathContains: "deployments");

            // When
            var objects = await cluster.Driver().ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then
            Assert.Single(objects);
            Assert.Equal(ManagedKinds.All.Length + 3, cluster.Server.RequestCount("list"));
        }

        [Fact]
        public async Task Should_Keep_Retrying_A_Throttled_Apply_Beyond_The_Attempt_Budget()
        {
            // Given a server that answers 429 TooManyRequests to twice as many applies as the attempts allowed
            await using var cluster = await FakeCluster.StartAsync(FakeCluster.FastRetry with { MaxThrottleWait = TimeSpan.FromMilliseconds(5) });
            var throttled = FakeCluster.FastRetry.MaxAttempts * 2;
            cluster.Server.FailNext(throttled, 429, verb: "apply");

            // When
            var applied = await cluster.Driver().ApplyAsync(FakeCluster.ConfigMap("prod-config"), dryRun: false, CancellationToken.None);

            // Then throttling is waited out, not counted as failed attempts
            Assert.Equal("prod-config", applied["metadata"]!["name"]!.GetValue<string>());
            Assert.Equal(throttled, cluster.Connection.ThrottledAnswers);
            Assert.Equal(throttled + 1, cluster.Server.RequestCount("apply"));
        }

        [Fact]
        public async Task Should_Give_Up_After_The_Retry_Budget_With_The_Servers_Reason()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.FailNext(50, 500, verb: "list");

            // When
            var error = await Assert.ThrowsAsync<KubernetesApiException>(() => cluster.Driver().ReadManagedAsync("prod", "ml", CancellationToken.None));

            // Then
            Assert.Equal(500, error.StatusCode);
            Assert.Equal("InternalError", error.Reason);
            Assert.Equal(FakeCluster.FastRetry.MaxAttempts, cluster.Server.RequestCount("list"));
        }

        [Fact]
        public async Task Should_Retry_A_Request_That_Timed_Out()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync(FakeCluster.FastRetry with { RequestTimeout = TimeSpan.FromMilliseconds(300) });
            cluster.Server.Seed(FakeCluster.ConfigMap("prod-config"));
            cluster.Server.DelayNext(1, TimeSpan.FromMinutes(5), verb: "list", pathContains: "configmaps");

            // When
            var objects = await cluster.Driver().ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then
            Assert.Single(objects);
        }

        [Fact]
        public async Task Should_Stop_Retrying_When_Cancelled_During_Backoff()
        {
            // Given
            var time = new ObservableTimeProvider();
            await using var cluster = await FakeCluster.StartAsync(RetryPolicy.Default, time);
            cluster.Server.FailNext(1, 503, verb: "list");
            using var cts = new CancellationTokenSource();
            var read = cluster.Driver().ReadManagedAsync("prod", "ml", cts.Token);
            await Eventually.TrueAsync(() => time.PendingTimerCount > 0);

            // When
            await cts.CancelAsync();

            // Then
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
            Assert.Equal(1, cluster.Server.RequestCount("list"));
        }
    }

    /// <summary>While <see cref="KubernetesClusterDriver.WatchManagedAsync"/> runs (the reconciler's drift watch), reads
    /// come from what the watch saw instead of a list, and must still show every change.</summary>
    public sealed class TheReadManagedAsyncMethodWhileWatching
    {
        [Fact]
        public async Task Should_Read_What_The_Watch_Saw_Without_Listing_Again()
        {
            // Given a driver watching the environment
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Seed(FakeCluster.ConfigMap("prod-config"));
            cluster.Server.Seed(FakeCluster.Managed("apps/v1", "Deployment", "web"));
            await using var watch = await WatchDriftAsync(cluster, TwoKinds);
            var listed = cluster.Server.RequestCount("list");

            // When
            var objects = await watch.Driver.ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then the same objects a list gives, in the same order, and no list request
            Assert.Equal(Describe(await cluster.Driver(TwoKinds).ReadManagedAsync("prod", "ml", CancellationToken.None)), Describe(objects));
            Assert.Equal(listed + TwoKinds.Kinds.Count, cluster.Server.RequestCount("list"));
        }

        [Fact]
        public async Task Should_Read_A_Change_Made_By_Hand_Once_The_Watch_Reports_It()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Seed(FakeCluster.Managed("apps/v1", "Deployment", "web"));
            await using var watch = await WatchDriftAsync(cluster, TwoKinds);
            var listed = cluster.Server.RequestCount("list");

            // When someone scales the Deployment
            var edited = cluster.Server.EditByHand(WebDeployment, new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 3 } });
            Assert.Equal($"{WebDeployment} changed outside GitOps", await watch.NextDriftAsync());
            var read = Assert.Single(await watch.Driver.ReadManagedAsync("prod", "ml", CancellationToken.None));

            // Then the read shows the edited version, still without a list
            Assert.Equal(3, read["spec"]!["replicas"]!.GetValue<int>());
            Assert.Equal(ResourceVersion(edited), ResourceVersion(read));
            Assert.Equal(listed, cluster.Server.RequestCount("list"));
        }

        [Fact]
        public async Task Should_Leave_Out_An_Object_Deleted_By_Hand_Once_The_Watch_Reports_It()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Seed(FakeCluster.ConfigMap("prod-config"));
            cluster.Server.Seed(FakeCluster.Managed("apps/v1", "Deployment", "web"));
            await using var watch = await WatchDriftAsync(cluster, TwoKinds);

            // When
            cluster.Server.DeleteObject(WebDeployment);
            Assert.Equal($"{WebDeployment} deleted outside GitOps", await watch.NextDriftAsync());
            var objects = await watch.Driver.ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then
            Assert.Equal(["ConfigMap/prod-config"], Describe(objects));
        }

        [Fact]
        public async Task Should_Read_Its_Own_Apply_And_Delete_At_Once()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Seed(FakeCluster.Managed("apps/v1", "Deployment", "web"));
            await using var watch = await WatchDriftAsync(cluster, TwoKinds);

            // When the driver writes and reads again at once, before its watch may have shown the writes
            var applied = await watch.Driver.ApplyAsync(FakeCluster.ConfigMap("prod-config"), dryRun: false, CancellationToken.None);
            await watch.Driver.DeleteAsync(WebDeployment, CancellationToken.None);
            var objects = await watch.Driver.ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then the read shows both writes, in the versions written
            Assert.Equal(["ConfigMap/prod-config"], Describe(objects));
            Assert.Equal(ResourceVersion(applied), ResourceVersion(objects[0]));
        }

        [Fact]
        public async Task Should_Read_From_The_Watch_Again_Once_It_Showed_The_Drivers_Writes()
        {
            // Given a write of the driver that its watch has not shown yet
            await using var cluster = await FakeCluster.StartAsync();
            await using var watch = await WatchDriftAsync(cluster, TwoKinds);
            await watch.Driver.ApplyAsync(FakeCluster.ConfigMap("prod-config"), dryRun: false, CancellationToken.None);

            // When
            await Eventually.TrueAsync(() => watch.Driver.ReadsFromWatch("prod", "ml"));
            var listed = cluster.Server.RequestCount("list");
            var objects = await watch.Driver.ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then
            Assert.Equal(["ConfigMap/prod-config"], Describe(objects));
            Assert.Equal(listed, cluster.Server.RequestCount("list"));
        }

        [Fact]
        public async Task Should_List_Again_Once_The_Watch_Stops()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var watch = await WatchDriftAsync(cluster, TwoKinds);
            var driver = watch.Driver;
            await watch.DisposeAsync();
            cluster.Server.Seed(FakeCluster.ConfigMap("prod-config"));
            var listed = cluster.Server.RequestCount("list");

            // When
            var objects = await driver.ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then
            Assert.False(driver.ReadsFromWatch("prod", "ml"));
            Assert.Equal(["ConfigMap/prod-config"], Describe(objects));
            Assert.Equal(listed + TwoKinds.Kinds.Count, cluster.Server.RequestCount("list"));
        }

        [Fact]
        public async Task Should_List_While_A_Kinds_Watch_Is_Disconnected()
        {
            // Given a watch whose reconnection waits for the clock
            var time = new ObservableTimeProvider();
            await using var cluster = await FakeCluster.StartAsync(RetryPolicy.Default, time);
            await using var watch = await WatchDriftAsync(cluster, TwoKinds);
            await Eventually.TrueAsync(() => cluster.Server.RequestCount("watch") == TwoKinds.Kinds.Count);
            cluster.Server.FailNext(1, 503, verb: "watch");

            // When the watches drop, and an object is created while one cannot reconnect
            cluster.Server.CloseWatches();
            await Eventually.TrueAsync(() => time.PendingTimerCount > 0);
            cluster.Server.Seed(FakeCluster.ConfigMap("created-while-disconnected"));
            var objects = await watch.Driver.ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then the read lists, and so sees it
            Assert.False(watch.Driver.ReadsFromWatch("prod", "ml"));
            Assert.Equal(["ConfigMap/created-while-disconnected"], Describe(objects));
        }

        private static IReadOnlyList<string> Describe(IReadOnlyList<JsonObject> objects) =>
            [.. objects.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}")];

        private static string? ResourceVersion(JsonObject obj) => obj["metadata"]?["resourceVersion"]?.GetValue<string>();
    }

    public sealed class TheWatchDriftAsyncMethod
    {
        private static readonly KubernetesDriverOptions JobsAndConfigMaps = new() { Kinds = [ManagedKinds.Job, ManagedKinds.ConfigMap] };
        private static readonly ResourceKey TrainJob = new("batch/v1", "Job", "ml", "fraud-train");
        private static readonly ResourceKey Config = new("v1", "ConfigMap", "ml", "prod-config");

        [Theory]
        [InlineData("Complete", "Complete")]
        [InlineData("Failed", "Failed")]
        public async Task Should_Report_A_Job_Once_When_It_Finishes_Without_Calling_It_Drift(string condition, string expected)
        {
            // Given a running training Job under watch
            await using var cluster = await SeededAsync(new JsonObject { ["active"] = 1 });
            await using var watch = await WatchDriftAsync(cluster, JobsAndConfigMaps);

            // When it finishes, its status is written again, and then someone edits a ConfigMap
            cluster.Server.SetStatus(TrainJob, Ended(condition));
            var first = await watch.NextAsync();
            cluster.Server.SetStatus(TrainJob, Ended(condition, completionTime: "2026-12-03T10:00:00Z"));
            cluster.Server.EditByHand(Config, new JsonObject { ["data"] = new JsonObject { ["key"] = "edited" } });
            var second = await watch.NextAsync();

            // Then the end is told once, as what it is, and the edit after it as drift
            Assert.Equal(ManagedChange.Finished($"{TrainJob} finished: {expected}"), first);
            Assert.Equal(ManagedChange.Drift($"{Config} changed outside GitOps"), second);
        }

        [Fact]
        public async Task Should_Not_Report_A_Job_That_Had_Finished_Before_The_Watch_Listed_It()
        {
            // Given a Job that had already succeeded when the watch listed it
            await using var cluster = await SeededAsync(new JsonObject { ["succeeded"] = 1 });
            await using var watch = await WatchDriftAsync(cluster, JobsAndConfigMaps);

            // When its status is written again, then someone edits a ConfigMap
            cluster.Server.SetStatus(TrainJob, Ended("Complete"));
            cluster.Server.EditByHand(Config, new JsonObject { ["data"] = new JsonObject { ["key"] = "edited" } });

            // Then only the edit is told
            Assert.Equal(ManagedChange.Drift($"{Config} changed outside GitOps"), await watch.NextAsync());
        }

        [Fact]
        public async Task Should_Not_Report_A_Job_Whose_Pods_Only_Start()
        {
            // Given a Job not started yet
            await using var cluster = await SeededAsync(new JsonObject());
            await using var watch = await WatchDriftAsync(cluster, JobsAndConfigMaps);

            // When its pod starts, then someone edits a ConfigMap
            cluster.Server.SetStatus(TrainJob, new JsonObject { ["active"] = 1 });
            cluster.Server.EditByHand(Config, new JsonObject { ["data"] = new JsonObject { ["key"] = "edited" } });

            // Then only the edit is told
            Assert.Equal(ManagedChange.Drift($"{Config} changed outside GitOps"), await watch.NextAsync());
        }

        [Fact]
        public async Task Should_Not_Take_Its_Own_Apply_For_Drift_When_The_Watch_Shows_It_Before_The_Answer()
        {
            // Given a server that shows the next apply to watches half a second before answering it
            await using var cluster = await SeededAsync(new JsonObject { ["active"] = 1 });
            await using var watch = await WatchDriftAsync(cluster, JobsAndConfigMaps);
            cluster.Server.AnswerLateNext(1, TimeSpan.FromMilliseconds(500), verb: "apply");

            // When the driver applies a new ConfigMap, then someone edits another by hand
            await watch.Driver.ApplyAsync(FakeCluster.ConfigMap("applied"), dryRun: false, CancellationToken.None);
            cluster.Server.EditByHand(Config, new JsonObject { ["data"] = new JsonObject { ["key"] = "edited" } });

            // Then only the edit is told
            Assert.Equal(ManagedChange.Drift($"{Config} changed outside GitOps"), await watch.NextAsync());
        }

        [Fact]
        public async Task Should_Report_A_Deployment_Once_When_Its_Pods_Become_Available_Without_Calling_It_Drift()
        {
            // Given a canary Deployment under watch whose pod is not ready yet
            await using var cluster = await DeploymentSeededAsync(Rolling(updated: 1, available: 0));
            await using var watch = await WatchDriftAsync(cluster, DeploymentsAndConfigMaps);

            // When its pod becomes ready, its status is written again, and then someone edits a ConfigMap
            cluster.Server.SetStatus(Canary, Rolling(updated: 1, available: 1));
            var first = await watch.NextAsync();
            var again = Rolling(updated: 1, available: 1);
            again["conditions"] = new JsonArray(new JsonObject { ["type"] = "Available", ["status"] = "True" });
            cluster.Server.SetStatus(Canary, again);
            cluster.Server.EditByHand(Config, new JsonObject { ["data"] = new JsonObject { ["key"] = "edited" } });
            var second = await watch.NextAsync();

            // Then the turn is told once, as what it is, and the edit after it as drift
            Assert.Equal(ManagedChange.Health($"{Canary} Available: 1 of 1 replicas available"), first);
            Assert.Equal(ManagedChange.Drift($"{Config} changed outside GitOps"), second);
        }

        [Fact]
        public async Task Should_Report_A_Deployment_That_Turns_Degraded()
        {
            // Given an available Deployment under watch
            await using var cluster = await DeploymentSeededAsync(Rolling(updated: 1, available: 1));
            await using var watch = await WatchDriftAsync(cluster, DeploymentsAndConfigMaps);

            // When its rollout passes the progress deadline
            var degraded = Rolling(updated: 0, available: 1);
            degraded["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Progressing",
                ["status"] = "False",
                ["reason"] = "ProgressDeadlineExceeded",
                ["message"] = "ReplicaSet \"fraud-canary-7d4\" has timed out progressing.",
            });
            cluster.Server.SetStatus(Canary, degraded);

            // Then
            Assert.Equal(ManagedChange.Health($"{Canary} Degraded: ReplicaSet \"fraud-canary-7d4\" has timed out progressing."),
                await watch.NextAsync());
        }

        [Fact]
        public async Task Should_Not_Report_A_Deployment_While_It_Rolls_Out_Or_One_Available_When_Listed()
        {
            // Given a Deployment that was available when the watch listed it
            await using var cluster = await DeploymentSeededAsync(Rolling(updated: 1, available: 1));
            await using var watch = await WatchDriftAsync(cluster, DeploymentsAndConfigMaps);

            // When a rollout starts (no pod updated yet, then one updated but not ready), then someone edits a ConfigMap
            cluster.Server.SetStatus(Canary, Rolling(updated: 0, available: 1));
            cluster.Server.SetStatus(Canary, Rolling(updated: 1, available: 0));
            cluster.Server.EditByHand(Config, new JsonObject { ["data"] = new JsonObject { ["key"] = "edited" } });

            // Then only the edit is told
            Assert.Equal(ManagedChange.Drift($"{Config} changed outside GitOps"), await watch.NextAsync());
        }

        private static readonly KubernetesDriverOptions DeploymentsAndConfigMaps = new() { Kinds = [ManagedKinds.Deployment, ManagedKinds.ConfigMap] };
        private static readonly ResourceKey Canary = new("apps/v1", "Deployment", "ml", "fraud-canary");

        /// <summary>A one-replica Deployment's status as its controller writes it, at the current generation.</summary>
        private static JsonObject Rolling(int updated, int available) => new()
        {
            ["observedGeneration"] = 1,
            ["replicas"] = 1,
            ["updatedReplicas"] = updated,
            ["readyReplicas"] = available,
            ["availableReplicas"] = available,
        };

        private static async Task<FakeCluster> DeploymentSeededAsync(JsonObject status)
        {
            var cluster = await FakeCluster.StartAsync();
            cluster.Server.Seed(FakeCluster.Managed("apps/v1", "Deployment", Canary.Name));
            cluster.Server.SetStatus(Canary, status);
            cluster.Server.Seed(FakeCluster.ConfigMap(Config.Name));
            return cluster;
        }

        private static JsonObject Ended(string condition, string? completionTime = null)
        {
            var status = new JsonObject
            {
                [condition == "Complete" ? "succeeded" : "failed"] = 1,
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = condition, ["status"] = "True" }),
            };
            if (completionTime is not null)
            {
                status["completionTime"] = completionTime;
            }
            return status;
        }

        private static async Task<FakeCluster> SeededAsync(JsonObject jobStatus)
        {
            var cluster = await FakeCluster.StartAsync();
            cluster.Server.Seed(FakeCluster.Managed("batch/v1", "Job", TrainJob.Name, spec: new JsonObject { ["backoffLimit"] = 0 }));
            cluster.Server.SetStatus(TrainJob, jobStatus);
            cluster.Server.Seed(FakeCluster.ConfigMap(Config.Name));
            return cluster;
        }
    }

    public sealed class TheGetAsyncMethod
    {
        [Fact]
        public async Task Should_Return_Null_When_The_Object_Does_Not_Exist()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();

            // When
            var obj = await cluster.Driver().GetAsync(WebDeployment, CancellationToken.None);

            // Then
            Assert.Null(obj);
        }

        [Fact]
        public async Task Should_Return_The_Object_With_Server_Fields()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Seed(FakeCluster.Managed("apps/v1", "Deployment", "web"));

            // When
            var obj = await cluster.Driver().GetAsync(WebDeployment, CancellationToken.None);

            // Then
            Assert.NotNull(obj);
            Assert.NotNull(obj["metadata"]!["uid"]);
            Assert.Equal("Deployment", obj["kind"]!.GetValue<string>());
        }
    }

    public sealed class TheApplyAsyncMethod
    {
        [Fact]
        public async Task Should_Create_The_Object_Owned_By_The_Gitops_Field_Manager()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();

            // When
            var applied = await cluster.Driver().ApplyAsync(FakeCluster.Managed("apps/v1", "Deployment", "web"), dryRun: false, CancellationToken.None);

            // Then
            Assert.Equal(1, applied["spec"]!["replicas"]!.GetValue<int>());
            var stored = cluster.Server.GetObject(WebDeployment)!;
            var manager = Assert.Single(stored["metadata"]!["managedFields"]!.AsArray());
            Assert.Equal("gitops", manager!["manager"]!.GetValue<string>());
            Assert.Equal("Apply", manager["operation"]!.GetValue<string>());
            Assert.Contains(cluster.Server.Requests, r => r.Verb == "apply" && r.Query.Contains("force=true"));
        }

        [Fact]
        public async Task Should_Change_Nothing_When_The_Same_Object_Is_Applied_Twice()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var driver = cluster.Driver();
            var first = await driver.ApplyAsync(FakeCluster.Managed("apps/v1", "Deployment", "web"), false, CancellationToken.None);

            // When
            var second = await driver.ApplyAsync(FakeCluster.Managed("apps/v1", "Deployment", "web"), false, CancellationToken.None);

            // Then
            Assert.Equal(first["metadata"]!["resourceVersion"]!.GetValue<string>(), second["metadata"]!["resourceVersion"]!.GetValue<string>());
        }

        [Fact]
        public async Task Should_Take_Back_A_Field_Someone_Changed_By_Hand()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var driver = cluster.Driver();
            await driver.ApplyAsync(FakeCluster.Managed("apps/v1", "Deployment", "web"), false, CancellationToken.None);
            cluster.Server.EditByHand(WebDeployment, new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 7 } });

            // When
            var applied = await driver.ApplyAsync(FakeCluster.Managed("apps/v1", "Deployment", "web"), false, CancellationToken.None);

            // Then
            Assert.Equal(1, applied["spec"]!["replicas"]!.GetValue<int>());
        }

        [Fact]
        public async Task Should_Raise_A_Typed_Conflict_When_Not_Forcing()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var driver = cluster.Driver(new KubernetesDriverOptions { ForceConflicts = false });
            await driver.ApplyAsync(FakeCluster.Managed("apps/v1", "Deployment", "web"), false, CancellationToken.None);
            cluster.Server.EditByHand(WebDeployment, new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 7 } }, manager: "hpa-controller");

            // When
            var error = await Assert.ThrowsAsync<ApplyConflictException>(() =>
                driver.ApplyAsync(FakeCluster.Managed("apps/v1", "Deployment", "web", spec: new JsonObject { ["replicas"] = 2 }), false, CancellationToken.None));

            // Then
            var conflict = Assert.Single(error.Conflicts);
            Assert.Equal(new FieldConflict(".spec.replicas", "hpa-controller"), conflict);
            Assert.Contains(".spec.replicas is owned by \"hpa-controller\"", error.Message);
            Assert.Equal(409, error.StatusCode);
        }

        [Fact]
        public async Task Should_Persist_Nothing_On_A_Dry_Run()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();

            // When
            var result = await cluster.Driver().ApplyAsync(FakeCluster.ConfigMap("c"), dryRun: true, CancellationToken.None);

            // Then
            Assert.Equal("v", result["data"]!["key"]!.GetValue<string>());
            Assert.Null(cluster.Server.GetObject("v1", "ConfigMap", "ml", "c"));
            Assert.Contains(cluster.Server.Requests, r => r.Verb == "apply" && r.Query.Contains("dryRun=All"));
        }

        [Fact]
        public async Task Should_Not_Send_Server_Populated_Fields()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            var driver = cluster.Driver();
            var live = await driver.ApplyAsync(FakeCluster.ConfigMap("c"), false, CancellationToken.None);
            var stale = (JsonObject)live.DeepClone();
            stale["metadata"]!["resourceVersion"] = "1";
            stale["data"]!["key"] = "v2";

            // When
            var applied = await driver.ApplyAsync(stale, false, CancellationToken.None);

            // Then
            Assert.Equal("v2", applied["data"]!["key"]!.GetValue<string>());
        }

        [Fact]
        public async Task Should_Explain_A_Kind_The_Cluster_Does_Not_Serve()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync(options: new FakeKubernetesApiServerOptions
            {
                ResourceTypes = [.. FakeResourceType.Defaults.Where(t => t.Kind != "VirtualService")],
            });

            // When
            var error = await Assert.ThrowsAsync<KubernetesApiException>(() => cluster.Driver().ApplyAsync(
                FakeCluster.Managed("networking.istio.io/v1", "VirtualService", "vs"), false, CancellationToken.None));

            // Then
            Assert.Equal(404, error.StatusCode);
            Assert.True(error.IsRefusal);
            Assert.StartsWith("NotFound: the cluster does not serve virtualservices.networking.istio.io/v1 (VirtualService), so VirtualService ml/vs cannot be written", error.Message);
            Assert.Contains("install the CRDs that define it (Istio)", error.Message);
        }

        [Fact]
        public async Task Should_Name_The_Verb_Resource_Namespace_And_Grant_When_Forbidden()
        {
            // Given a namespace the reconciler's ServiceAccount has no RoleBinding in
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Refuse(FakeRefusal.Forbidden(@namespace: "ml"));

            // When
            var error = await Assert.ThrowsAsync<KubernetesApiException>(() => cluster.Driver().ApplyAsync(
                FakeCluster.Managed("apps/v1", "Deployment", "web"), false, CancellationToken.None));

            // Then
            Assert.Equal((403, "Forbidden", true), (error.StatusCode, error.Reason, error.IsRefusal));
            Assert.Equal("Forbidden: the reconciler may not patch deployments.apps in namespace \"ml\"; this is granted by "
                + "platform/deploy/reconciler/environment-rolebindings.yaml: add the namespace there and apply it (kubectl apply -k platform/deploy/reconciler)",
                error.Message);
            Assert.Equal(1, cluster.Server.RequestCount("apply"));
        }

        [Fact]
        public async Task Should_Name_The_Object_And_What_Is_Wrong_When_The_Server_Finds_It_Invalid()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Refuse(FakeRefusal.Invalid("deployments", "web",
                "spec.template.spec.nodeSelector: Invalid value: \"bad key!!/x\": name part must consist of alphanumeric characters"));

            // When
            var error = await Assert.ThrowsAsync<KubernetesApiException>(() => cluster.Driver().ApplyAsync(
                FakeCluster.Managed("apps/v1", "Deployment", "web"), false, CancellationToken.None));

            // Then
            Assert.Equal((422, "Invalid", true), (error.StatusCode, error.Reason, error.IsRefusal));
            Assert.Equal("Invalid: the API server refuses Deployment ml/web: spec.template.spec.nodeSelector: Invalid value: \"bad key!!/x\": "
                + "name part must consist of alphanumeric characters", error.Message);
        }

        [Fact]
        public async Task Should_Refuse_A_Kind_GitOps_Does_Not_Manage()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();

            // When / Then
            await Assert.ThrowsAsync<ArgumentException>(() => cluster.Driver().ApplyAsync(
                FakeCluster.Managed("v1", "Secret", "s"), false, CancellationToken.None));
        }
    }

    public sealed class TheDeleteAsyncMethod
    {
        [Fact]
        public async Task Should_Delete_The_Object_With_Background_Propagation()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Seed(FakeCluster.Managed("batch/v1", "Job", "train"));
            var key = new ResourceKey("batch/v1", "Job", "ml", "train");

            // When
            await cluster.Driver().DeleteAsync(key, CancellationToken.None);

            // Then
            Assert.Null(cluster.Server.GetObject(key));
            Assert.Contains(cluster.Server.Requests, r => r.Verb == "delete" && r.Query.Contains("propagationPolicy=Background"));
        }

        [Fact]
        public async Task Should_Succeed_When_The_Object_Is_Already_Gone()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();

            // When
            await cluster.Driver().DeleteAsync(WebDeployment, CancellationToken.None);

            // Then
            Assert.Equal(1, cluster.Server.RequestCount("delete"));
        }
    }

    public sealed class TheGetWorkloadHealthAsyncMethod
    {
        [Fact]
        public async Task Should_Read_Job_Health_From_Its_Status()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Seed(FakeCluster.Managed("batch/v1", "Job", "train"));
            var key = new ResourceKey("batch/v1", "Job", "ml", "train");
            cluster.Server.SetStatus(key, new JsonObject
            {
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Failed", ["status"] = "True", ["reason"] = "BackoffLimitExceeded", ["message"] = "Job has reached the specified backoff limit" }),
            });

            // When
            var health = await cluster.Driver().GetWorkloadHealthAsync(key, CancellationToken.None);

            // Then
            Assert.Equal(new WorkloadHealth(WorkloadState.Failed, "BackoffLimitExceeded", "Job has reached the specified backoff limit"), health);
        }
    }

    public sealed class TheWatchManagedAsyncMethod
    {
        [Fact]
        public async Task Should_List_Then_Yield_Changes_To_Managed_Objects()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Seed(FakeCluster.ConfigMap("existing"));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await using var changes = cluster.Driver(TwoKinds).WatchManagedAsync("prod", "ml", cts.Token).GetAsyncEnumerator(cts.Token);
            var listed = new[] { await NextAsync(changes), await NextAsync(changes) };

            // When
            cluster.Server.Seed(FakeCluster.Managed("apps/v1", "Deployment", "web"));
            var added = await NextAsync(changes);
            cluster.Server.EditByHand(WebDeployment, new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 3 } });
            var modified = await NextAsync(changes);
            cluster.Server.Seed(FakeCluster.ConfigMap("other-env", environment: "staging"));
            cluster.Server.DeleteObject(WebDeployment);
            var deleted = await NextAsync(changes);

            // Then
            Assert.All(listed, c => Assert.Equal(ClusterChangeType.Listed, c.Type));
            Assert.Equal("existing", Assert.Single(listed.Single(c => c.Kind == ManagedKinds.ConfigMap).Snapshot)["metadata"]!["name"]!.GetValue<string>());
            Assert.Equal((ClusterChangeType.Added, WebDeployment), (added.Type, added.Key));
            Assert.Equal(ClusterChangeType.Modified, modified.Type);
            Assert.Equal(3, modified.Object!["spec"]!["replicas"]!.GetValue<int>());
            Assert.Equal((ClusterChangeType.Deleted, WebDeployment), (deleted.Type, deleted.Key));
        }

        [Fact]
        public async Task Should_List_Again_When_The_Watch_History_Expired()
        {
            // Given
            var time = new ObservableTimeProvider();
            await using var cluster = await FakeCluster.StartAsync(RetryPolicy.Default, time);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var options = new KubernetesDriverOptions { Kinds = [ManagedKinds.ConfigMap] };
            await using var changes = cluster.Driver(options).WatchManagedAsync("prod", "ml", cts.Token).GetAsyncEnumerator(cts.Token);
            var first = await NextAsync(changes);
            await Eventually.TrueAsync(() => cluster.Server.RequestCount("watch") == 1);
            cluster.Server.FailNext(1, 503, verb: "watch");
            cluster.Server.CloseWatches();
            await Eventually.TrueAsync(() => time.PendingTimerCount > 0);
            cluster.Server.Seed(FakeCluster.ConfigMap("created-while-disconnected"));
            cluster.Server.CompactHistory();

            // When
            time.Advance(TimeSpan.FromMinutes(1));
            var relisted = await NextAsync(changes);

            // Then
            Assert.Equal(ClusterChangeType.Listed, first.Type);
            Assert.Empty(first.Snapshot);
            Assert.Equal(ClusterChangeType.Listed, relisted.Type);
            Assert.Equal("created-while-disconnected", Assert.Single(relisted.Snapshot)["metadata"]!["name"]!.GetValue<string>());
            Assert.Equal(2, cluster.Server.RequestCount("list"));
        }

        [Fact]
        public async Task Should_Resume_From_The_Last_Seen_ResourceVersion_When_The_Stream_Ends()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var options = new KubernetesDriverOptions { Kinds = [ManagedKinds.ConfigMap] };
            await using var changes = cluster.Driver(options).WatchManagedAsync("prod", "ml", cts.Token).GetAsyncEnumerator(cts.Token);
            await NextAsync(changes);
            cluster.Server.Seed(FakeCluster.ConfigMap("first"));
            await NextAsync(changes);

            // When
            cluster.Server.CloseWatches();
            cluster.Server.Seed(FakeCluster.ConfigMap("second"));
            var next = await NextAsync(changes);

            // Then
            Assert.Equal(ClusterChangeType.Added, next.Type);
            Assert.Equal("second", next.Key!.Name);
            Assert.Equal(1, cluster.Server.RequestCount("list"));
            Assert.Equal(2, cluster.Server.RequestCount("watch"));
        }

        [Fact]
        public async Task Should_End_With_The_Error_When_The_Watch_Is_Forbidden()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.FailNext(1, 403, verb: "watch", pathContains: "deployments");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

            // When
            var error = await Assert.ThrowsAsync<KubernetesApiException>(async () =>
            {
                await foreach (var _ in cluster.Driver(TwoKinds).WatchManagedAsync("prod", "ml", cts.Token))
                {
                }
            });

            // Then
            Assert.Equal(403, error.StatusCode);
            Assert.Equal("Forbidden", error.Reason);
        }

        [Fact]
        public async Task Should_Skip_Kinds_The_Cluster_Does_Not_Serve()
        {
            // Given
            await using var cluster = await FakeCluster.StartAsync(options: new FakeKubernetesApiServerOptions
            {
                ResourceTypes = [.. FakeResourceType.Defaults.Where(t => t.Kind != "VirtualService")],
            });
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var options = new KubernetesDriverOptions { Kinds = [ManagedKinds.VirtualService, ManagedKinds.ConfigMap] };
            await using var changes = cluster.Driver(options).WatchManagedAsync("prod", "ml", cts.Token).GetAsyncEnumerator(cts.Token);

            // When
            var listed = await NextAsync(changes);
            cluster.Server.Seed(FakeCluster.ConfigMap("c"));
            var added = await NextAsync(changes);

            // Then
            Assert.Equal(ManagedKinds.ConfigMap, listed.Kind);
            Assert.Equal(ClusterChangeType.Added, added.Type);
        }

        private static async Task<ClusterChange> NextAsync(IAsyncEnumerator<ClusterChange> changes)
        {
            Assert.True(await changes.MoveNextAsync(), "the watch ended unexpectedly");
            return changes.Current;
        }
    }
    public sealed class TheShardOption
    {
        private static readonly Shard First = new(1, 2);

        private static readonly string[] Models = ["fraud-detector", "churn-predictor", "ranker", "forecaster", "scorer"];

        private static readonly string Mine = Models.First(First.OwnsModel);

        private static readonly string Theirs = Models.First(m => !First.OwnsModel(m));

        private static JsonObject OfModel(string name, string? model)
        {
            var obj = FakeCluster.ConfigMap(name);
            if (model is not null)
            {
                obj["metadata"]!["labels"]![ManagedLabels.Model] = model;
            }
            return obj;
        }

        private static async Task<FakeCluster> SeededAsync()
        {
            var cluster = await FakeCluster.StartAsync();
            cluster.Server.Seed(OfModel("mine", Mine));
            cluster.Server.Seed(OfModel("theirs", Theirs));
            cluster.Server.Seed(OfModel("environment-wide", null));
            return cluster;
        }

        private static KubernetesClusterDriver Driver(FakeCluster cluster, Shard shard) =>
            cluster.Driver(TwoKinds with { Shard = shard });

        [Fact]
        public async Task Should_List_Only_The_Objects_Of_Its_Models_And_For_Shard_1_Those_Of_No_Model()
        {
            // Given
            await using var cluster = await SeededAsync();

            // When
            var first = await Driver(cluster, First).ReadManagedAsync("prod", "ml", CancellationToken.None);
            var second = await Driver(cluster, new Shard(2, 2)).ReadManagedAsync("prod", "ml", CancellationToken.None);
            var whole = await Driver(cluster, Shard.Whole).ReadManagedAsync("prod", "ml", CancellationToken.None);

            // Then
            Assert.Equal(["ConfigMap/environment-wide", "ConfigMap/mine"], Describe(first).Order(StringComparer.Ordinal));
            Assert.Equal(["ConfigMap/theirs"], Describe(second));
            Assert.Equal(3, whole.Count);
        }

        [Fact]
        public async Task Should_Read_The_Other_Shards_Jobs_And_Every_Trial_When_Asked_For_The_Pools_Jobs()
        {
            // Given a training Job of a model of each shard, and a trial Job of an experiment of each
            await using var cluster = await SeededAsync();
            foreach (var model in new[] { Mine, Theirs })
            {
                var job = FakeCluster.Managed("batch/v1", "Job", $"{model}-train", spec: new JsonObject());
                job["metadata"]!["labels"]![ManagedLabels.Model] = model;
                cluster.Server.Seed(job);
                var trial = FakeCluster.Managed("batch/v1", "Job", $"{model}-sweep-t01", spec: new JsonObject());
                trial["metadata"]!["labels"]![ManagedLabels.Model] = model;
                trial["metadata"]!["labels"]![ManagedLabels.ManagedBy] = TrialJobs.ManagedByValue;
                cluster.Server.Seed(trial);
            }

            // When
            var sharded = await Driver(cluster, First).ReadPoolJobsAsync("prod", "ml", CancellationToken.None);
            var whole = await Driver(cluster, Shard.Whole).ReadPoolJobsAsync("prod", "ml", CancellationToken.None);

            // Then the other shard's training Job and every trial, in one list
            Assert.Equal(new[] { $"Job/{Mine}-sweep-t01", $"Job/{Theirs}-sweep-t01", $"Job/{Theirs}-train" }.Order(StringComparer.Ordinal),
                Describe(sharded).Order(StringComparer.Ordinal));
            Assert.Equal(new[] { $"Job/{Mine}-sweep-t01", $"Job/{Theirs}-sweep-t01" }.Order(StringComparer.Ordinal), Describe(whole).Order(StringComparer.Ordinal));
            Assert.Equal(2, cluster.Server.Requests.Count(r => r.Verb == "list" && r.Path.EndsWith("/jobs", StringComparison.Ordinal)));
        }

        [Fact]
        public async Task Should_Neither_Keep_Nor_Report_As_Drift_What_Another_Shard_Converges_While_Watching()
        {
            // Given shard 1's drift watch, once it has listed every kind
            await using var cluster = await SeededAsync();
            var driver = Driver(cluster, First);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await using var drift = driver.WatchDriftAsync("prod", "ml", stop.Token).GetAsyncEnumerator(stop.Token);
            var next = drift.MoveNextAsync();
            await Eventually.TrueAsync(() => driver.ReadsFromWatch("prod", "ml"));

            // When the other shard's object is edited by hand, then one of its own
            cluster.Server.EditByHand(new ResourceKey("v1", "ConfigMap", "ml", "theirs"), new JsonObject { ["data"] = new JsonObject { ["key"] = "edited" } });
            cluster.Server.EditByHand(new ResourceKey("v1", "ConfigMap", "ml", "mine"), new JsonObject { ["data"] = new JsonObject { ["key"] = "edited" } });

            // Then the first drift it reports is its own object's, and what it reads from the watch is its own
            Assert.True(await next);
            Assert.Equal(ManagedChange.Drift("ConfigMap/ml/mine changed outside GitOps"), drift.Current);
            var objects = await driver.ReadManagedAsync("prod", "ml", CancellationToken.None);
            Assert.True(driver.ReadsFromWatch("prod", "ml"));
            Assert.Equal(["ConfigMap/environment-wide", "ConfigMap/mine"], Describe(objects).Order(StringComparer.Ordinal));
            await stop.CancelAsync();
        }

        private static IReadOnlyList<string> Describe(IReadOnlyList<JsonObject> objects) =>
            [.. objects.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}")];
    }
}
