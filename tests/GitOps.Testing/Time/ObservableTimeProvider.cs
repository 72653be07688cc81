using Microsoft.Extensions.Time.Testing;

namespace GitOps.Testing.Time;

/// <summary>
/// Microsoft.Extensions.TimeProvider.Testing's <see cref="FakeTimeProvider"/>, plus the one thing it does not expose:
/// how many of its timers are scheduled and not yet fired or disposed. Tests poll <see cref="PendingTimerCount"/> to
/// know the code under test is parked on a delay before they <see cref="FakeTimeProvider.Advance"/> past it.
/// </summary>
public sealed class ObservableTimeProvider : FakeTimeProvider
{
    /// <summary>The start of every test clock unless a test picks another.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private int _pending;

    public ObservableTimeProvider()
        : this(DefaultStart)
    {
    }

    public ObservableTimeProvider(DateTimeOffset start)
        : base(start)
    {
    }

    /// <summary>Timers created and neither fired (one-shot) nor disposed.</summary>
    public int PendingTimerCount => Volatile.Read(ref _pending);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var released = 0;
        void Release()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                Interlocked.Decrement(ref _pending);
            }
        }
        var oneShot = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero;
        var timer = base.CreateTimer(s =>
        {
            if (oneShot)
            {
                Release();
            }
            callback(s);
        }, state, dueTime, period);
        // Counted only once the base clock holds the timer: a test that sees the count and advances the clock must
        // find the timer there, or the advance passes it by and the code under test waits forever. A timer that
        // fired while being created released first, so the count still ends where it belongs.
        Interlocked.Increment(ref _pending);
        return new CountedTimer(timer, Release);
    }

    private sealed class CountedTimer(ITimer inner, Action release) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            release();
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            release();
            return inner.DisposeAsync();
        }
    }
}
