using System.Collections.Immutable;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Replay;
using GitOps.Rollouts.Rollout;
using GitOps.Specs;

namespace GitOps.Reconciler.Analysis;

/// <summary>
/// Reads what a rollout policy's analysis queries would have answered over a past window, with Prometheus range
/// queries (one per metric, step = the metric's interval, plus the request count for <c>minSamples</c>), as the
/// answers <see cref="AnalysisReplay"/> assesses. A time of the grid where Prometheus has no point is no data, as
/// an instant query would have answered then.
/// </summary>
public static class AnalysisHistory
{
    /// <summary>The answers, or the first query that could not be rendered or answered (and why).</summary>
    public static async Task<(ImmutableArray<RecordedObservation> Observations, string? Error)> ReadAsync(
        IMetricsQuery prometheus,
        RolloutPolicy policy,
        IReadOnlyList<string> metricNames,
        QueryValues values,
        DateTimeOffset from,
        DateTimeOffset to,
        CancellationToken ct)
    {
        var all = ImmutableArray.CreateBuilder<RecordedObservation>();
        foreach (var name in metricNames)
        {
            var metric = policy.Metrics[name];
            var (query, renderError) = QueryTemplate.Render(metric.Query, values);
            if (query is null)
            {
                return ([], $"analysis template {name}: {renderError}");
            }
            var answer = await prometheus.QueryRangeAsync(query, from, to, metric.Interval, ct);
            if (answer.Error is { } error)
            {
                return ([], $"analysis template {name}: {error}");
            }
            Dictionary<long, double>? samples = null;
            if (metric.MinSamples > 0)
            {
                var (samplesQuery, samplesError) = QueryTemplate.Render(QueryTemplate.SamplesQuery, values, Durations.Format(metric.Interval));
                if (samplesQuery is null)
                {
                    return ([], $"analysis template {name} (request count for minSamples): {samplesError}");
                }
                var counted = await prometheus.QueryRangeAsync(samplesQuery, from, to, metric.Interval, ct);
                if (counted.Error is { } countError)
                {
                    return ([], $"analysis template {name} (request count for minSamples): {countError}");
                }
                samples = counted.Points.ToDictionary(p => p.At.ToUnixTimeSeconds(), p => p.Value);
            }
            // Prometheus answers in (fractional) Unix seconds on the grid start + k × step.
            var points = answer.Points.ToDictionary(p => p.At.ToUnixTimeSeconds(), p => p.Value);
            for (var at = from; at <= to; at += metric.Interval)
            {
                double? n = samples is null ? null : samples.TryGetValue(at.ToUnixTimeSeconds(), out var c) ? c : 0;
                all.Add(new RecordedObservation(name, at, points.TryGetValue(at.ToUnixTimeSeconds(), out var value)
                    ? Observation.Of(query, value, n)
                    : Observation.NoData(query, n)));
            }
        }
        return (all.ToImmutable(), null);
    }
}
