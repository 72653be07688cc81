using GitOps.Testing.Time;

namespace GitOps.Reconciler.Tests;

public sealed class FakeTimeProviderTests
{
    public sealed class TheAdvanceMethod
    {
        [Fact]
        public async Task Should_Complete_A_Delay_Only_When_Time_Reaches_It()
        {
            // Given
            var time = new FakeTimeProvider();
            var delay = Task.Delay(TimeSpan.FromSeconds(10), time);

            // When
            time.Advance(TimeSpan.FromSeconds(9));
            var earlyDone = delay.IsCompleted;
            time.Advance(TimeSpan.FromSeconds(1));
            await delay.WaitAsync(TimeSpan.FromSeconds(20));

            // Then
            Assert.False(earlyDone);
            Assert.True(delay.IsCompletedSuccessfully);
        }

        [Fact]
        public void Should_Fire_A_Periodic_Timer_Once_Per_Period_Within_The_Window()
        {
            // Given
            var time = new FakeTimeProvider();
            var fired = new List<DateTimeOffset>();
            using var timer = time.CreateTimer(_ => fired.Add(time.GetUtcNow()), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

            // When
            time.Advance(TimeSpan.FromSeconds(6));

            // Then
            var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            Assert.Equal([start.AddSeconds(1), start.AddSeconds(3), start.AddSeconds(5)], fired);
            Assert.Equal(start.AddSeconds(6), time.GetUtcNow());
        }

        [Fact]
        public void Should_Not_Fire_A_Disposed_Timer()
        {
            // Given
            var time = new FakeTimeProvider();
            var fired = 0;
            var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
            timer.Dispose();

            // When
            time.Advance(TimeSpan.FromSeconds(5));

            // Then
            Assert.Equal(0, fired);
            Assert.Equal(0, time.PendingTimerCount);
        }
    }
}
