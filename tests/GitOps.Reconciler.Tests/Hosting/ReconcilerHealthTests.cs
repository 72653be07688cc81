using GitOps.Reconciler.Hosting;
using GitOps.Reconciler.Leadership;
using GitOps.Testing.Time;

namespace GitOps.Reconciler.Tests.Hosting;

public sealed class ReconcilerHealthTests
{
    public sealed class TheIsLiveProperty
    {
        [Fact]
        public void Should_Fail_While_A_Pass_Runs_Past_The_Pass_Timeout_And_Recover_When_It_Ends()
        {
            // Given a started loop whose pass began on a fake clock
            var time = new ObservableTimeProvider();
            var passes = new LeaderWatchdog(time, TimeSpan.FromMinutes(10));
            var health = new ReconcilerHealth();
            health.MarkStarted();
            health.WatchPasses(passes);
            passes.Busy();

            // When
            time.Advance(TimeSpan.FromMinutes(10));
            var atTheBound = health.IsLive;
            time.Advance(TimeSpan.FromMinutes(1));
            var past = health.IsLive;
            var fault = health.Fault;
            passes.Done();

            // Then
            Assert.True(atTheBound);
            Assert.False(past);
            Assert.Equal("a pass has been running for 11m, longer than --pass-timeout 10m", fault);
            Assert.True(health.IsLive);
            Assert.True(health.IsReady);
        }
    }
}
