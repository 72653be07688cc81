using GitOps.Testing.Time;

namespace GitOps.Reconciler.Tests;

public sealed class ObservableTimeProviderTests
{
    public sealed class ThePendingTimerCount
    {
        [Fact]
        public async Task Should_Count_A_Delay_Until_Advance_Reaches_It()
        {
            // Given
            var time = new ObservableTimeProvider();
            var delay = Task.Delay(TimeSpan.FromSeconds(10), time);

            // When
            var parked = time.PendingTimerCount;
            time.Advance(TimeSpan.FromSeconds(10));
            await delay.WaitAsync(TimeSpan.FromSeconds(20));

            // Then
            Assert.Equal(1, parked);
            Assert.Equal(0, time.PendingTimerCount);
            Assert.Equal(ObservableTimeProvider.DefaultStart.AddSeconds(10), time.GetUtcNow());
        }

        [Fact]
        public void Should_Drop_A_Timer_When_It_Is_Disposed_Before_It_Fires()
        {
            // Given
            var time = new ObservableTimeProvider();
            var fired = 0;
            var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

            // When
            timer.Dispose();
            time.Advance(TimeSpan.FromSeconds(5));

            // Then
            Assert.Equal(0, fired);
            Assert.Equal(0, time.PendingTimerCount);
        }
    }
}
