using System.Collections.Concurrent;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;
using GitOps.Specs.Contracts;
using Prometheus;

namespace GitOps.Reconciler.Metrics;

/// <summary>
/// The rollouts' metrics, in the reconciler's registry: phase and weight of each model's rollout, measurements and
/// verdicts of the analysis, automatic and manual rollbacks. Names are documented in <c>docs/rollouts.md</c>.
/// </summary>
public sealed class RolloutMetrics
{
    private readonly Gauge _phase;
    private readonly Gauge _weight;
    private readonly Counter _measurements;
    private readonly Counter _verdicts;
    private readonly Counter _rollbacks;

    /// <summary>The phase each rollout's series was last set for, so that a change of phase removes the old series.</summary>
    private readonly ConcurrentDictionary<(string Environment, string Model), RolloutPhase> _phases = new();

    public RolloutMetrics(IMetricFactory factory)
    {
        _phase = factory.CreateGauge(PlatformMetrics.RolloutPhase,
            "1, labelled with the current phase of each model's rollout (Healthy, Progressing, Paused, Degraded): one series per rollout.",
            new GaugeConfiguration { LabelNames = ["environment", "model", "phase"] });
        _weight = factory.CreateGauge(PlatformMetrics.RolloutWeight,
            "Percent of live traffic the rollout sends to the new version (canary).",
            new GaugeConfiguration { LabelNames = ["environment", "model"] });
        _measurements = factory.CreateCounter(PlatformMetrics.AnalysisMeasurements,
            "Analysis measurements counted, by phase (Successful, Failed, Inconclusive, Error).",
            new CounterConfiguration { LabelNames = ["environment", "model", "metric", "phase"] });
        _verdicts = factory.CreateCounter(PlatformMetrics.AnalysisVerdicts,
            "Analysis runs that reached a verdict (Successful, Failed, Inconclusive, Error).",
            new CounterConfiguration { LabelNames = ["environment", "model", "verdict"] });
        _rollbacks = factory.CreateCounter(PlatformMetrics.Rollbacks,
            "New versions rolled back (by analysis, progressDeadline or abort).",
            new CounterConfiguration { LabelNames = ["environment", "model"] });
    }

    /// <summary>
    /// One phase series per rollout, labelled with its current phase: a series for every phase of every model, mostly
    /// zeros, would be four times the series for the same information, in this process and in every Prometheus that
    /// scrapes it. The new phase's series is set before the old one goes, so a scrape never finds the rollout without
    /// one.
    /// </summary>
    public void SetState(string environment, string model, RolloutPhase phase, int weight)
    {
        var key = (environment, model);
        _phase.WithLabels(environment, model, phase.ToString()).Set(1);
        if (_phases.TryGetValue(key, out var old) && old != phase)
        {
            _phase.RemoveLabelled(environment, model, old.ToString());
        }
        _phases[key] = phase;
        _weight.WithLabels(environment, model).Set(weight);
    }

    /// <summary>
    /// Removes the phase and weight series of the rollouts of <paramref name="environment"/> whose model is not in
    /// <paramref name="models"/> (removed from the repository, or no longer served there): a gauge says how things are
    /// now, and a model that is gone is in no phase. Counters stay: what happened did happen.
    /// </summary>
    public void Retain(string environment, IReadOnlySet<string> models)
    {
        foreach (var entry in _phases)
        {
            var (env, model) = entry.Key;
            if (env == environment && !models.Contains(model) && _phases.TryRemove(entry))
            {
                _phase.RemoveLabelled(env, model, entry.Value.ToString());
                _weight.RemoveLabelled(env, model);
            }
        }
    }

    public void Measured(string environment, string model, Measurement measurement) =>
        _measurements.WithLabels(environment, model, measurement.Metric, measurement.Phase.ToString()).Inc();

    public void Verdict(string environment, string model, AnalysisPhase verdict) =>
        _verdicts.WithLabels(environment, model, verdict.ToString()).Inc();

    public void RolledBack(string environment, string model) => _rollbacks.WithLabels(environment, model).Inc();
}
