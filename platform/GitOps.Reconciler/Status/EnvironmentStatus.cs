using System.Collections.Immutable;
using System.Globalization;
using GitOps.Reconciler.Loop;

namespace GitOps.Reconciler.Status;

/// <summary>
/// What the reconciler remembers about one environment between passes and across restarts (persisted in a ConfigMap
/// per environment). It is enough to resume without repeating work: a commit already applied is not re-applied,
/// and a commit that stalled is not loaded again until Git moves.
/// </summary>
/// <param name="Environment">Environment name.</param>
/// <param name="LastAppliedCommit">The last commit the cluster was converged to (the "last good" commit).</param>
/// <param name="LastAttemptedCommit">The last commit a pass looked at, whatever came of it.</param>
/// <param name="Outcome"><c>Applied</c>, <c>NoChange</c>, <c>Stalled</c> or <c>Retry</c>.</param>
/// <param name="Message">One line saying what happened, for <c>kubectl get configmap -o yaml</c> readers.</param>
/// <param name="Diagnostics">Compiler-style diagnostics of a stalled commit (at most <see cref="MaxDiagnostics"/>).</param>
/// <param name="Plan">Counts of the last plan.</param>
/// <param name="ConsecutiveFailures">Retries in a row; drives the backoff and survives restarts.</param>
/// <param name="UpdatedAt">When the status was written.</param>
/// <param name="LastSuccessAt">When a pass last ended in <c>Applied</c> or <c>NoChange</c>.</param>
/// <param name="TrainedVersions">Model versions known to be trained (<c>model@version</c>), kept after their Job is pruned.</param>
public sealed record EnvironmentStatus(
    string Environment,
    string? LastAppliedCommit,
    string? LastAttemptedCommit,
    string Outcome,
    string Message,
    ImmutableArray<string> Diagnostics,
    PlanSummary Plan,
    int ConsecutiveFailures,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastSuccessAt,
    ImmutableSortedSet<string> TrainedVersions)
{
    /// <summary>Most diagnostics kept in status; a ConfigMap must stay well under 1 MiB.</summary>
    public const int MaxDiagnostics = 50;

    /// <summary>The status of an environment never reconciled.</summary>
    public static EnvironmentStatus Initial(string environment) => new(
        environment, null, null, "", "", [], PlanSummary.Empty, 0, DateTimeOffset.MinValue, null,
        ImmutableSortedSet.Create<string>(StringComparer.Ordinal));

    /// <summary>The status after <paramref name="outcome"/>, computed from this one (pure).</summary>
    public EnvironmentStatus After(ReconcileOutcome outcome, ImmutableSortedSet<string> trainedVersions, DateTimeOffset now)
    {
        var next = this with
        {
            LastAttemptedCommit = outcome.Commit ?? LastAttemptedCommit,
            Outcome = outcome.Name,
            UpdatedAt = now,
            TrainedVersions = TrainedVersions.Union(trainedVersions),
        };
        return outcome switch
        {
            ReconcileOutcome.Applied a => next with
            {
                LastAppliedCommit = a.Commit,
                Message = a.DriftHealed > 0
                    ? $"applied {Short(a.Commit)}: {a.Plan} ({a.DriftHealed} drifted object(s) healed)"
                    : $"applied {Short(a.Commit)}: {a.Plan}",
                Diagnostics = [],
                Plan = a.Plan,
                ConsecutiveFailures = 0,
                LastSuccessAt = now,
            },
            ReconcileOutcome.NoChange n => next with
            {
                LastAppliedCommit = n.Commit,
                Message = n.Drift > 0
                    ? $"{Short(n.Commit)} is applied; {n.Drift} object(s) drifted and self-heal is off"
                    : $"{Short(n.Commit)} is applied; no change",
                Diagnostics = [],
                Plan = n.Plan,
                ConsecutiveFailures = 0,
                LastSuccessAt = now,
            },
            ReconcileOutcome.Stalled s => next with
            {
                Message = $"commit {Short(s.Commit)} stalled: {s.Reason}; keeping {(s.LastGoodCommit is null ? "nothing applied yet" : Short(s.LastGoodCommit))}",
                Diagnostics = [.. s.Diagnostics.Where(d => d.IsError).Concat(s.Diagnostics.Where(d => !d.IsError))
                    .Take(MaxDiagnostics).Select(d => d.ToString().ReplaceLineEndings(" "))],
                Plan = PlanSummary.Empty,
                ConsecutiveFailures = 0,
            },
            ReconcileOutcome.Retry r => next with
            {
                Message = $"retrying in {r.After.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s: {r.Reason}",
                ConsecutiveFailures = ConsecutiveFailures + 1,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "unknown outcome"),
        };
    }

    /// <summary>True when <paramref name="commit"/> already stalled and nothing new needs to be tried.</summary>
    public bool IsStalledAt(string commit) => Outcome == "Stalled" && LastAttemptedCommit == commit;

    private static string Short(string? commit) => commit is null ? "-" : commit.Length > 12 ? commit[..12] : commit;
}
