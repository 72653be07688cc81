using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Leadership;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;
using GitOps.Testing.Time;

namespace GitOps.Reconciler.Tests.Leadership;

public sealed class LeaseLeaderElectorTests
{
    // One attempt per request: with a fake clock a backoff would wait for time the test does not advance.
    private static readonly RetryPolicy SingleAttempt = new() { MaxAttempts = 1 };

    private static LeaseLeaderElector Elector(FakeCluster cluster, string identity, ObservableTimeProvider time) =>
        new(cluster.Connection, new LeaderElectionOptions { Namespace = "ml", Identity = identity }, time);

    private static string? Holder(FakeCluster cluster) =>
        cluster.Server.GetObject("coordination.k8s.io/v1", "Lease", "ml", "gitops-reconciler")?["spec"]?["holderIdentity"]?.GetValue<string>();

    private static int Transitions(FakeCluster cluster) =>
        cluster.Server.GetObject("coordination.k8s.io/v1", "Lease", "ml", "gitops-reconciler")!["spec"]!["leaseTransitions"]!.GetValue<int>();

    public sealed class TheTryAcquireOrRenewAsyncMethod
    {
        [Fact]
        public async Task Should_Elect_Exactly_One_Leader_Among_Two_Candidates()
        {
            // Given
            var time = new ObservableTimeProvider();
            await using var cluster = await FakeCluster.StartAsync(SingleAttempt, time);
            var a = Elector(cluster, "pod-a", time);
            var b = Elector(cluster, "pod-b", time);

            // When
            var leaders = new List<(bool A, bool B)>();
            for (var round = 0; round < 10; round++)
            {
                var results = await Task.WhenAll(a.TryAcquireOrRenewAsync(CancellationToken.None), b.TryAcquireOrRenewAsync(CancellationToken.None));
                leaders.Add((results[0], results[1]));
                time.Advance(TimeSpan.FromSeconds(2));
            }

            // Then
            Assert.All(leaders, l => Assert.True(l.A ^ l.B, "exactly one candidate must lead in every round"));
            Assert.Single(leaders.Select(l => l.A).Distinct());
            Assert.Equal(a.IsLeader ? "pod-a" : "pod-b", Holder(cluster));
        }

        [Fact]
        public async Task Should_Let_Another_Candidate_Take_Over_Only_After_The_Lease_Expires()
        {
            // Given
            var time = new ObservableTimeProvider();
            await using var cluster = await FakeCluster.StartAsync(SingleAttempt, time);
            var a = Elector(cluster, "pod-a", time);
            var b = Elector(cluster, "pod-b", time);
            Assert.True(await a.TryAcquireOrRenewAsync(CancellationToken.None));
            Assert.False(await b.TryAcquireOrRenewAsync(CancellationToken.None));

            // When: pod-a stops renewing
            time.Advance(TimeSpan.FromSeconds(14));
            var beforeExpiry = await b.TryAcquireOrRenewAsync(CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(2));
            var afterExpiry = await b.TryAcquireOrRenewAsync(CancellationToken.None);

            // Then
            Assert.False(beforeExpiry);
            Assert.True(afterExpiry);
            Assert.Equal("pod-b", Holder(cluster));
            Assert.Equal(1, Transitions(cluster));
            Assert.False(await a.TryAcquireOrRenewAsync(CancellationToken.None));
            Assert.False(a.IsLeader);
        }

        [Fact]
        public async Task Should_Keep_Leading_While_Renewing_Past_Many_Lease_Durations()
        {
            // Given
            var time = new ObservableTimeProvider();
            await using var cluster = await FakeCluster.StartAsync(SingleAttempt, time);
            var a = Elector(cluster, "pod-a", time);
            var b = Elector(cluster, "pod-b", time);
            await a.TryAcquireOrRenewAsync(CancellationToken.None);

            // When
            var bWon = false;
            for (var second = 0; second < 120; second += 5)
            {
                time.Advance(TimeSpan.FromSeconds(5));
                await a.TryAcquireOrRenewAsync(CancellationToken.None);
                bWon |= await b.TryAcquireOrRenewAsync(CancellationToken.None);
            }

            // Then
            Assert.False(bWon);
            Assert.True(a.IsLeader);
            Assert.Equal(0, Transitions(cluster));
        }

