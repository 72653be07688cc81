using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Replay;

namespace GitOps.Cli.Rollouts;

/// <summary>What <c>gitops analyze</c> prints: the verdict timeline of a replay and the sentence that sums it up.</summary>
public static class ReplayReport
{
    public static string Verdict(ReplayResult result) => result.Outcome switch
    {
        ReplayOutcome.RolledBack =>
            $"With this policy, this rollout would have been aborted at {Clock(result.DecidedAt)} by {result.DecidingMetric} ({result.Reason}).",
        ReplayOutcome.Paused =>
            $"With this policy, this rollout would have paused for a human at {Clock(result.DecidedAt)}: {result.DecidingMetric} was {result.Reason}.",
        _ => $"With this policy, this rollout would not have been aborted: {result.Reason}.",
    };

    public static string Text(string heading, ReplayResult result)
    {
        var text = new StringBuilder(heading).Append("\n\n");
        var width = result.Measurements.Select(m => m.Metric.Length).DefaultIfEmpty(6).Max();
        var runs = new Queue<ReplayedRun>(result.Runs);
        foreach (var m in result.Measurements)
        {
            while (runs.TryPeek(out var run) && run.Run.CompletedAt is { } done && done < m.At)
            {
                RunLine(text, runs.Dequeue());
            }
            text.Append($"{RolloutTree.Time(m.At)}  {m.Metric.PadRight(width)}  {RolloutTree.Icon(m.Phase)} {m.Phase,-12} {RolloutTree.Value(m.Value)}"
                + $"{(m.Samples is { } n ? $" ({RolloutTree.Value(n)} requests)" : "")}  {m.Reason}\n");
        }
        while (runs.TryDequeue(out var run))
        {
            RunLine(text, run);
        }
        return text.Append('\n').Append(Verdict(result)).Append('\n').ToString();
    }

    public static string Json(JsonObject header, ReplayResult result)
    {
        header["outcome"] = JsonNamingPolicy.CamelCase.ConvertName(result.Outcome.ToString());
        header["decidedAt"] = result.DecidedAt is { } at ? RolloutTree.Time(at) : null;
        header["metric"] = result.DecidingMetric;
        header["reason"] = result.Reason;
        header["verdict"] = Verdict(result);
        header["runs"] = new JsonArray([.. result.Runs.Select(r => (JsonNode)new JsonObject
        {
            ["number"] = r.Number,
            ["verdict"] = JsonNamingPolicy.CamelCase.ConvertName(r.Verdict.ToString()),
            ["startedAt"] = RolloutTree.Time(r.Run.StartedAt),
            ["completedAt"] = r.Run.CompletedAt is { } c ? RolloutTree.Time(c) : null,
            ["reason"] = r.Run.Reason,
        })]);
        header["measurements"] = new JsonArray([.. result.Measurements.Select(m => (JsonNode)new JsonObject
        {
            ["metric"] = m.Metric,
            ["at"] = RolloutTree.Time(m.At),
            ["value"] = m.Value is { } v && double.IsFinite(v) ? v : null,
            ["samples"] = m.Samples,
            ["phase"] = JsonNamingPolicy.CamelCase.ConvertName(m.Phase.ToString()),
            ["reason"] = m.Reason,
        })]);
        return header.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static void RunLine(StringBuilder text, ReplayedRun run) =>
        text.Append($"  run {run.Number}: {run.Verdict}"
            + (run.Run.CompletedAt is { } done ? $" at {RolloutTree.Time(done)}" : " (data ended)")
            + (run.Run.Reason.Length > 0 && run.Verdict != AnalysisPhase.Running ? $": {run.Run.Reason}" : "") + "\n");

    private static string Clock(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("HH:mm' UTC on 'yyyy-MM-dd", CultureInfo.InvariantCulture) : "?";
}
