using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Loop;

namespace GitOps.Reconciler.Tests.Drivers.Kubernetes;

public sealed class RetryPolicyTests
{
    public sealed class TheThrottleDelayMethod
    {
        [Fact]
        public void Should_Wait_What_Retry_After_Says_Up_To_The_Longest_Throttle_Wait()
        {
            // Given
            var policy = RetryPolicy.Default with { MaxThrottleWait = TimeSpan.FromSeconds(30) };

            // When
            var hinted = policy.ThrottleDelay(1, TimeSpan.FromSeconds(20));
            var capped = policy.ThrottleDelay(1, TimeSpan.FromMinutes(5));
            var unhinted = policy.ThrottleDelay(3, null);

            // Then the hint is kept even beyond the backoff's cap of 10 s; without one the backoff applies
            Assert.Equal(TimeSpan.FromSeconds(20), hinted);
            Assert.Equal(TimeSpan.FromSeconds(30), capped);
            Assert.Equal(TimeSpan.FromMilliseconds(800), unhinted);
        }

        [Theory]
        [InlineData(429, null, true)]
        [InlineData(429, "TooManyRequests", true)]
        [InlineData(503, "TooManyRequests", true)]
        [InlineData(503, "ServiceUnavailable", false)]
        [InlineData(500, null, false)]
        public void Should_Tell_Throttling_From_Failure_By_Code_And_Reason(int code, string? reason, bool throttled)
        {
            // Given a status code and the Status reason the server sent

            // When
            var actual = RetryPolicy.IsThrottled(code, reason);

            // Then
            Assert.Equal(throttled, actual);
        }
    }

    public sealed class TheDelayBeforeMethod
    {
        [Theory]
        [InlineData(1, 200)]
        [InlineData(2, 400)]
        [InlineData(3, 800)]
        [InlineData(6, 6400)]
        [InlineData(7, 10000)]
        [InlineData(60, 10000)]
        public void Should_Double_The_Delay_Up_To_The_Maximum(int retry, int expectedMilliseconds)
        {
            // Given
            var policy = RetryPolicy.Default;

            // When
            var delay = policy.DelayBefore(retry);

            // Then
            Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), delay);
        }

        [Fact]
        public void Should_Honour_Retry_After_But_Never_Beyond_The_Maximum()
        {
            // Given
            var policy = RetryPolicy.Default;

            // When
            var hinted = policy.DelayBefore(1, TimeSpan.FromSeconds(3));
            var capped = policy.DelayBefore(1, TimeSpan.FromMinutes(5));
            var ignored = policy.DelayBefore(2, TimeSpan.Zero);

            // Then
            Assert.Equal(TimeSpan.FromSeconds(3), hinted);
            Assert.Equal(policy.Backoff.Max, capped);
            Assert.Equal(TimeSpan.FromMilliseconds(400), ignored);
        }

        [Theory]
        [InlineData(429, true)]
        [InlineData(500, true)]
        [InlineData(503, true)]
        [InlineData(504, true)]
        [InlineData(400, false)]
        [InlineData(403, false)]
        [InlineData(404, false)]
        [InlineData(409, false)]
        [InlineData(422, false)]
        public void Should_Retry_Only_Transient_Answers(int status, bool transient)
        {
            // Given / When / Then
            Assert.Equal(transient, RetryPolicy.IsTransient(status));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        [InlineData(9)]
        public void Should_Wait_What_The_Shared_Backoff_Says_When_Configured_With_It(int retry)
        {
            // Given a policy built on the loop's backoff
            var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
            var policy = new RetryPolicy { Backoff = backoff };

            // When
            var delay = policy.DelayBefore(retry);

            // Then the request retries and the pass retries follow one curve
            Assert.Equal(backoff.After(retry), delay);
        }
    }
}
