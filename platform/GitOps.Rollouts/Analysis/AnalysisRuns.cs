using System.Collections.Immutable;

namespace GitOps.Rollouts.Analysis;

/// <summary>Pure operations on <see cref="AnalysisRun"/>: record a measurement, decide the verdict, list what is due.</summary>
public static class AnalysisRuns
{
    public static AnalysisRun Start(string id, IEnumerable<string> metrics, DateTimeOffset now) =>
        new() { Id = id, Metrics = [.. metrics.Distinct(StringComparer.Ordinal)], StartedAt = now };

    /// <summary>
    /// Adds a measurement when the run is running, the metric belongs to it and is due at the measurement's time.
    /// Anything else (a late answer for a finished run, a second answer for the same slot) is dropped, so a
    /// measurement is never counted twice.
    /// </summary>
    public static AnalysisRun Record(AnalysisRun run, IReadOnlyDictionary<string, AnalysisMetric> metrics, Measurement measurement, out bool accepted)
    {
        accepted = false;
        if (run.Phase.IsCompleted() || !run.Metrics.Contains(measurement.Metric)
            || !metrics.TryGetValue(measurement.Metric, out var metric)
            || MetricAssessor.NextDue(metric, run.StartedAt, run.Measurements) is not { } due
            || measurement.At < due)
        {
            return run;
        }
        accepted = true;
        return run with { Measurements = run.Measurements.Add(measurement) };
    }

    /// <summary>Every metric's verdict; a template the policy no longer defines is an Error.</summary>
    public static ImmutableArray<MetricResult> Results(AnalysisRun run, IReadOnlyDictionary<string, AnalysisMetric> metrics) =>
        [.. run.Metrics.Select(name => metrics.TryGetValue(name, out var metric)
            ? MetricAssessor.Assess(metric, run.Measurements)
            : new MetricResult(name, AnalysisPhase.Error, 0, 0, 0, 0, 0, $"analysis template '{name}' is not defined by the rollout policy"))];

    /// <summary>Sets the run's verdict: the worst metric's (Failed &gt; Error &gt; Inconclusive &gt; Running &gt; Successful).</summary>
    public static AnalysisRun Evaluate(AnalysisRun run, IReadOnlyDictionary<string, AnalysisMetric> metrics, DateTimeOffset now)
    {
        if (run.Phase.IsCompleted())
        {
            return run;
        }
        var results = Results(run, metrics);
        var worst = results.Aggregate(AnalysisPhase.Successful, (phase, r) => AnalysisPhases.Worst(phase, r.Phase));
        var deciding = results.Where(r => r.Phase == worst).ToArray();
        var reason = worst == AnalysisPhase.Successful
            ? "every metric successful"
            : string.Join("; ", deciding.Select(r => $"{r.Metric}: {r.Reason}"));
        return run with { Phase = worst, Reason = reason, CompletedAt = worst.IsCompleted() ? now : null };
    }

    /// <summary>The metrics of a running run whose next measurement is due at <paramref name="now"/>.</summary>
    public static ImmutableArray<string> Due(AnalysisRun run, IReadOnlyDictionary<string, AnalysisMetric> metrics, DateTimeOffset now)
    {
        if (run.Phase.IsCompleted())
        {
            return [];
        }
        return [.. run.Metrics.Where(name => metrics.TryGetValue(name, out var metric)
            && MetricAssessor.NextDue(metric, run.StartedAt, run.Measurements) is { } due && due <= now)];
    }

    /// <summary>The earliest time a metric of the run is due, or null when the run is complete.</summary>
    public static DateTimeOffset? NextDue(AnalysisRun run, IReadOnlyDictionary<string, AnalysisMetric> metrics) =>
        run.Phase.IsCompleted()
            ? null
            : run.Metrics.Select(name => metrics.TryGetValue(name, out var metric) ? MetricAssessor.NextDue(metric, run.StartedAt, run.Measurements) : null)
                .Where(d => d is not null).Min();
}
