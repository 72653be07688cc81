using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Notifications;

/// <summary>Calling a notifier from a pass: whatever it does, the pass goes on.</summary>
public static class NotifierExtensions
{
    /// <summary>Hands <paramref name="notification"/> to <paramref name="notifier"/>; a fault is logged, never thrown
    /// (only cancellation of <paramref name="ct"/> propagates).</summary>
    public static async ValueTask NotifySafelyAsync(this INotifier notifier, Notification notification, ILogger log, CancellationToken ct)
    {
        try
        {
            await notifier.NotifyAsync(notification, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            log.LogWarning("{Environment}: notification {Key} not sent: {Error}", notification.Environment, notification.Key, e.Message);
        }
    }
}
