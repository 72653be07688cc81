namespace GitOps.Reconciler.Hosting;

/// <summary>
/// What <c>/healthz</c> and <c>/readyz</c> report. Live while the loop runs (a dead loop must restart the pod);
/// ready once the loop has started, whether this replica leads or stands by.
/// </summary>
public sealed class ReconcilerHealth
{
    private volatile bool _started;
    private volatile string? _fault;

    public bool IsLive => _fault is null;

    public bool IsReady => _started && _fault is null;

    /// <summary>Why the loop stopped, or null while it runs.</summary>
    public string? Fault => _fault;

    public void MarkStarted() => _started = true;

    public void MarkFaulted(string reason) => _fault = reason;
}
