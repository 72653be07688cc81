using System.Globalization;
using System.Text;
using GitOps.Reconciler.Rollouts;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;

namespace GitOps.Cli.Rollouts;

/// <summary>
/// <c>gitops rollout status</c> as text, laid out like <c>kubectl argo rollouts get rollout</c>: a summary, the
/// steps with the current one marked, each analysis run with every measurement and its verdict, the rejected
/// versions and the latest transitions.
/// </summary>
public static class RolloutTree
{
    /// <summary>Measurements shown per metric (newest); <c>-o json</c> has all of them.</summary>
    public const int MeasurementsShown = 10;

    /// <summary>Transitions shown (newest).</summary>
    public const int HistoryShown = 8;

    public static string Render(StoredRollout rollout, RolloutPolicy? policy)
    {
        var s = rollout.State;
        var text = new StringBuilder();
        Field(text, "Name", rollout.Model);
        Field(text, "Environment", rollout.Environment);
        Field(text, "Status", $"{Icon(s.Phase)} {s.Phase}");
        if (Message(s) is { } message)
        {
            Field(text, "Message", message);
        }
        Field(text, "Strategy", policy is null ? "direct (no rollout policy)" : $"{Name(policy.Strategy)} (policy {policy.Name})");
        if (policy is { Strategy: RolloutStrategy.Canary } && s.InProgress)
        {
            Field(text, "  Step", $"{Math.Min(s.StepIndex + 1, policy.Steps.Length)}/{policy.Steps.Length}");
        }
        Field(text, "  Weight", $"{s.Weight}%");
        if (s.HeaderRoute is { } route)
        {
            Field(text, "  Header route", $"{route.Header}: {route.Value} → canary");
        }
        if (s.Mirror > 0)
        {
            Field(text, "  Mirror", $"{s.Mirror}% (responses discarded)");
        }
        Field(text, "Stable", s.Stable ?? "(none yet)");
        if (s.Canary is { } canary)
        {
            Field(text, s.Phase == RolloutPhase.Degraded ? "Rolled back" : s.InProgress ? "Canary" : "Last canary", canary);
        }
        if (s.PreviousStable is { } previous)
        {
            Field(text, "Previous", $"{previous} (kept until {Time(s.ScaleDownAt)} for an instant abort)");
        }
        foreach (var pending in rollout.PendingCommands)
        {
            Field(text, "Pending", $"{RolloutCommands.Name(pending.Command.Kind)} by {pending.Command.Actor} at {Time(pending.Command.At)} (waiting for the reconciler)");
        }

        if (policy is { Steps.Length: > 0 } && policy.Strategy == RolloutStrategy.Canary)
        {
            text.Append("\nSteps\n");
            for (var i = 0; i < policy.Steps.Length; i++)
            {
                var marker = !s.InProgress ? (s.Phase == RolloutPhase.Healthy && s.Canary is not null ? "✔" : " ")
                    : i < s.StepIndex ? "✔"
                    : i == s.StepIndex ? (s.Phase == RolloutPhase.Paused ? "॥" : "►")
                    : " ";
                text.Append(i == policy.Steps.Length - 1 ? "└── " : "├── ").Append(marker).Append(' ')
                    .Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(". ").Append(policy.Steps[i]).Append('\n');
            }
        }

        var runs = new List<(string Kind, AnalysisRun Run)>();
        runs.AddRange(s.PastRuns.Select(r => ("finished", r)));
        if (s.StepAnalysis is { } step)
        {
            runs.Add(("step", step));
        }
        if (s.BackgroundAnalysis is { } background)
        {
            runs.Add(("background", background));
        }
        if (runs.Count > 0)
        {
            text.Append("\nAnalysis\n");
            for (var i = 0; i < runs.Count; i++)
            {
                Run(text, runs[i].Kind, runs[i].Run, policy, i == runs.Count - 1);
            }
        }

        if (!s.Rejected.IsEmpty)
        {
            text.Append("\nRejected\n");
            for (var i = 0; i < s.Rejected.Length; i++)
            {
                var r = s.Rejected[i];
                text.Append(i == s.Rejected.Length - 1 ? "└── " : "├── ").Append($"✖ {r.Version} at {Time(r.At)}: {r.Reason}\n");
            }
        }

        if (!s.History.IsEmpty)
        {
            text.Append("\nHistory\n");
            foreach (var e in s.History.TakeLast(HistoryShown))
            {
                text.Append($"  {Time(e.At)}  {e.Kind,-17} {e.Message}{(e.Actor is null ? "" : $" (by {e.Actor}{(e.GivenAt is { } given ? $", given {Time(given)}" : "")})")}\n");
            }
        }
        return text.ToString();
    }

