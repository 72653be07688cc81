using System.Collections.Immutable;
using GitOps.Reconciler.Analysis;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;
using GitOps.Specs;

namespace GitOps.Reconciler.Rollouts;

/// <summary>
/// Carries out the rollout machine's <see cref="MeasureRequest"/>s: fills each metric's PromQL template for the
/// canary, asks the metrics port, and, for <c>minSamples</c>, counts the requests of the window with
/// <see cref="QueryTemplate.SamplesQuery"/>. Never throws for a backend problem: it comes back as an Error observation.
/// </summary>
public static class AnalysisMeasurements
{
    public static async Task<ImmutableArray<RunObservation>> TakeAsync(IEnumerable<MeasureRequest> requests, RolloutPolicy policy,
        IMetricsQuery? metrics, QueryValues values, DateTimeOffset now, CancellationToken ct)
    {
        var observations = ImmutableArray.CreateBuilder<RunObservation>();
        foreach (var request in requests)
        {
            if (!policy.Metrics.TryGetValue(request.Metric, out var metric))
            {
                continue;
            }
            var forRequest = values with { Version = request.Version, Track = request.Track };
            observations.Add(new RunObservation(request.RunId, request.Metric, now, await ObserveAsync(metric, metrics, forRequest, now, ct)));
        }
        return observations.ToImmutable();
    }

    private static async Task<Observation> ObserveAsync(AnalysisMetric metric, IMetricsQuery? metrics, QueryValues values,
        DateTimeOffset now, CancellationToken ct)
    {
        var (query, error) = QueryTemplate.Render(metric.Query, values);
        if (query is null)
        {
            return Observation.Failed(metric.Query, $"the query template of '{metric.Name}' cannot be filled: {error}");
        }
        if (metrics is null)
        {
            return Observation.Failed(query, "the environment sets no spec.prometheus.url, so the analysis cannot query Prometheus");
        }
        var observation = await metrics.QueryAsync(query, now, ct);
        if (metric.MinSamples <= 0 || observation.Kind == ObservationKind.Error)
        {
            return observation;
        }
        var (samplesQuery, samplesError) = QueryTemplate.Render(QueryTemplate.SamplesQuery, values, Durations.Format(metric.Interval));
        if (samplesQuery is null)
        {
            return Observation.Failed(query, $"cannot count the requests for minSamples: {samplesError}");
        }
        var samples = await metrics.QueryAsync(samplesQuery, now, ct);
        return samples.Kind switch
        {
            ObservationKind.Error => Observation.Failed(query, $"cannot count the requests for minSamples: {samples.Error}"),
            ObservationKind.NoData => observation with { Samples = 0 },
            _ => observation with { Samples = samples.Value is { } n && double.IsFinite(n) ? n : 0 },
        };
    }
}
