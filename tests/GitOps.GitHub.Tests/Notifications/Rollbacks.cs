using System.Collections.Immutable;
using GitOps.Reconciler.Notifications;
using GitOps.Rollouts.Analysis;

namespace GitOps.GitHub.Tests.Notifications;

/// <summary>A rollback of <c>fraud</c> v7 in prod whose error-rate analysis failed twice.</summary>
internal static class Rollbacks
{
    public const string Commit = "9fceb02d0ae598e95dc970b74767f19372d61af8";

    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public static AutomaticRollback Fraud(string rolloutId = "fraud-v7-1", string commit = Commit) => new(
        "prod", commit, Start.AddMinutes(3), "fraud", "v7", rolloutId, "error-rate",
        "error-rate failed 2 of 2 measurements (limit 2): 0.083 > 0.01",
        [
            new Measurement("error-rate", Start.AddMinutes(1), "sum(rate(errors{model=\"fraud\",track=\"canary\"}[1m])) / sum(rate(requests{model=\"fraud\",track=\"canary\"}[1m]))", 0.0714, 412, MeasurementPhase.Failed, "0.0714 > 0.01"),
            new Measurement("latency-p99", Start.AddMinutes(1), "histogram_quantile(0.99, ...)", 0.042, 412, MeasurementPhase.Successful, "0.042 <= 0.25"),
            new Measurement("error-rate", Start.AddMinutes(2), "sum(rate(errors{model=\"fraud\",track=\"canary\"}[1m])) / sum(rate(requests{model=\"fraud\",track=\"canary\"}[1m]))", 0.0833, 398, MeasurementPhase.Failed, "0.0833 > 0.01"),
        ],
        "gitops rollout retry fraud --env prod",
        "gitops rollout abort fraud --env prod");

    public static ImmutableArray<Measurement> None => [];
}
