namespace GitOps.Reconciler.Notifications;

/// <summary>
/// Reports what the reconciler did to the outside world (GitHub Deployments, commit statuses, rollback issues).
/// The pass calls it when an environment is applied or stalled; the rollout step calls it on an automatic rollback.
/// </summary>
/// <remarks>
/// <see cref="NotifyAsync"/> must return quickly and must not throw for a fault of the receiving side: an
/// implementation queues the notification and delivers it in the background, retrying a bounded number of times.
/// A notification that cannot be delivered is dropped with a warning; it never fails or blocks a reconcile pass.
/// Callers still wrap the call with <see cref="NotifierExtensions.NotifySafelyAsync"/> so a bug in a notifier cannot.
/// </remarks>
public interface INotifier
{
    /// <summary>Queues <paramref name="notification"/> for delivery.</summary>
    ValueTask NotifyAsync(Notification notification, CancellationToken ct);
}
