using System.Collections.Immutable;
using GitOps.Rollouts.Analysis;
using GitOps.Specs;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;

namespace GitOps.Planning.Monitoring;

/// <summary>
/// The alert rules of one model in one environment: SLO burn rates, drift, data quality and KPIs from its
/// <c>monitoring</c> section, and the lifecycle alerts every served model gets (training failed, rolled back).
/// Labels route by owner: <c>owner</c> is <c>spec.owner</c>, <c>team</c> the model's <c>team</c> label when it has one.
/// </summary>
public static class ModelAlerts
{
    public const string ErrorBudgetBurn = "GitOpsModelErrorBudgetBurn";
    public const string LatencyBudgetBurn = "GitOpsModelLatencyBudgetBurn";
    public const string FeatureDrift = "GitOpsModelFeatureDrift";
    public const string ScoreDrift = "GitOpsModelScoreDrift";
    public const string MissingValues = "GitOpsModelMissingValues";
    public const string OutOfRangeValues = "GitOpsModelOutOfRangeValues";
    public const string KpiOutOfRange = "GitOpsModelKpiOutOfRange";
    public const string TrainingFailed = "GitOpsModelTrainingFailed";
    public const string RolledBack = "GitOpsModelRolledBack";

    /// <summary>Metrics the serving process exports for drift and data quality (see docs/monitoring.md).</summary>
    public const string FeatureDriftMetric = MonitoringMetrics.FeatureDriftPsi;
    public const string ScoreDriftMetric = MonitoringMetrics.ScoreDriftPsi;
    public const string MissingValuesMetric = MonitoringMetrics.MissingValues;
    public const string OutOfRangeMetric = MonitoringMetrics.OutOfRange;

    private const string Requests = InferenceMetrics.RequestsTotal;
    private const string Duration = InferenceMetrics.RequestDuration;
    private const string Rows = InferenceMetrics.BatchSize + "_sum";

