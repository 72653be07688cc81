using System.Collections.Immutable;

namespace GitOps.Specs.Model;

/// <summary>
/// A model's <c>monitoring</c> section: what to watch once it is live. Each part becomes alert rules
/// (docs/monitoring.md); the platform's own alerts need no spec.
/// </summary>
public sealed record MonitoringSpec
{
    public ServiceLevels? Slo { get; init; }
    public DriftLimits? Drift { get; init; }
    public DataQualityLimits? DataQuality { get; init; }
    public ImmutableArray<BusinessKpi> Kpis { get; init; } = [];

    /// <summary>The KPI named <paramref name="name"/>, or null.</summary>
    public BusinessKpi? Kpi(string name) => Kpis.FirstOrDefault(k => k.Name == name);
}

/// <summary>Objectives of the inference endpoint over <see cref="Window"/>, alerted on by multi-window burn rate.</summary>
/// <param name="Availability">Percent of requests answered without a 5xx, e.g. 99.9.</param>
public sealed record ServiceLevels(double? Availability, LatencyObjective? Latency, string Window);

/// <summary><see cref="Objective"/> percent of requests are answered within <see cref="Threshold"/>.</summary>
public sealed record LatencyObjective(string Threshold, double Objective);

/// <summary>Population stability index limits of the inputs (overall and per feature) and of the score.</summary>
public sealed record DriftLimits(double Threshold, ImmutableSortedDictionary<string, double> Features, double Score, string For);

/// <summary>Largest shares of rows with a missing/NaN value or a value outside the training range, per feature.</summary>
public sealed record DataQualityLimits(double MissingRate, double OutOfRangeRate, string For);

/// <summary>A business KPI: a named PromQL query, optionally alerted on when it leaves a range.</summary>
public sealed record BusinessKpi(string Name, string Query, string? Description, KpiAlert? Alert);

/// <summary>Alert when the KPI is below <see cref="Below"/> or above <see cref="Above"/> for <see cref="For"/>.</summary>
public sealed record KpiAlert(double? Below, double? Above, string For, string Severity);
