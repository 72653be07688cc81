namespace GitOps.Reconciler.Notifications;

/// <summary>The notifier used when no receiver is configured: every notification is dropped.</summary>
public sealed class NoOpNotifier : INotifier
{
    public static readonly NoOpNotifier Instance = new();

    private NoOpNotifier()
    {
    }

    public ValueTask NotifyAsync(Notification notification, CancellationToken ct) => ValueTask.CompletedTask;
}