    public static RuleGroup For(ModelSpec model, AlertScope scope)
    {
        var rules = ImmutableArray.CreateBuilder<AlertRule>();
        var labels = RouteLabels(model, scope);
        string[] serving = [PromQl.Eq("namespace", scope.Namespace), PromQl.Eq("model", model.Name)];
        var monitoring = model.Spec.Monitoring;

        if (monitoring?.Slo is { } slo && Durations.TryParse(slo.Window, out var window) && window > TimeSpan.Zero)
        {
            if (slo.Availability is { } availability)
            {
                rules.AddRange(BurnRate(ErrorBudgetBurn, labels, scope, model, window, availability,
                    range => $"sum(rate({PromQl.Select(Requests, [.. serving, PromQl.Re("code", "5..")])}[{range}]))"
                        + $" / sum(rate({PromQl.Select(Requests, serving)}[{range}]))",
                    $"{PromQl.Number(availability)}% of requests answered without a 5xx over {slo.Window}"));
            }
            if (slo.Latency is { } latency && Durations.TryParse(latency.Threshold, out var threshold) && threshold > TimeSpan.Zero)
            {
                var bound = ServingHistograms.LatencyBound(threshold);
                var le = ServingHistograms.Le(bound);
                rules.AddRange(BurnRate(LatencyBudgetBurn, labels, scope, model, window, latency.Objective,
                    range => $"1 - (sum(rate({PromQl.Select(Duration + "_bucket", [.. serving, PromQl.Eq("le", le)])}[{range}]))"
                        + $" / sum(rate({PromQl.Select(Duration + "_count", serving)}[{range}])))",
                    $"{PromQl.Number(latency.Objective)}% of requests answered within {ServingHistograms.Describe(bound)} over {slo.Window}"));
            }
        }

        if (monitoring?.Drift is { } drift)
        {
            var @for = For(drift.For, "30m");
            // One rule (promtool refuses two rules of the same name and labels): the default limit for the features
            // without their own, or'ed with one term per feature that has one.
            var specific = drift.Features.Keys.ToList();
            var others = specific.Count == 0 ? serving : [.. serving, PromQl.NotRe("feature", PromQl.Alternation(specific))];
            var terms = new List<string> { $"max by (version, feature) ({PromQl.Select(FeatureDriftMetric, others)}) > {PromQl.Number(drift.Threshold)}" };
            terms.AddRange(drift.Features.Select(f =>
                $"max by (version, feature) ({PromQl.Select(FeatureDriftMetric, [.. serving, PromQl.Eq("feature", f.Key)])}) > {PromQl.Number(f.Value)}"));
            var limits = string.Concat(drift.Features.Select(f => $"; {f.Key} {PromQl.Number(f.Value)}"));
            rules.Add(Rule(FeatureDrift, string.Join(" or ", terms),
                @for, labels, Severities.Ticket, scope,
                $"Input feature {{{{ $labels.feature }}}} of {model.Name} {{{{ $labels.version }}}} drifted from its training data in {scope.Environment}",
                $"The population stability index of the feature against the training profile is over its limit (default {PromQl.Number(drift.Threshold)}{limits})."));
            rules.Add(Rule(ScoreDrift, $"max by (version) ({PromQl.Select(ScoreDriftMetric, serving)}) > {PromQl.Number(drift.Score)}",
                @for, labels, Severities.Ticket, scope,
                $"Scores of {model.Name} {{{{ $labels.version }}}} drifted from those on its training data in {scope.Environment}",
                $"The population stability index of the predicted score against the training profile is over {PromQl.Number(drift.Score)}."));
        }

        if (monitoring?.DataQuality is { } quality)
        {
            var @for = For(quality.For, "15m");
            var rows = $"sum(rate({PromQl.Select(Rows, serving)}[10m]))";
            rules.Add(Rule(MissingValues,
                $"sum by (feature) (rate({PromQl.Select(MissingValuesMetric, serving)}[10m])) / on() group_left() {rows} > {PromQl.Number(quality.MissingRate)}",
                @for, labels, Severities.Ticket, scope,
                $"Feature {{{{ $labels.feature }}}} of {model.Name} arrives missing or NaN too often in {scope.Environment}",
                $"More than {PromQl.Number(quality.MissingRate * 100)}% of rows over 10 minutes have no usable value for the feature."));
            rules.Add(Rule(OutOfRangeValues,
                $"sum by (feature) (rate({PromQl.Select(OutOfRangeMetric, serving)}[10m])) / on() group_left() {rows} > {PromQl.Number(quality.OutOfRangeRate)}",
                @for, labels, Severities.Ticket, scope,
                $"Feature {{{{ $labels.feature }}}} of {model.Name} is outside its training range too often in {scope.Environment}",
                $"More than {PromQl.Number(quality.OutOfRangeRate * 100)}% of rows over 10 minutes have a value outside the range seen in training."));
        }

        foreach (var kpi in monitoring?.Kpis ?? [])
        {
            if (kpi.Alert is not { } alert || (alert.Below is null && alert.Above is null))
            {
                continue;
            }
            var (query, _) = QueryTemplate.Render(kpi.Query, new QueryValues(model.Name, "", scope.Namespace, "", scope.Environment));
            if (query is null)
            {
                continue;
            }
            var bounds = new List<string>();
            if (alert.Below is { } below)
            {
                bounds.Add($"({query}) < {PromQl.Number(below)}");
            }
            if (alert.Above is { } above)
            {
                bounds.Add($"({query}) > {PromQl.Number(above)}");
            }
            var range = (alert.Below, alert.Above) switch
            {
                ({ } b, { } a) => $"between {PromQl.Number(b)} and {PromQl.Number(a)}",
                ({ } b, null) => $"at least {PromQl.Number(b)}",
                _ => $"at most {PromQl.Number(alert.Above!.Value)}",
            };
            rules.Add(Rule(KpiOutOfRange, string.Join(" or ", bounds), For(alert.For, "15m"),
                labels.Add("kpi", kpi.Name), alert.Severity, scope,
                $"KPI {kpi.Name} of {model.Name} is out of range in {scope.Environment}",
                $"{kpi.Description ?? kpi.Name} should be {range}."));
        }

        string[] lifecycle = [PromQl.Eq("model", model.Name)];
        string[] failed = [.. lifecycle, PromQl.Ne("outcome", "succeeded")];
        rules.Add(Rule(TrainingFailed, NewOrIncreased(PlatformMetrics.TrainingRuns, failed, "1h", "model, outcome"),
            null, labels.Remove("environment").Remove("namespace"), Severities.Ticket, scope,
            $"Training of {model.Name} failed: {{{{ $labels.outcome }}}}",
            "A training Job ended without a model; the version is not retried until its inputs change. gitops status shows the reason and the end of the pod's termination message."));
        string[] rollbacks = [PromQl.Eq("environment", scope.Environment), .. lifecycle];
        rules.Add(Rule(RolledBack, NewOrIncreased(PlatformMetrics.Rollbacks, rollbacks, "15m", "environment, model"),
            null, labels, Severities.Ticket, scope,
            $"A new version of {model.Name} was rolled back in {scope.Environment}",
            "The rollout's analysis failed, its progressDeadline passed or someone aborted it; the stable version serves all traffic. gitops rollout status shows the measurements."));

        return new RuleGroup($"gitops-model-{model.Name}", rules.ToImmutable());
    }

