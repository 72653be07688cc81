namespace GitOps.Reconciler.Leadership;

/// <summary>
/// Leadership for a reconciler known to run alone (<c>gitops reconcile --once</c>, a local run with
/// <c>--leader-elect=false</c>): it leads from the start until stopped. Never use it with more than one replica.
/// With no standby to hand over to, a stuck pass is left to the watchdog's other reader, <c>/healthz</c>.
/// </summary>
public sealed class SingleReplicaLeadership(string identity = "single-replica") : ILeaderElector
{
    public string Identity { get; } = identity;

    public async Task RunAsync(Func<CancellationToken, Task> whileLeading, LeaderWatchdog? watchdog, CancellationToken ct)
    {
        try
        {
            await whileLeading(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
