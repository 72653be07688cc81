using Xunit;

namespace GitOps.Specs.Tests;

public sealed class CanaryReplicasTests
{
    public sealed class TheByPodsMethod
    {
        /// <summary>The splits Argo Rollouts picks for a basic canary without surge.</summary>
        [Theory]
        [InlineData(10, 10, 1, 9)]
        [InlineData(10, 25, 3, 7)]
        [InlineData(3, 50, 2, 1)]
        [InlineData(2, 10, 1, 1)]
        [InlineData(1, 10, 0, 1)]
        [InlineData(1, 60, 1, 0)]
        [InlineData(4, 90, 3, 1)]
        [InlineData(3, 33, 1, 2)]
        [InlineData(5, 100, 5, 0)]
        [InlineData(5, 0, 0, 5)]
        [InlineData(0, 50, 0, 0)]
        public void Should_Pick_The_Closest_Split_When_Traffic_Follows_Pods(int replicas, int weight, int canary, int stable)
        {
            // Given / When
            var split = CanaryReplicas.ByPods(replicas, weight);

            // Then
            Assert.Equal((canary, stable), split);
        }
    }

    public sealed class TheRoutedMethod
    {
        [Theory]
        [InlineData(10, 10, 1)]
        [InlineData(10, 15, 2)]
        [InlineData(3, 0, 1)]
        [InlineData(4, 100, 4)]
        public void Should_Round_Up_With_At_Least_One_Pod_When_A_Router_Splits_Traffic(int replicas, int weight, int canary)
        {
            // Given / When / Then
            Assert.Equal(canary, CanaryReplicas.Routed(replicas, weight));
        }
    }
}