    private static void Run(StringBuilder text, string kind, AnalysisRun run, RolloutPolicy? policy, bool last)
    {
        var branch = last ? "└── " : "├── ";
        var indent = last ? "    " : "│   ";
        text.Append(branch).Append($"{Icon(run.Phase)} {run.Id} ({kind}) {run.Phase}, started {Time(run.StartedAt)}");
        if (run.CompletedAt is { } done)
        {
            text.Append($", ended {Time(done)}");
        }
        text.Append('\n');
        if (run.Phase.IsCompleted() && run.Reason.Length > 0)
        {
            text.Append(indent).Append("    ").Append(run.Reason).Append('\n');
        }
        var results = policy is null ? [] : AnalysisRuns.Results(run, policy.Metrics).ToDictionary(r => r.Metric, StringComparer.Ordinal);
        for (var i = 0; i < run.Metrics.Length; i++)
        {
            var metric = run.Metrics[i];
            var lastMetric = i == run.Metrics.Length - 1;
            var taken = run.Measurements.Where(m => m.Metric == metric).ToList();
            text.Append(indent).Append(lastMetric ? "└── " : "├── ").Append(metric);
            if (results.TryGetValue(metric, out var result))
            {
                text.Append($"  {Icon(result.Phase)} {result.Phase}");
            }
            text.Append($"  ✔ {Count(taken, MeasurementPhase.Successful)}  ✖ {Count(taken, MeasurementPhase.Failed)}  ? {Count(taken, MeasurementPhase.Inconclusive)}  ⚠ {Count(taken, MeasurementPhase.Error)}\n");
            var inner = indent + (lastMetric ? "    " : "│   ");
            if (taken.Count > MeasurementsShown)
            {
                text.Append(inner).Append($"… {taken.Count - MeasurementsShown} earlier measurement(s) (see -o json)\n");
            }
            var shown = taken.TakeLast(MeasurementsShown).ToList();
            for (var j = 0; j < shown.Count; j++)
            {
                var m = shown[j];
                text.Append(inner).Append(j == shown.Count - 1 ? "└── " : "├── ")
                    .Append($"{m.At.UtcDateTime:HH:mm:ss} {Icon(m.Phase)} {m.Phase,-12} {Value(m.Value)}{(m.Samples is { } n ? $" ({Value(n)} requests)" : "")}  {m.Reason}\n");
            }
        }
    }

    private static int Count(List<Measurement> measurements, MeasurementPhase phase) => measurements.Count(m => m.Phase == phase);

    private static string? Message(RolloutState s) => s.Phase switch
    {
        RolloutPhase.Paused => s.PauseReason ?? "paused: run 'gitops rollout promote' to continue or 'gitops rollout abort' to roll back",
        RolloutPhase.Degraded => s.Canary is { } c && s.Rejected.LastOrDefault(r => r.Version == c) is { } r
            ? $"{c} rolled back: {r.Reason}; 'gitops rollout retry' starts it again"
            : null,
        RolloutPhase.Healthy when s.Canary is null => s.Stable is null ? "nothing deployed yet" : "no rollout in progress",
        _ => null,
    };

    private static void Field(StringBuilder text, string name, string value) => text.Append($"{name + ":",-16} {value}\n");

    private static string Name(RolloutStrategy strategy) => strategy switch
    {
        RolloutStrategy.BlueGreen => "blueGreen",
        RolloutStrategy.Direct => "direct",
        _ => "canary",
    };

    public static string Icon(RolloutPhase phase) => phase switch
    {
        RolloutPhase.Healthy => "✔",
        RolloutPhase.Progressing => "◌",
        RolloutPhase.Paused => "॥",
        _ => "✖",
    };

    private static string Icon(AnalysisPhase phase) => phase switch
    {
        AnalysisPhase.Successful => "✔",
        AnalysisPhase.Running => "◌",
        AnalysisPhase.Inconclusive => "?",
        AnalysisPhase.Error => "⚠",
        _ => "✖",
    };

    public static string Icon(MeasurementPhase phase) => phase switch
    {
        MeasurementPhase.Successful => "✔",
        MeasurementPhase.Inconclusive => "?",
        MeasurementPhase.Error => "⚠",
        _ => "✖",
    };

    public static string Value(double? value) => value is { } v ? MeasurementAssessor.Format(v) : "-";

    public static string Time(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";
}
