namespace GitOps.Reconciler.Leadership;

/// <summary>
/// How the leader's work looks to its elector: busy with one pass since when. A pass busy for longer than
/// <see cref="Bound"/> is stuck, and a stuck leader must not keep renewing its Lease, or no standby could ever take
/// over from a replica that holds the Lease but converges nothing.
/// </summary>
public sealed class LeaderWatchdog(TimeProvider time, TimeSpan bound)
{
    private const long Idle = long.MinValue;
    private long _busySinceTicks = Idle;

    /// <summary>The longest a single pass may take before its leader gives up the Lease.</summary>
    public TimeSpan Bound { get; } = bound;

    /// <summary>A pass started.</summary>
    public void Busy() => Interlocked.Exchange(ref _busySinceTicks, time.GetUtcNow().UtcTicks);

    /// <summary>The pass ended (however it ended).</summary>
    public void Done() => Interlocked.Exchange(ref _busySinceTicks, Idle);

    /// <summary>How long the pass in flight has run; null between passes.</summary>
    public TimeSpan? BusyFor
    {
        get
        {
            var since = Interlocked.Read(ref _busySinceTicks);
            return since == Idle ? null : time.GetUtcNow() - new DateTimeOffset(since, TimeSpan.Zero);
        }
    }

    public bool IsStuck => BusyFor > Bound;
}
