using GitOps.Policy;
using GitOps.Reconciler.Hosting;
using GitOps.Reconciler.Leadership;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.Registry;
using GitOps.Reconciler.Tests.Support;
using GitOps.Testing;
using GitOps.Testing.Time;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Reconciler.Tests.Loop;

public sealed class ReconcileLoopTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>A loop on a fake clock, with an in-memory cluster and status, running until disposed.</summary>
    private sealed class LoopRig : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        /// <param name="failingFetches">Fetches that fail from the very first pass (set before the loop starts).</param>
        public LoopRig(int failingFetches = 0)
        {
            Git.Commit(SpecRepository.Files(SpecRepository.Environment(), ("fraud", 1)));
            Git.FailNextFetches(failingFetches);
            var metrics = new ReconcilerMetrics(includeProcessMetrics: false);
            var pass = new ReconcilePass(Git, Cluster, new InMemoryStatusStore(), new ClusterRegistry(new InMemoryRegistryFactStore()), metrics, Time,
                new ReconcilePassSettings { Validate = RepositoryValidator.Validate, Backoff = new Backoff(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5)) },
                NullLogger<ReconcilePass>.Instance);
            Loop = new ReconcileLoop(pass, new SingleReplicaLeadership(), Trigger, metrics, new ReconcilerHealth(), Time,
                new ReconcileLoopSettings { Environments = ["prod"], Interval = Interval }, NullLogger<ReconcileLoop>.Instance);
            _run = Task.Run(() => Loop.RunAsync(_stop.Token));
        }

        public ObservableTimeProvider Time { get; } = new();
        public ScriptedGitSource Git { get; } = new();
        public InMemoryClusterDriver Cluster { get; } = new();
        public ReconcileTrigger Trigger { get; } = new();
        public ReconcileLoop Loop { get; }

        /// <summary>Waits until the loop has run <paramref name="passes"/> passes and is parked on its next delay.</summary>
        public Task ParkedAfterAsync(long passes) =>
            Eventually.TrueAsync(() => Loop.PassCount == passes && Time.PendingTimerCount > 0);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run;
            _stop.Dispose();
        }
    }

    public sealed class TheRunAsyncMethod
    {
        [Fact]
        public async Task Should_Run_A_Pass_At_Start_And_Then_Once_Per_Interval()
        {
            // Given
            await using var rig = new LoopRig();
            await rig.ParkedAfterAsync(1);

            // When
            rig.Time.Advance(Interval - TimeSpan.FromSeconds(1));
            var beforeInterval = rig.Loop.PassCount;
            rig.Time.Advance(TimeSpan.FromSeconds(1));

            // Then
            Assert.Equal(1, beforeInterval);
            await rig.ParkedAfterAsync(2);
            Assert.Equal(2, rig.Git.Fetches);
        }

        [Fact]
        public async Task Should_Run_A_Pass_At_Once_When_Triggered()
        {
            // Given
            await using var rig = new LoopRig();
            await rig.ParkedAfterAsync(1);

            // When
            rig.Trigger.Request("webhook push");

            // Then, without the clock moving
            await rig.ParkedAfterAsync(2);
        }

        [Fact]
        public async Task Should_Retry_After_The_Backoff_When_Git_Fails()
        {
            // Given a first pass whose fetch fails
            await using var rig = new LoopRig(failingFetches: 1);
            await rig.ParkedAfterAsync(1);

            // When
            rig.Time.Advance(TimeSpan.FromSeconds(4));
            var beforeBackoff = rig.Loop.PassCount;
            rig.Time.Advance(TimeSpan.FromSeconds(1));

            // Then the retry comes after 5 s, not after the 1 min interval
            Assert.Equal(1, beforeBackoff);
            await rig.ParkedAfterAsync(2);
            Assert.NotEmpty(rig.Cluster.Objects);
        }
    }

    public sealed class TheNextAfterMethod
    {
        [Fact]
        public void Should_Wait_The_Backoff_After_A_Retry_And_The_Interval_Otherwise()
        {
            // Given
            var retry = new ReconcileOutcome.Retry("prod", "c", TimeSpan.FromMinutes(3), "unreachable");
            var stalled = new ReconcileOutcome.Stalled("prod", "c", null, "1 error", []);

            // When
            var afterRetry = ReconcileLoop.NextAfter(retry, Interval);
            var afterStalled = ReconcileLoop.NextAfter(stalled, Interval);

            // Then
            Assert.Equal(TimeSpan.FromMinutes(3), afterRetry);
            Assert.Equal(Interval, afterStalled);
        }
    }
}
