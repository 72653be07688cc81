namespace GitOps.Reconciler.Drivers.Local.Routing;

/// <summary>
/// Picks which requests of a route are mirrored. The copies are spread evenly rather than drawn at random: at 10 %
/// exactly one request in every ten is copied, so a short rollout step gets the share it declared.
/// </summary>
public sealed class MirrorShare
{
    private long _requests;

    /// <summary>Counts one request and says whether it is copied, for a share of <paramref name="percent"/> %.</summary>
    public bool Next(double percent)
    {
        if (percent <= 0)
        {
            return false;
        }
        if (percent >= 100)
        {
            return true;
        }
        var n = Interlocked.Increment(ref _requests);
        // Request n is copied when it carries the running total of percent × requests past a whole hundred.
        return Math.Floor(n * percent / 100) > Math.Floor((n - 1) * percent / 100);
    }
}
