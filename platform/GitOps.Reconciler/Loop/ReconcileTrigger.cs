using System.Threading.Channels;

namespace GitOps.Reconciler.Loop;

/// <summary>
/// Asks the loop for an immediate pass (a webhook arrived, a watched object changed). Requests made while a pass is
/// pending coalesce into one, so a burst of webhooks causes one fetch, not one per delivery.
/// </summary>
public sealed class ReconcileTrigger
{
    private readonly Channel<string> _requests =
        Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _requested;

    /// <summary>How many requests were made since start (coalesced or not).</summary>
    public long RequestedCount => Interlocked.Read(ref _requested);

    /// <summary>Requests a pass as soon as possible; <paramref name="reason"/> is logged.</summary>
    public void Request(string reason)
    {
        Interlocked.Increment(ref _requested);
        _requests.Writer.TryWrite(reason);
    }

    /// <summary>Takes the pending request, if any, without waiting.</summary>
    public bool TryTake(out string reason)
    {
        if (_requests.Reader.TryRead(out var r))
        {
            reason = r;
            return true;
        }
        reason = "";
        return false;
    }

    /// <summary>Completes when a request is pending (it is not taken).</summary>
    public Task WaitAsync(CancellationToken ct) => _requests.Reader.WaitToReadAsync(ct).AsTask();
}
