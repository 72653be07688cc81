using System.Collections.Immutable;
using GitOps.Specs.Contracts;

namespace GitOps.Planning.Monitoring;

/// <summary>
/// The alert rules of the platform itself in one environment: the environment's sync is stale, its commits stall or
/// are refused, and (where a reconciler elects a leader) no replica or more than one leads. They carry
/// <c>component: gitops</c> for routing to whoever runs the platform. Each holds per reconciler shard (the <c>shard</c>
/// label a sharded reconciler puts on its metrics; absent, one group): one shard that stops syncing or has no leader
/// alerts although the others are fine.
/// </summary>
public static class PlatformAlerts
{
    public const string SyncStale = "GitOpsSyncStale";
    public const string EnvironmentStalled = "GitOpsEnvironmentStalled";
    public const string ReconcileRefused = "GitOpsReconcileRefused";
    public const string NoLeader = "GitOpsNoLeader";
    public const string SplitBrain = "GitOpsSplitBrain";

    private const string Outcomes = PlatformMetrics.ReconcileOutcomes;
    private const string LastSync = PlatformMetrics.LastSuccessfulSync;

    public static RuleGroup For(AlertScope scope)
    {
        var labels = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
        {
            ["component"] = "gitops",
            ["environment"] = scope.Environment,
        });
        var env = PromQl.Eq("environment", scope.Environment);
        string Passes(string outcomes) =>
            $"sum by (environment, shard) (increase({PromQl.Select(Outcomes, env, PromQl.Re("outcome", outcomes))}[15m]))";

        var rules = ImmutableArray.CreateBuilder<AlertRule>();
        rules.Add(ModelAlerts.Rule(SyncStale,
            $"time() - max by (environment, shard) ({PromQl.Select(LastSync, env)}) > 1800 or absent({PromQl.Select(LastSync, env)})",
            "5m", labels, Severities.Page, scope,
            $"{scope.Environment} has not synced for 30 minutes",
            "No reconcile pass of the environment ended Applied or NoChange for 30 minutes (or the reconciler's metrics are missing): Git changes do not reach the cluster."));
        rules.Add(ModelAlerts.Rule(EnvironmentStalled,
            $"{Passes("Stalled")} > 0 unless on(environment, shard) {Passes("Applied|NoChange")} > 0",
            "15m", labels, Severities.Ticket, scope,
            $"The latest commit of {scope.Environment} does not validate",
            "Every pass of the last 15 minutes ended Stalled: the commit has validation or render errors and the environment keeps the last good commit."));
        rules.Add(ModelAlerts.Rule(ReconcileRefused,
            $"{Passes("Refused")} > 0",
            "15m", labels, Severities.Ticket, scope,
            $"The API server refuses what {scope.Environment} needs",
            "Passes end Refused: RBAC (Forbidden), credentials (Unauthorized), a kind the cluster does not serve or an object it rejects. The status ConfigMap names the object."));
        if (scope.LeaderElection)
        {
            var platform = labels.Remove("environment");
            rules.Add(ModelAlerts.Rule(NoLeader, $"(max by (shard) ({PlatformMetrics.Leader}) or on() vector(0)) < 1",
                "5m", platform, Severities.Page, scope,
                "No reconciler replica holds the leader Lease",
                "Nothing reconciles: no commit, rollout or training advances."));
            rules.Add(ModelAlerts.Rule(SplitBrain, $"sum by (shard) ({PlatformMetrics.Leader}) > 1",
                "2m", platform, Severities.Page, scope,
                "More than one reconciler replica believes it leads",
                "Two leaders write to the same objects; check the replicas' clocks and the Lease."));
        }
        return new RuleGroup($"gitops-platform-{scope.Environment}", rules.ToImmutable());
    }
}
