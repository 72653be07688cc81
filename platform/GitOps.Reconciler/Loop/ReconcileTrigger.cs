using System.Threading.Channels;

namespace GitOps.Reconciler.Loop;

/// <summary>
/// Asks the loop for an immediate pass: of every environment (a webhook arrived) or of one (a managed object of it was
/// changed by hand). Requests made while a pass is pending coalesce into one, so a burst of webhooks or watch events
/// causes one pass, not one per delivery.
/// </summary>
public sealed class ReconcileTrigger
{
    private readonly Channel<bool> _wake =
        Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _gate = new();
    private readonly HashSet<string> _environments = new(StringComparer.Ordinal);
    private bool _all;
    private string _reason = "";
    private long _requested;

    /// <summary>How many requests were made since start (coalesced or not).</summary>
    public long RequestedCount => Interlocked.Read(ref _requested);

    /// <summary>Requests a pass of every environment as soon as possible; <paramref name="reason"/> is logged.</summary>
    public void Request(string reason) => Add(reason, null);

    /// <summary>Requests a pass of <paramref name="environment"/> as soon as possible.</summary>
    public void Request(string reason, string environment) => Add(reason, environment);

    /// <summary>Takes the pending request, if any, without waiting.</summary>
    public bool TryTake(out string reason) => TryTake(out reason, out _);

    /// <summary>Takes the pending request, if any, without waiting; <paramref name="environments"/> is null when every
    /// environment was asked for.</summary>
    public bool TryTake(out string reason, out IReadOnlySet<string>? environments)
    {
        lock (_gate)
        {
            _wake.Reader.TryRead(out _);
            if (!_all && _environments.Count == 0)
            {
                reason = "";
                environments = null;
                return false;
            }
            reason = _reason;
            environments = _all ? null : new HashSet<string>(_environments, StringComparer.Ordinal);
            _all = false;
            _environments.Clear();
            _reason = "";
            return true;
        }
    }

    /// <summary>Completes when a request is pending (it is not taken).</summary>
    public Task WaitAsync(CancellationToken ct) => _wake.Reader.WaitToReadAsync(ct).AsTask();

    private void Add(string reason, string? environment)
    {
        Interlocked.Increment(ref _requested);
        lock (_gate)
        {
            if (environment is null)
            {
                _all = true;
            }
            else
            {
                _environments.Add(environment);
            }
            if (_reason.Length == 0)
            {
                _reason = reason;
            }
            _wake.Writer.TryWrite(true);
        }
    }
}
