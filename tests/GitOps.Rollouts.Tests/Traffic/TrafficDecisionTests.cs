using GitOps.Rollouts.Rollout;
using GitOps.Rollouts.Tests.Support;
using GitOps.Rollouts.Traffic;
using static GitOps.Rollouts.Tests.Support.TestPolicies;

namespace GitOps.Rollouts.Tests.Traffic;

public sealed class TrafficDecisionTests
{
    public sealed class TheForMethod
    {
        [Fact]
        public void Should_Size_The_Canary_By_The_Step_Weight_When_A_Router_Splits_Traffic()
        {
            // Given a canary at its first setWeight 10 with 4 replicas
            var driver = new RolloutDriver(Standard());
            driver.Step();

            // When
            var decision = TrafficDecision.For(driver.State, driver.Policy, 4, routed: true);

            // Then
            Assert.Equal(("v1", 4, "v2", 1, 10), (decision.Stable, decision.StableReplicas, decision.Canary, decision.CanaryReplicas, decision.CanaryWeight));
        }

        [Fact]
        public void Should_Split_Pods_When_There_Is_No_Router()
        {
            // Given
            var driver = new RolloutDriver(Standard());
            driver.Step();

            // When
            var decision = TrafficDecision.For(driver.State, driver.Policy, 10, routed: false);

            // Then
            Assert.Equal((9, 1, 10), (decision.StableReplicas, decision.CanaryReplicas, decision.CanaryWeight));
        }

        [Fact]
        public void Should_Scale_The_Canary_To_Zero_When_Rolled_Back()
        {
            // Given
            var driver = new RolloutDriver(Standard());
            driver.Step();
            driver.Command(RolloutCommandKind.Abort);

            // When
            var decision = TrafficDecision.For(driver.State, driver.Policy, 4, routed: true);

            // Then
            Assert.Equal(("v2", 0, 0), (decision.Canary, decision.CanaryReplicas, decision.CanaryWeight));
            Assert.Equal(4, decision.StableReplicas);
        }

        [Fact]
        public void Should_Run_A_Full_Preview_Without_Traffic_When_BlueGreen()
        {
            // Given
            var driver = new RolloutDriver(BlueGreen("error-rate"));
            driver.Step();

            // When
            var decision = TrafficDecision.For(driver.State, driver.Policy, 3, routed: true);

            // Then
            Assert.True(decision.Preview);
            Assert.Equal((3, 0), (decision.CanaryReplicas, decision.CanaryWeight));
        }

        [Fact]
        public void Should_Send_Live_Traffic_To_The_Preview_Pods_After_A_BlueGreen_Switch_And_Back_When_Aborted()
        {
            // Given a blueGreen switch to v2
            var driver = new RolloutDriver(BlueGreen());
            driver.Step();

            // When
            var switched = TrafficDecision.For(driver.State, driver.Policy, 3, routed: true);
            driver.Command(RolloutCommandKind.Abort);
            var aborted = TrafficDecision.For(driver.State, driver.Policy, 3, routed: true);

            // Then after the switch the preview's pods serve v2 and v1 is kept; after the abort v1 serves again and
            // the rejected v2 has no pods
            Assert.Equal((true, "v2", "v1", 3), (switched.LiveOnCanary, switched.Stable, switched.PreviousStable, switched.StableReplicas));
            Assert.Equal((false, "v1", "v2", 0, (string?)null), (aborted.LiveOnCanary, aborted.Stable, aborted.Canary, aborted.CanaryReplicas, aborted.PreviousStable));
        }
    }
}
