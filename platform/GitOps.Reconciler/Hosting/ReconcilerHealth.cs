using GitOps.Reconciler.Leadership;
using GitOps.Specs;

namespace GitOps.Reconciler.Hosting;

/// <summary>
/// What <c>/healthz</c> and <c>/readyz</c> report. Live while the loop runs and no pass is stuck (a dead or hung loop
/// must restart the pod); ready once the loop has started, whether this replica leads or stands by.
/// </summary>
public sealed class ReconcilerHealth
{
    private volatile bool _started;
    private volatile string? _fault;
    private LeaderWatchdog? _passes;

    public bool IsLive => Fault is null;

    public bool IsReady => _started && Fault is null;

    /// <summary>Why the loop stopped or hangs, or null while it runs.</summary>
    public string? Fault => _fault ?? (Volatile.Read(ref _passes) is { IsStuck: true } passes
        ? $"a pass has been running for {Durations.Format(passes.BusyFor ?? TimeSpan.Zero)}, longer than --pass-timeout {Durations.Format(passes.Bound)}"
        : null);

    public void MarkStarted() => _started = true;

    public void MarkFaulted(string reason) => _fault = reason;

    /// <summary>Reports a pass that outlives its bound as a fault, so the pod is restarted.</summary>
    public void WatchPasses(LeaderWatchdog passes) => Volatile.Write(ref _passes, passes);
}
