using GitOps.Specs;
using GitOps.Specs.Model;

namespace GitOps.Rollouts.Analysis;

/// <summary>An analysis template with its defaults applied and its durations parsed.</summary>
public sealed record AnalysisMetric
{
    /// <summary>A query that failed is asked again this long after, instead of waiting a full interval.</summary>
    public static readonly TimeSpan ErrorRetryDelay = TimeSpan.FromSeconds(10);

    public required string Name { get; init; }
    public required string Query { get; init; }
    /// <summary>The business KPI whose query <see cref="Query"/> is, when the template names one.</summary>
    public string? Kpi { get; init; }
    public string? SuccessCondition { get; init; }
    public string? FailureCondition { get; init; }
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);
    public int Count { get; init; } = 5;
    public int FailureLimit { get; init; }
    public int InconclusiveLimit { get; init; }
    public int ErrorLimit { get; init; } = 4;
    public int MinSamples { get; init; }
    public MeasurementPhase OnNoData { get; init; } = MeasurementPhase.Inconclusive;

    /// <summary>
    /// From a validated template; an unparsable interval (rejected by validation) falls back to 1m. A template that
    /// names a KPI takes that KPI's query from <paramref name="monitoring"/>, the section of the model being rolled out;
    /// without it (or without that KPI, which validation refuses) the query is empty and every measurement an error.
    /// </summary>
    public static AnalysisMetric From(AnalysisTemplate t, MonitoringSpec? monitoring = null) => new()
    {
        Name = t.Name,
        Query = t.Kpi is { } kpi ? monitoring?.Kpi(kpi)?.Query ?? "" : t.Query,
        Kpi = t.Kpi,
        SuccessCondition = t.SuccessCondition,
        FailureCondition = t.FailureCondition,
        Interval = Durations.TryParse(t.Interval, out var interval) && interval > TimeSpan.Zero ? interval : TimeSpan.FromMinutes(1),
        Count = Math.Max(1, t.Count),
        FailureLimit = Math.Max(0, t.FailureLimit),
        InconclusiveLimit = Math.Max(0, t.InconclusiveLimit),
        ErrorLimit = Math.Max(0, t.ErrorLimit),
        MinSamples = Math.Max(0, t.MinSamples),
        OnNoData = t.OnNoData switch
        {
            "failed" => MeasurementPhase.Failed,
            "successful" => MeasurementPhase.Successful,
            _ => MeasurementPhase.Inconclusive,
        },
    };
}
