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
    private static readonly string[] Phases = [.. Enum.GetValues<RolloutPhase>().Select(p => p.ToString())];

    private readonly Gauge _phase;
    private readonly Gauge _weight;
    private readonly Counter _measurements;
    private readonly Counter _verdicts;
    private readonly Counter _rollbacks;

    public RolloutMetrics(IMetricFactory factory)
    {
        _phase = factory.CreateGauge(PlatformMetrics.RolloutPhase,
            "1 for the current phase of each model's rollout (Healthy, Progressing, Paused, Degraded), 0 for the others.",
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

    public void SetState(string environment, string model, RolloutPhase phase, int weight)
    {
        foreach (var p in Phases)
        {
            _phase.WithLabels(environment, model, p).Set(p == phase.ToString() ? 1 : 0);
        }
        _weight.WithLabels(environment, model).Set(weight);
    }

    public void Measured(string environment, string model, Measurement measurement) =>
        _measurements.WithLabels(environment, model, measurement.Metric, measurement.Phase.ToString()).Inc();

    public void Verdict(string environment, string model, AnalysisPhase verdict) =>
        _verdicts.WithLabels(environment, model, verdict.ToString()).Inc();

    public void RolledBack(string environment, string model) => _rollbacks.WithLabels(environment, model).Inc();
}
