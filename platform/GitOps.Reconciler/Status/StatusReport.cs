using System.Globalization;
using System.Text;
using GitOps.Reconciler.Loop;

namespace GitOps.Reconciler.Status;

/// <summary>
/// Computes the status an environment has after a pass (pure: the caller reads and saves it). The last applied
/// commit moves only when the cluster was converged to the new commit, so a stalled or failed commit leaves the
/// last good one in place.
/// </summary>
public static class StatusReport
{
    /// <summary>Most diagnostics kept in status; a ConfigMap must stay well under 1 MiB.</summary>
    public const int MaxDiagnostics = 50;

    /// <summary>Most plan lines (one per changed object) kept in status.</summary>
    public const int MaxPlanLines = 100;

    public static EnvironmentStatus Next(EnvironmentStatus current, ReconcileOutcome outcome, DateTimeOffset now)
    {
        var next = current with
        {
            Environment = outcome.Environment,
            LastAttemptedCommit = outcome.Commit ?? current.LastAttemptedCommit,
            Outcome = outcome.Name,
            LastAttemptTime = now,
            Held = outcome.IsSuccess ? (outcome.Held.IsEmpty ? null : string.Join('\n', outcome.Held)) : current.Held,
        };
        return outcome switch
        {
            ReconcileOutcome.Applied a => next with
            {
                LastAppliedCommit = a.Commit,
                LastAppliedTime = now,
                Message = a.DriftHealed > 0
                    ? $"applied {Short(a.Commit)}: {a.Plan} ({a.DriftHealed} drifted object(s) restored)"
                    : $"applied {Short(a.Commit)}: {a.Plan}",
                DiagnosticsSummary = null,
                PlanSummary = PlanText(a.Plan, a.Changes),
            },
            ReconcileOutcome.NoChange n => next with
            {
                LastAppliedCommit = n.Commit,
                LastAppliedTime = n.Commit == current.LastAppliedCommit ? current.LastAppliedTime : now,
                Message = n.Drift > 0
                    ? $"{Short(n.Commit)} is applied; {n.Drift} object(s) edited in the cluster left as they are (selfHeal is off)"
                    : $"{Short(n.Commit)} is applied; nothing to change",
                DiagnosticsSummary = null,
                PlanSummary = PlanText(n.Plan, []),
            },
            ReconcileOutcome.Stalled s => next with
            {
                Message = $"commit {Short(s.Commit)} stalled: {s.Reason}; the environment keeps "
                    + (s.LastGoodCommit is null ? "what it had (no commit applied yet)" : $"commit {Short(s.LastGoodCommit)}")
                    + "; push a fix",
                DiagnosticsSummary = DiagnosticsText(s),
                PlanSummary = null,
            },
            ReconcileOutcome.Retry r => next with
            {
                Message = $"retrying in {Seconds(r.After)}: {r.Reason}",
            },
            ReconcileOutcome.Refused r => next with
            {
                Message = $"refused by the API server: {r.Reason}; next try in {Seconds(r.After)}",
                DiagnosticsSummary = r.Objects.IsEmpty ? null
                    : string.Concat(r.Objects.Take(MaxDiagnostics).Select(o => o.ToString().ReplaceLineEndings(" ") + "\n")),
            },
            _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "unknown outcome"),
        };
    }

    /// <summary>True when <paramref name="commit"/> already stalled: the pass need not load it again.</summary>
    public static bool IsStalledAt(this EnvironmentStatus status, string commit) =>
        status.Outcome == "Stalled" && status.LastAttemptedCommit == commit;

    private static string DiagnosticsText(ReconcileOutcome.Stalled stalled)
    {
        var ordered = stalled.Diagnostics.Where(d => d.IsError).Concat(stalled.Diagnostics.Where(d => !d.IsError)).ToList();
        var text = new StringBuilder();
        foreach (var d in ordered.Take(MaxDiagnostics))
        {
            text.Append(d.ToString().ReplaceLineEndings(" ")).Append('\n');
        }
        if (ordered.Count > MaxDiagnostics)
        {
            text.Append(CultureInfo.InvariantCulture, $"… and {ordered.Count - MaxDiagnostics} more\n");
        }
        return text.ToString();
    }

    private static string PlanText(PlanSummary plan, IReadOnlyList<string> changes)
    {
        var text = new StringBuilder(plan.ToString()).Append('\n');
        foreach (var line in changes.Take(MaxPlanLines))
        {
            text.Append(line.ReplaceLineEndings(" ")).Append('\n');
        }
        if (changes.Count > MaxPlanLines)
        {
            text.Append(CultureInfo.InvariantCulture, $"… and {changes.Count - MaxPlanLines} more\n");
        }
        return text.ToString();
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    private static string Short(string? commit) => commit is null ? "-" : commit.Length > 12 ? commit[..12] : commit;
}
