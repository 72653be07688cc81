using System.Collections.Immutable;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;

namespace GitOps.Rollouts.Replay;

/// <summary>The verdict timeline of a replay: every measurement taken, every run, and what the rollout would have done.</summary>
public sealed record ReplayResult(
    ImmutableArray<Measurement> Measurements,
    ImmutableArray<ReplayedRun> Runs,
    ReplayOutcome Outcome,
    DateTimeOffset? DecidedAt,
    string? DecidingMetric,
    string Reason);

/// <summary>
/// Runs the analysis of a rollout policy over past answers (recorded measurements or Prometheus range data), with
/// exactly the assessment the reconciler uses (<see cref="MeasurementAssessor"/>, <see cref="AnalysisRuns"/>). Runs
/// follow one another from <c>from</c>: each measures its metrics every <c>interval</c>, taking for each due slot
/// the first answer at or after it; a Successful run is followed by the next, until the data ends (Passed), a run
/// ends Failed or Error (RolledBack), or Inconclusive (what <c>onInconclusive</c> says). Pure: time is the data's.
/// </summary>
public static class AnalysisReplay
{
    public static ReplayResult Run(
        RolloutPolicy policy,
        IReadOnlyList<string> metricNames,
        IEnumerable<RecordedObservation> observations,
        DateTimeOffset from,
        DateTimeOffset to)
    {
        var series = observations
            .Where(o => o.At >= from && o.At <= to)
            .GroupBy(o => o.Metric, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(o => o.At).ToArray(), StringComparer.Ordinal);
        var metrics = policy.Metrics;
        var measurements = ImmutableArray.CreateBuilder<Measurement>();
        var runs = ImmutableArray.CreateBuilder<ReplayedRun>();
        var run = AnalysisRuns.Start("replay-1", metricNames, from);
        // An answer is used once: the run after a Successful one starts where it ended and must not take its last answers again.
        var used = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (AnalysisRuns.Evaluate(run, metrics, from) is { Phase: AnalysisPhase.Error } undefined)
        {
            runs.Add(new ReplayedRun(1, undefined));
            return Finish(policy, measurements.ToImmutable(), runs.ToImmutable(), undefined);
        }
        while (true)
        {
            var next = NextAnswer(run, metrics, series, used);
            if (next is null)
            {
                runs.Add(new ReplayedRun(runs.Count + 1, run));
                return Finish(policy, measurements.ToImmutable(), runs.ToImmutable(), null);
            }
            var measurement = MeasurementAssessor.Assess(metrics[next.Metric], next.Observation, next.At);
            run = AnalysisRuns.Record(run, metrics, measurement, out var accepted);
            if (!accepted)
            {
                continue;
            }
            measurements.Add(measurement);
            used[next.Metric] = next.At;
            run = AnalysisRuns.Evaluate(run, metrics, next.At);
            if (!run.Phase.IsCompleted())
            {
                continue;
            }
            runs.Add(new ReplayedRun(runs.Count + 1, run));
            if (run.Phase != AnalysisPhase.Successful)
            {
                return Finish(policy, measurements.ToImmutable(), runs.ToImmutable(), run);
            }
            run = AnalysisRuns.Start($"replay-{runs.Count + 1}", metricNames, next.At);
        }
    }

    /// <summary>The earliest answer some running metric takes next: for each, the first answer at or after its due time.</summary>
    private static RecordedObservation? NextAnswer(
        AnalysisRun run, IReadOnlyDictionary<string, AnalysisMetric> metrics, Dictionary<string, RecordedObservation[]> series, Dictionary<string, DateTimeOffset> used)
    {
        RecordedObservation? best = null;
        var results = AnalysisRuns.Results(run, metrics).ToDictionary(r => r.Metric, StringComparer.Ordinal);
        foreach (var name in run.Metrics)
        {
            if (results[name].Phase.IsCompleted() || !series.TryGetValue(name, out var points)
                || MetricAssessor.NextDue(metrics[name], run.StartedAt, run.Measurements) is not { } due)
            {
                continue;
            }
            var index = FirstAtOrAfter(points, used.TryGetValue(name, out var last) && last >= due ? last.AddTicks(1) : due);
            if (index < points.Length && (best is null || points[index].At < best.At))
            {
                best = points[index];
            }
        }
        return best;
    }

    private static int FirstAtOrAfter(RecordedObservation[] points, DateTimeOffset at)
    {
        int lo = 0, hi = points.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (points[mid].At < at)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private static ReplayResult Finish(RolloutPolicy policy, ImmutableArray<Measurement> measurements, ImmutableArray<ReplayedRun> runs, AnalysisRun? decided)
    {
        if (decided is null)
        {
            var last = runs.LastOrDefault();
            var reason = last is { Verdict: AnalysisPhase.Running }
                ? $"the data ended while run {last.Number} was still measuring ({runs.Count(r => r.Verdict == AnalysisPhase.Successful)} run(s) Successful before it)"
                : $"{runs.Length} run(s), every one Successful";
            return new ReplayResult(measurements, runs, ReplayOutcome.Passed, null, null, reason);
        }
        var deciding = DecidingMetric(decided, policy);
        var outcome = decided.Phase switch
        {
            AnalysisPhase.Failed or AnalysisPhase.Error when policy.AutomaticRollback => ReplayOutcome.RolledBack,
            AnalysisPhase.Inconclusive when policy.OnInconclusive == InconclusiveAction.Abort => ReplayOutcome.RolledBack,
            AnalysisPhase.Inconclusive when policy.OnInconclusive == InconclusiveAction.Promote => ReplayOutcome.Passed,
            _ => ReplayOutcome.Paused,
        };
        return new ReplayResult(measurements, runs, outcome, decided.CompletedAt, deciding, $"{decided.Phase}: {decided.Reason}");
    }

    private static string? DecidingMetric(AnalysisRun run, RolloutPolicy policy) =>
        AnalysisRuns.Results(run, policy.Metrics).FirstOrDefault(r => r.Phase == run.Phase)?.Metric;
}
