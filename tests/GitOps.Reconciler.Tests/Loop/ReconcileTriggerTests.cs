using GitOps.Reconciler.Loop;

namespace GitOps.Reconciler.Tests.Loop;

public sealed class ReconcileTriggerTests
{
    public sealed class TheTryTakeMethod
    {
        [Fact]
        public void Should_Coalesce_Requests_For_Environments_Into_One_Pass_Of_Those_Environments()
        {
            // Given
            var trigger = new ReconcileTrigger();
            trigger.Request("drift: Deployment/ml/a changed outside GitOps", "prod");
            trigger.Request("drift: Deployment/ml/b changed outside GitOps", "prod");
            trigger.Request("drift: Service/ml-staging/c deleted outside GitOps", "staging");

            // When
            var taken = trigger.TryTake(out var reason, out var environments);
            var again = trigger.TryTake(out _, out _);

            // Then
            Assert.True(taken);
            Assert.Equal("drift: Deployment/ml/a changed outside GitOps", reason);
            Assert.Equal(["prod", "staging"], environments!.Order(StringComparer.Ordinal));
            Assert.False(again);
            Assert.Equal(3, trigger.RequestedCount);
        }

        [Fact]
        public void Should_Ask_For_Every_Environment_When_Any_Request_Was_For_All()
        {
            // Given
            var trigger = new ReconcileTrigger();
            trigger.Request("drift: Deployment/ml/a changed outside GitOps", "prod");
            trigger.Request("webhook push 1");

            // When
            var taken = trigger.TryTake(out _, out var environments);

            // Then
            Assert.True(taken);
            Assert.Null(environments);
        }

        [Fact]
        public async Task Should_Wake_A_Waiting_Loop_Once_Per_Pending_Request()
        {
            // Given
            var trigger = new ReconcileTrigger();
            var waiting = trigger.WaitAsync(CancellationToken.None);
            Assert.False(waiting.IsCompleted);

            // When
            trigger.Request("drift", "prod");

            // Then
            await waiting.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(trigger.TryTake(out _, out _));
            Assert.False(trigger.WaitAsync(CancellationToken.None).IsCompleted);
        }
    }
}
