using System.Globalization;
using System.Text;
using GitOps.GitHub.Checks;
using GitOps.Reconciler.Notifications;
using GitOps.Rollouts.Analysis;

namespace GitOps.GitHub.Notifications;

/// <summary>
/// The issue (or pull-request comment) that reports one automatic rollback: what was rolled back where, the analysis
/// that failed with its measurements, and the commands to retry or abort. The body starts with a hidden marker made of
/// the rollback's key, by which a restarted reconciler finds the report it already wrote instead of writing a second.
/// </summary>
public static class RollbackReport
{
    /// <summary>Label of rollback issues; issues are looked up by it before one is created.</summary>
    public const string Label = "gitops-rollback";

    /// <summary>Measurement rows shown; the rest are counted.</summary>
    private const int MaxRows = 100;

    public static string Marker(AutomaticRollback rollback) => $"<!-- gitops-rollback {rollback.Key} -->";

    public static string Title(AutomaticRollback rollback) =>
        $"Rollback: {rollback.Model} {rollback.Version} in {rollback.Environment} (analysis failed on {rollback.FailedMetric})";

    public static string Body(AutomaticRollback rollback)
    {
        var sb = new StringBuilder();
        sb.Append(Marker(rollback)).Append('\n');
        sb.Append($"### ⏪ {Escape(rollback.Model)} `{rollback.Version}` was rolled back in `{rollback.Environment}`\n\n");
        sb.Append($"The analysis of the rollout failed on **{Escape(rollback.FailedMetric)}**: {Escape(rollback.Reason)}\n\n");
        sb.Append("| | |\n|---|---|\n");
        sb.Append($"| Model | `{rollback.Model}` |\n");
        sb.Append($"| Version | `{rollback.Version}` |\n");
        sb.Append($"| Environment | `{rollback.Environment}` |\n");
        sb.Append($"| Commit | {rollback.Commit} |\n");
        sb.Append($"| Rollout | `{rollback.RolloutId}` |\n");
        sb.Append($"| Rolled back at | {Time(rollback.At)} |\n\n");

        var failed = rollback.Measurements.Where(m => m.Metric == rollback.FailedMetric).ToList();
        var others = rollback.Measurements.Length - failed.Count;
        sb.Append($"#### Measurements of {Escape(rollback.FailedMetric)}\n\n");
        if (failed.Count == 0)
        {
            sb.Append("No measurement was recorded for this metric.\n\n");
        }
        else
        {
            sb.Append("| Time | Value | Samples | Result | Why |\n|---|---|---|---|---|\n");
            foreach (var m in failed.Take(MaxRows))
            {
                sb.Append($"| {Time(m.At)} | {Number(m.Value)} | {Number(m.Samples)} | {Phase(m.Phase)} | {Escape(m.Reason)} |\n");
            }
            if (failed.Count > MaxRows)
            {
                sb.Append($"\n{failed.Count - MaxRows} earlier measurement(s) are not listed.\n");
            }
            sb.Append($"\nQuery: `{failed[^1].Query.ReplaceLineEndings(" ")}`\n\n");
        }
        if (others > 0)
        {
            sb.Append($"The analysis also took {others} measurement(s) of other metrics: {string.Join(", ", rollback.Measurements.Select(m => m.Metric).Where(m => m != rollback.FailedMetric).Distinct(StringComparer.Ordinal).Select(m => $"`{m}`"))}.\n\n");
        }
        sb.Append("#### What to do\n\n");
        sb.Append("The previous version serves all traffic again. To roll the same version out again from the first step:\n\n");
        sb.Append($"```sh\n{rollback.RetryCommand}\n```\n\n");
        sb.Append("To give the version up (it stays rejected until a new version is trained):\n\n");
        sb.Append($"```sh\n{rollback.AbortCommand}\n```\n\n");
        sb.Append("<sub>Written once per rollback by the GitOps ML reconciler.</sub>\n");
        return GitHubLimits.Fit(sb.ToString(), GitHubLimits.CommentBody, "the rollback report");
    }

    private static string Phase(MeasurementPhase phase) => phase switch
    {
        MeasurementPhase.Failed => "❌ failed",
        MeasurementPhase.Successful => "✅ passed",
        MeasurementPhase.Inconclusive => "❔ inconclusive",
        _ => "⚠️ error",
    };

    private static string Number(double? value) => value is { } v ? v.ToString("G6", CultureInfo.InvariantCulture) : "–";

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text
        .Replace("|", "\\|", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .ReplaceLineEndings(" ");
}
