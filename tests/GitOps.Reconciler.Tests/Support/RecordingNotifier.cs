using System.Collections.Concurrent;
using GitOps.Reconciler.Notifications;

namespace GitOps.Reconciler.Tests.Support;

/// <summary>A notifier that keeps what it is told, or throws every time (a broken receiver).</summary>
public sealed class RecordingNotifier(bool fail = false) : INotifier
{
    private readonly ConcurrentQueue<Notification> _received = new();

    public IReadOnlyList<Notification> Received => [.. _received];

    public ValueTask NotifyAsync(Notification notification, CancellationToken ct)
    {
        _received.Enqueue(notification);
        return fail ? throw new InvalidOperationException("the receiver is broken") : ValueTask.CompletedTask;
    }
}
