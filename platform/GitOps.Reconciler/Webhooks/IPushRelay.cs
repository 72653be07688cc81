namespace GitOps.Reconciler.Webhooks;

/// <summary>
/// Port: shares the pushes one replica's webhook endpoint received with every other reconciler replica. A push
/// webhook reaches whichever pod the Service picks — a standby, or another shard — while every shard's leader must
/// fetch; so the receiving replica publishes the delivery, and every replica fetches when it sees one it has not
/// handled (<see cref="RelayedPushes"/>). Production keeps the last delivery in a ConfigMap of the reconciler's
/// namespace (<c>Drivers.Kubernetes.ConfigMapPushRelay</c>), as annotations on shared objects refresh Argo CD's
/// sharded controllers.
/// </summary>
public interface IPushRelay
{
    /// <summary>Tells the other replicas of the push delivery <paramref name="delivery"/> (its <c>X-GitHub-Delivery</c>).</summary>
    Task PublishAsync(string delivery, CancellationToken ct);

    /// <summary>Yields each delivery published from now on, by this replica or another, until <paramref name="ct"/> is
    /// cancelled; the one published last before the watch started is not yielded. Throws when the relay cannot be
    /// read (the caller opens it again after a backoff).</summary>
    IAsyncEnumerable<string> WatchAsync(CancellationToken ct);
}