        [Fact]
        public async Task Should_Stop_Leading_When_It_Cannot_Renew_Within_The_Deadline()
        {
            // Given
            var time = new ObservableTimeProvider();
            await using var cluster = await FakeCluster.StartAsync(SingleAttempt, time);
            var a = Elector(cluster, "pod-a", time);
            await a.TryAcquireOrRenewAsync(CancellationToken.None);
            cluster.Server.FailNext(100, 503, pathContains: "/leases");

            // When
            time.Advance(TimeSpan.FromSeconds(4));
            var withinDeadline = await a.TryAcquireOrRenewAsync(CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(7));
            var pastDeadline = await a.TryAcquireOrRenewAsync(CancellationToken.None);

            // Then
            Assert.True(withinDeadline);
            Assert.False(pastDeadline);
        }

        [Fact]
        public async Task Should_Let_Another_Candidate_Lead_At_Once_After_A_Release()
        {
            // Given
            var time = new ObservableTimeProvider();
            await using var cluster = await FakeCluster.StartAsync(SingleAttempt, time);
            var a = Elector(cluster, "pod-a", time);
            var b = Elector(cluster, "pod-b", time);
            await a.TryAcquireOrRenewAsync(CancellationToken.None);
            await b.TryAcquireOrRenewAsync(CancellationToken.None);

            // When
            await a.ReleaseAsync(CancellationToken.None);
            var bLeads = await b.TryAcquireOrRenewAsync(CancellationToken.None);

            // Then
            Assert.True(bLeads);
            Assert.False(a.IsLeader);
            Assert.Equal("pod-b", Holder(cluster));
        }
    }

    public sealed class TheRunAsyncMethod
    {
        [Fact]
        public async Task Should_Run_The_Leader_Work_And_Release_The_Lease_On_Shutdown()
        {
            // Given
            var time = new ObservableTimeProvider();
            await using var cluster = await FakeCluster.StartAsync(SingleAttempt, time);
            var a = Elector(cluster, "pod-a", time);
            var started = 0;
            var stopped = 0;
            using var shutdown = new CancellationTokenSource();
            var run = a.RunAsync(async token =>
            {
                Interlocked.Increment(ref started);
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                finally
                {
                    Interlocked.Increment(ref stopped);
                }
            }, shutdown.Token);
            await Eventually.TrueAsync(() => Volatile.Read(ref started) == 1 && time.PendingTimerCount > 0);
            time.Advance(TimeSpan.FromSeconds(2));
            await Eventually.TrueAsync(() => cluster.Server.RequestCount("update") >= 1);

            // When
            await shutdown.CancelAsync();
            await run;

            // Then
            Assert.Equal(1, started);
            Assert.Equal(1, stopped);
            Assert.Equal("", Holder(cluster));
        }

        [Fact]
        public async Task Should_Give_Up_The_Lease_To_A_Standby_When_Its_Work_Is_Stuck_Past_The_Bound()
        {
            // Given a leader whose pass hangs and ignores cancellation, and a standby (real clock, short lease)
            await using var cluster = await FakeCluster.StartAsync(SingleAttempt, TimeProvider.System);
            var options = new LeaderElectionOptions
            {
                Namespace = "ml",
                Identity = "pod-a",
                LeaseDuration = TimeSpan.FromSeconds(2),
                RenewDeadline = TimeSpan.FromMilliseconds(1500),
                RetryPeriod = TimeSpan.FromMilliseconds(50),
            };
            var a = new LeaseLeaderElector(cluster.Connection, options, TimeProvider.System);
            var b = new LeaseLeaderElector(cluster.Connection, options with { Identity = "pod-b" }, TimeProvider.System);
            var watchdog = new LeaderWatchdog(TimeProvider.System, TimeSpan.FromMilliseconds(300));
            var hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var bLeads = 0;
            using var shutdown = new CancellationTokenSource();
            var runA = a.RunAsync(_ =>
            {
                watchdog.Busy();
                return hang.Task;
            }, shutdown.Token, watchdog);
            await Eventually.TrueAsync(() => a.IsLeader && watchdog.BusyFor is not null);
            var runB = b.RunAsync(async token =>
            {
                Interlocked.Increment(ref bLeads);
                await Task.Delay(Timeout.Infinite, token);
            }, shutdown.Token);

            // When the pass stays stuck past the bound
            await Eventually.TrueAsync(() => Volatile.Read(ref bLeads) == 1, TimeSpan.FromSeconds(60));

            // Then the stuck leader stepped down and the standby holds the Lease
            Assert.Equal("pod-b", Holder(cluster));
            Assert.False(a.IsLeader);
            Assert.Equal(1, a.StepDowns);
            Assert.True(Transitions(cluster) >= 1);
            await shutdown.CancelAsync();
            hang.SetResult();
            await Task.WhenAll(runA, runB).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal("", Holder(cluster));
        }
    }
}
