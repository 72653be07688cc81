using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;
using GitOps.Reconciler.Tests.Support;
using GitOps.Testing.FakeKubernetes;

namespace GitOps.Reconciler.Tests.Loop;

/// <summary>A first pass against an API server that throttles writes, as priority and fairness does under load.</summary>
public sealed class ThrottledApplyTests
{
    /// <summary>Retry-After is honoured up to this cap here, so a test waits milliseconds where the server says 1 s.</summary>
    private static readonly RetryPolicy ShortThrottleWaits = FakeCluster.FastRetry with { MaxThrottleWait = TimeSpan.FromMilliseconds(20) };

    private static (string Name, int Replicas)[] Models(int count) =>
        [.. Enumerable.Range(0, count).Select(i => ($"m{i:00}", 1))];

    public sealed class TheRunAsyncMethod
    {
        [Fact]
        public async Task Should_Converge_Without_Exceeding_The_Apply_Parallelism_When_The_Server_Throttles_Writes()
        {
            // Given a server that serves 2 writes at a time and answers 429 with Retry-After to any more, and a
            // reconciler that applies 4 at a time
            await using var rig = await ReconcilerRig.StartAsync(
                server: new FakeKubernetesApiServerOptions { MaxMutatingRequestsInFlight = 2, WriteLatency = TimeSpan.FromMilliseconds(10) },
                retry: ShortThrottleWaits, applyParallelism: 4);
            var commit = rig.Git.Commit(SpecRepository.Files(SpecRepository.Environment(), Models(12)));

            // When
            var first = await rig.RunAsync();
            var second = await rig.RunAsync();

            // Then every object was applied although writes were throttled, never more than 4 at once
            var applied = Assert.IsType<ReconcileOutcome.Applied>(first);
            Assert.Equal(commit, applied.Commit);
            Assert.Equal(applied.Plan.Create, rig.Managed().Count);
            Assert.Equal(24, applied.Plan.Create);
            Assert.True(rig.Cluster.Server.ThrottledRequests > 0, "the server never throttled: the test proves nothing");
            Assert.Equal(rig.Cluster.Server.ThrottledRequests, rig.Cluster.Connection.ThrottledAnswers);
            Assert.InRange(rig.Cluster.Server.PeakMutatingRequestsInFlight, 2, 4);
            Assert.IsType<ReconcileOutcome.NoChange>(second);
        }

        [Fact]
        public async Task Should_Apply_Configuration_Before_Training_When_Writes_Are_Throttled()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync(
                server: new FakeKubernetesApiServerOptions { MaxMutatingRequestsInFlight = 1, WriteLatency = TimeSpan.FromMilliseconds(10) },
                retry: ShortThrottleWaits, applyParallelism: 3);
            rig.Git.Commit(SpecRepository.Files(SpecRepository.Environment(), Models(6)));

            // When
            var outcome = await rig.RunAsync();

            // Then every ConfigMap write (retries included) came before the first Job write
            Assert.IsType<ReconcileOutcome.Applied>(outcome);
            var writes = rig.Cluster.Server.Requests
                .Where(r => r.Verb == "apply" && r.Path.Contains($"/namespaces/{SpecRepository.Namespace}/", StringComparison.Ordinal))
                .Select(r => r.Path).ToList();
            var lastConfig = writes.FindLastIndex(p => p.Contains("/configmaps/", StringComparison.Ordinal));
            var firstJob = writes.FindIndex(p => p.Contains("/jobs/", StringComparison.Ordinal));
            Assert.True(rig.Cluster.Server.ThrottledRequests > 0, "the server never throttled: the test proves nothing");
            Assert.InRange(lastConfig, 0, firstJob - 1);
        }
    }
}
