using System.Collections.Immutable;
using GitOps.Rollouts.Analysis;

namespace GitOps.Reconciler.Analysis;

/// <summary>
/// The metrics port: asks a metrics backend (Prometheus) for the value of an analysis query. Never throws for a
/// backend problem: an unreachable, slow or failing backend, or an answer of the wrong shape, comes back as an
/// <see cref="ObservationKind.Error"/> observation so that the analysis counts it as the semantics say.
/// </summary>
public interface IMetricsQuery
{
    /// <summary>The query's single number at <paramref name="at"/> (an instant query).</summary>
    Task<Observation> QueryAsync(string query, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The query's value at every <paramref name="step"/> from <paramref name="from"/> to <paramref name="to"/> (a range query).</summary>
    Task<RangeAnswer> QueryRangeAsync(string query, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken);
}

/// <summary>One point of a range answer.</summary>
public readonly record struct MetricPoint(DateTimeOffset At, double Value);

/// <summary>The points of a range query's single series (none when the result was empty), or why there are none.</summary>
public sealed record RangeAnswer(string Query, ImmutableArray<MetricPoint> Points, string? Error)
{
    public static RangeAnswer Failed(string query, string error) => new(query, [], error);
}
