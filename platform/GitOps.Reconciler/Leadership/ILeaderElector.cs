namespace GitOps.Reconciler.Leadership;

/// <summary>
/// Decides which replica may change the cluster. Only the leader runs reconcile passes; the others stand by and
/// take over when the leader stops renewing (a <c>coordination.k8s.io</c> Lease in a cluster).
/// </summary>
public interface ILeaderElector
{
    /// <summary>Name of this replica as written in the Lease (<c>holderIdentity</c>).</summary>
    string Identity { get; }

    /// <summary>
    /// Campaigns until <paramref name="ct"/> is cancelled. Each time leadership is acquired, runs
    /// <paramref name="whileLeading"/> with a token that is cancelled as soon as leadership is lost or cannot be
    /// renewed, so no write happens after another replica may have taken over. A leader whose work ends, or whose
    /// <paramref name="watchdog"/> reports it stuck, gives leadership up so another replica can take over.
    /// </summary>
    Task RunAsync(Func<CancellationToken, Task> whileLeading, LeaderWatchdog? watchdog, CancellationToken ct);
}
