namespace GitOps.Reconciler.Leadership;

/// <summary>The loop's view of a <see cref="LeaseLeaderElector"/>: a replica campaigning on a Lease.</summary>
public sealed class LeaseLeadership(LeaseLeaderElector elector, string identity) : ILeaderElector
{
    public string Identity { get; } = identity;

    public bool IsLeader => elector.IsLeader;

    public Task RunAsync(Func<CancellationToken, Task> whileLeading, LeaderWatchdog? watchdog, CancellationToken ct) =>
        elector.RunAsync(whileLeading, ct, watchdog);
}
