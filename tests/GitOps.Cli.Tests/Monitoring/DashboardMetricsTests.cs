using System.Collections.Immutable;
using System.Text.RegularExpressions;
using GitOps.Cli.Commands;
using GitOps.Planning.Monitoring;
using GitOps.Planning.Monitoring.Dashboards;
using GitOps.Policy;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;
using GitOps.Serving.Metrics;
using GitOps.Serving.Monitoring;
using GitOps.Serving.Protocol;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;
using GitOps.Testing.Golden;
using Prometheus;
using Xunit;

namespace GitOps.Cli.Tests.Monitoring;

/// <summary>
/// Every metric a dashboard panel or an alert rule reads is one the code exports: the registries of a real inference
/// server (with drift monitoring) and of a real reconciler are exercised and scraped, and every <c>gitops_</c> name in
/// every query must be among the scraped series. Renaming a metric in an exporter fails this test.
/// </summary>
public sealed partial class DashboardMetricsTests
{
    [Fact]
    public async Task Should_Name_Only_Exported_Metrics_When_Any_Dashboard_Or_Alert_Queries_Them()
    {
        // Given the series a server and a reconciler export, and a repository whose model sets every monitoring part
        var exported = await ExportedSeriesAsync();
        var specs = MonitoredSpecs();

        // When
        var queries = new List<(string Where, string Expr)>();
        foreach (var env in specs.Environments)
        {
            foreach (var leader in new[] { true, false })
            {
                foreach (var dashboard in DashboardSet.For(specs, env, leader))
                {
                    queries.AddRange(DashboardSet.Queries(dashboard.Json));
                }
                queries.AddRange(AlertRuleSet.For(specs, env, leader).SelectMany(g => g.Rules).Select(r => ($"alert {r.Alert}", r.Expr)));
            }
        }

        // Then every query but the KPIs' (the team's own metrics) reads at least one exported gitops_ series, and no other
        var kpis = specs.Models.SelectMany(m => m.Spec.Monitoring?.Kpis ?? []).Select(k => k.Query).ToHashSet();
        Assert.NotEmpty(queries);
        foreach (var (where, expr) in queries)
        {
            var names = MetricName().Matches(expr).Select(m => m.Value).ToList();
            Assert.True(names.Count > 0 || kpis.Any(k => expr.Contains(k, StringComparison.Ordinal)), $"{where} reads no gitops_ metric: {expr}");
            var missing = names.Where(n => !exported.Contains(n)).ToList();
            Assert.True(missing.Count == 0, $"{where} reads {string.Join(", ", missing)}, which no exporter has: {expr}");
        }
    }

    /// <summary>The example repository with fraud-detector's monitoring section set in full.</summary>
    private static SpecSet MonitoredSpecs()
    {
        var specs = RepositoryValidator.Validate(RepositoryReader.Read(RepositoryPaths.Root)).Specs;
        var monitoring = new MonitoringSpec
        {
            Slo = new ServiceLevels(99.9, new LatencyObjective("204.8ms", 99), "30d"),
            Drift = new DriftLimits(0.2, ImmutableSortedDictionary<string, double>.Empty, 0.25, "30m"),
            DataQuality = new DataQualityLimits(0.01, 0.05, "15m"),
            Kpis = [new BusinessKpi("approval-rate", "sum(rate(payments_approved_total[5m]))", null, new KpiAlert(0.5, null, "10m", "page"))],
        };
        return specs with { Models = [.. specs.Models.Select(m => m with { Spec = m.Spec with { Monitoring = monitoring } })] };
    }

    /// <summary>The names of the series on <c>/metrics</c> of an inference server and of a reconciler, each metric set once.</summary>
    private static async Task<HashSet<string>> ExportedSeriesAsync()
    {
        var serving = new ServingMetrics(new ModelIdentity("m", "v1", "stable"), "CPUExecutionProvider", 1);
        var random = new Random(7);
        var profile = new TrainingProfile(TrainingProfile.CurrentSchema, 1000,
            [FeatureProfile.Of("amount", [.. Enumerable.Range(0, 1000).Select(_ => random.NextDouble())])],
            FeatureProfile.Of("Probability", [.. Enumerable.Range(0, 1000).Select(_ => random.NextDouble())]));
        var drift = DriftMonitor.Create(profile, [new TensorSignature("amount", TensorDatatype.Fp32, [-1, 1])], serving.Registry, ["m", "v1", "stable"], 100);
        const int rows = 200;
        var input = new Tensor("amount", TensorDatatype.Fp32, [rows, 1], Enumerable.Range(0, rows).Select(i => i % 10 == 0 ? float.NaN : (float)(i * 0.02)).ToArray());
        var scores = new Tensor("Probability", TensorDatatype.Fp32, [rows, 1], Enumerable.Range(0, rows).Select(_ => (float)random.NextDouble()).ToArray());
        drift.Observe([input], rows, scores);
        serving.RecordRequest(ServingMetrics.Rest, 200, TimeSpan.FromMilliseconds(3));
        serving.RecordRequest(ServingMetrics.Rest, 500, TimeSpan.FromMilliseconds(3));
        serving.RecordBatch(rows);
        serving.RecordScores(scores);
        serving.RecordInjectedFault(ServingMetrics.InjectedError);
        serving.SetReady(true);
        serving.RequestStarted();

        var reconciler = new ReconcilerMetrics(includeProcessMetrics: false);
        reconciler.RecordOutcome(new ReconcileOutcome.NoChange("prod", "abc1234", new PlanSummary(0, 0, 1, 0), 0), TimeSpan.FromSeconds(1), DateTimeOffset.UnixEpoch);
        reconciler.RecordApply("prod", 1, 1);
        reconciler.RecordDrift("prod", 1);
        reconciler.RecordFetch(TimeSpan.FromSeconds(1), succeeded: false);
        reconciler.RecordTrainingRun("m", "succeeded");
        reconciler.SetLeader(true);
        reconciler.Rollouts.SetState("prod", "m", RolloutPhase.Progressing, 20);
        reconciler.Rollouts.Measured("prod", "m", new Measurement("error-rate", DateTimeOffset.UnixEpoch, "q", 0, 10, MeasurementPhase.Successful, ""));
        reconciler.Rollouts.Verdict("prod", "m", AnalysisPhase.Successful);
        reconciler.Rollouts.RolledBack("prod", "m");

        var text = await ScrapeAsync(serving.Registry) + await reconciler.ExportAsync(CancellationToken.None);
        return [.. text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('{', ' ')[0])];
    }

    private static async Task<string> ScrapeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, CancellationToken.None);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [GeneratedRegex(@"\bgitops_[a-z0-9_]+")]
    private static partial Regex MetricName();
}
