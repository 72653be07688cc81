namespace GitOps.Reconciler.Loop;

/// <summary>
/// Port: tells the loop, as it happens, that a managed object of an environment was changed by someone other than
/// this reconciler (a hand edit, a delete), that a managed training Job finished, or that a managed Deployment became
/// available or degraded, so the environment is reconciled within seconds instead of at the next interval. The interval pass stays the safety net for anything a watch can miss.
/// </summary>
public interface IDriftSource
{
    /// <summary>
    /// Yields one <see cref="ManagedChange"/> per outside change of a managed object of <paramref name="environment"/>
    /// in <paramref name="namespace"/> (<c>Deployment/ml/fraud-stable changed outside GitOps</c>) and per managed Job
    /// that reached its end (<c>Job/ml/fraud-train-1 finished: Complete</c>) or Deployment whose health turned
    /// (<c>Deployment/ml/fraud-canary Available: 1 of 1 replicas available</c>), until <paramref name="ct"/> is cancelled.
    /// This reconciler's own writes and other status-only updates are not yielded.
    /// </summary>
    IAsyncEnumerable<ManagedChange> WatchDriftAsync(string environment, string @namespace, CancellationToken ct);
}

/// <summary>What a watch of managed objects tells the loop: an outside change (<see cref="IsDrift"/>), a Job that
/// finished, which is not drift but is what registration, the gates and the rollout of its model wait for, or a
/// Deployment whose health turned, which is what a canary's analysis waits for.</summary>
public sealed record ManagedChange(string Description, bool IsDrift)
{
    public static ManagedChange Drift(string description) => new(description, true);

    public static ManagedChange Finished(string description) => new(description, false);

    /// <summary>A managed Deployment became available or degraded (<c>Deployment/ml/fraud-canary Available: 2 of 2 replicas
    /// available</c>): what a canary waiting for its pods, and the status of the environment, wait for.</summary>
    public static ManagedChange Health(string description) => new(description, false);
}