    /// <summary>The labels every alert of the model carries, for routing.</summary>
    public static ImmutableSortedDictionary<string, string> RouteLabels(ModelSpec model, AlertScope scope)
    {
        var labels = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        labels["owner"] = model.Spec.Owner;
        if (model.Metadata.Labels.TryGetValue("team", out var team))
        {
            labels["team"] = team;
        }
        labels["model"] = model.Name;
        labels["environment"] = scope.Environment;
        labels["namespace"] = scope.Namespace;
        return labels.ToImmutable();
    }

    /// <summary>
    /// A counter that rose within <paramref name="window"/>, including a series that first appeared in it (a client
    /// creates a labelled counter at its first increment, so <c>increase()</c> alone would miss the first event).
    /// </summary>
    internal static string NewOrIncreased(string metric, string[] matchers, string window, string by)
    {
        var series = PromQl.Select(metric, matchers);
        return $"sum by ({by}) (increase({series}[{window}])) > 0"
            + $" or sum by ({by}) ({series} unless {series} offset {window})";
    }

    /// <summary>
    /// Multi-window, multi-burn-rate alerts (fast: 2% of the budget in 1h, checked over 1h and 5m, pages; slow: 5% in
    /// 6h, checked over 6h and 30m, opens a ticket). The burn factors scale with the SLO window (14.4 and 6 for 30d).
    /// </summary>
    private static IEnumerable<AlertRule> BurnRate(string alert, ImmutableSortedDictionary<string, string> labels, AlertScope scope,
        ModelSpec model, TimeSpan window, double objectivePercent, Func<string, string> badRatio, string objective)
    {
        var budget = 1 - objectivePercent / 100;
        foreach (var (name, share, @long, @short, @for, severity) in new[]
        {
            ("fast", 0.02, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), "2m", Severities.Page),
            ("slow", 0.05, TimeSpan.FromHours(6), TimeSpan.FromMinutes(30), "15m", Severities.Ticket),
        })
        {
            var factor = share * window.TotalHours / @long.TotalHours;
            var limit = PromQl.Number(factor * budget);
            yield return Rule(alert,
                $"({badRatio(PromQl.Duration(@long))}) > {limit} and ({badRatio(PromQl.Duration(@short))}) > {limit}",
                @for, labels.Add("window", name), severity, scope,
                $"{model.Name} spends its error budget {PromQl.Number(factor)} times too fast in {scope.Environment}",
                $"Objective: {objective}. At this rate {PromQl.Number(share * 100)}% of the budget goes in {PromQl.Duration(@long)}.");
        }
    }

    private static string For(string duration, string fallback) =>
        Durations.TryParse(duration, out var d) && d > TimeSpan.Zero ? PromQl.Duration(d) : fallback;

    internal static AlertRule Rule(string alert, string expr, string? @for, ImmutableSortedDictionary<string, string> labels,
        string severity, AlertScope scope, string summary, string description) =>
        new(alert, expr, @for, labels.SetItem("severity", severity),
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
            {
                ["summary"] = summary,
                ["description"] = description,
                ["runbook_url"] = Runbooks.Url(scope.RunbookBase, alert),
            }));
}
