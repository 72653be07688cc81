using System.Collections.Immutable;
using GitOps.Planning.Tests.Support;
using GitOps.Specs.Model;

namespace GitOps.Planning.Tests.Monitoring;

/// <summary>The test repository with every part of a model's monitoring section set on fraud-detector.</summary>
internal static class MonitoredRepository
{
    public static readonly MonitoringSpec Monitoring = new()
    {
        Slo = new ServiceLevels(99.9, new LatencyObjective("200ms", 99), "30d"),
        Drift = new DriftLimits(0.2, ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("amount", 0.1)]), 0.25, "30m"),
        DataQuality = new DataQualityLimits(0.01, 0.05, "15m"),
        Kpis =
        [
            new BusinessKpi("approval-rate",
                "sum(rate(payments_approved_total{namespace=\"{{namespace}}\"}[5m])) / sum(rate(payments_total{namespace=\"{{namespace}}\"}[5m]))",
                "Share of payments approved", new KpiAlert(0.5, null, "10m", "page")),
        ],
    };

    public static SpecSet Specs(bool rules = true, GrafanaTarget? grafana = null)
    {
        var specs = TestSpecs.Repository(m => m.Name == "fraud-detector"
            ? m with { Metadata = m.Metadata with { Labels = m.Metadata.Labels.SetItem("team", "payments") }, Spec = m.Spec with { Monitoring = Monitoring } }
            : m);
        return specs with
        {
            Environments = [.. specs.Environments.Select(e => e with
            {
                Spec = e.Spec with { Prometheus = new PrometheusTarget("http://prometheus.monitoring:9090", rules), Grafana = grafana },
            })],
        };
    }
}
