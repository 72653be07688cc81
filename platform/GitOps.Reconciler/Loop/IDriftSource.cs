namespace GitOps.Reconciler.Loop;

/// <summary>
/// Port: tells the loop, as it happens, that a managed object of an environment was changed by someone other than
/// this reconciler (a hand edit, a delete), so the environment is reconciled within seconds instead of at the next
/// interval. The interval pass stays the safety net for anything a watch can miss.
/// </summary>
public interface IDriftSource
{
    /// <summary>
    /// Yields one line per outside change of a managed object of <paramref name="environment"/> in
    /// <paramref name="namespace"/> (<c>Deployment/ml/fraud-stable changed outside GitOps</c>) until
    /// <paramref name="ct"/> is cancelled. This reconciler's own writes and status-only updates are not yielded.
    /// </summary>
    IAsyncEnumerable<string> WatchDriftAsync(string environment, string @namespace, CancellationToken ct);
}
