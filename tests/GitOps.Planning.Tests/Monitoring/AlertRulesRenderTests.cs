using GitOps.Planning.Cluster;
using GitOps.Planning.Monitoring;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;
using GitOps.Testing.Golden;

namespace GitOps.Planning.Tests.Monitoring;

public sealed class AlertRulesRenderTests
{
    private static readonly string Runbooks = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "runbooks.md"));

    [Fact]
    public void Should_Match_The_Golden_Rules_File_When_Every_Part_Of_Monitoring_Is_Set()
    {
        // Given
        var specs = MonitoredRepository.Specs();

        // When
        var text = AlertRuleSet.RulesFile(AlertRuleSet.For(specs, specs.Environment("prod")!, leaderElection: true));

        // Then
        GoldenFile.AssertMatches("tests/GitOps.Planning.Tests/testdata/alerts/prod.rules.yml", text);
    }

    [Fact]
    public void Should_Render_One_PrometheusRule_Per_Group_When_The_Environment_Asks_For_Rules()
    {
        // Given
        var specs = MonitoredRepository.Specs(rules: true);

        // When
        var result = Renderer.Render(specs, "staging", Clusters.AllServed(specs), new RenderContext("abc1234"));

        // Then the platform's group and one per model served in staging, each a managed object of the environment
        var rules = result.Objects.Where(o => ObjectKeys.Of(o).Kind == ManagedKinds.PrometheusRule.Kind).ToList();
        Assert.Equal(["gitops-model-churn-predictor", "gitops-model-fraud-detector", "gitops-platform-staging"],
            rules.Select(o => ObjectKeys.Of(o).Name).Order(StringComparer.Ordinal));
        Assert.All(rules, o => Assert.Equal("staging", ObjectKeys.Label(o, ManagedLabels.Environment)));
        Assert.All(rules, o => Assert.Equal("ml-staging", ObjectKeys.Of(o).Namespace));
        // And each model's group carries the model's label, so that the reconciler shard converging the model owns it
        Assert.Equal([null, "churn-predictor", "fraud-detector"],
            rules.Select(o => ObjectKeys.Label(o, ManagedLabels.Model)).Order(StringComparer.Ordinal));
        Assert.False(result.HasErrors);
    }

    [Fact]
    public void Should_Render_No_PrometheusRule_When_The_Environment_Does_Not_Ask()
    {
        // Given
        var specs = MonitoredRepository.Specs(rules: false);

        // When
        var result = Renderer.Render(specs, "prod", Clusters.AllServed(specs), new RenderContext("abc1234"));

        // Then
        Assert.DoesNotContain(result.Objects, o => ObjectKeys.Of(o).Kind == ManagedKinds.PrometheusRule.Kind);
    }

    [Fact]
    public void Should_Leave_Out_The_Leader_Alerts_When_No_Reconciler_Elects_A_Leader()
    {
        // Given
        var specs = MonitoredRepository.Specs();

        // When
        var groups = AlertRuleSet.For(specs, specs.Environment("prod")!, leaderElection: false);

        // Then
        var alerts = groups.SelectMany(g => g.Rules).Select(r => r.Alert).ToList();
        Assert.DoesNotContain(PlatformAlerts.NoLeader, alerts);
        Assert.DoesNotContain(PlatformAlerts.SplitBrain, alerts);
        Assert.Contains(PlatformAlerts.SyncStale, alerts);
    }

    [Fact]
    public void Should_Route_By_Owner_And_Team_When_A_Model_Alerts()
    {
        // Given
        var specs = MonitoredRepository.Specs();

        // When
        var group = ModelAlerts.For(specs.Model("fraud-detector")!, new AlertScope("prod", "ml-prod", "https://git.example.com/ml/blob/main/docs/runbooks.md", true));

        // Then
        Assert.All(group.Rules, r => Assert.Equal("risk-team", r.Labels["owner"]));
        Assert.All(group.Rules, r => Assert.Equal("payments", r.Labels["team"]));
        Assert.All(group.Rules, r => Assert.StartsWith("https://git.example.com/ml/blob/main/docs/runbooks.md#gitopsmodel", r.Annotations["runbook_url"]));
    }

    [Fact]
    public void Should_Measure_Latency_At_The_Bucket_Bound_Below_The_Threshold_When_The_Threshold_Is_Between_Bounds()
    {
        // Given 200ms, between the 102.4ms and 204.8ms bounds
        var specs = MonitoredRepository.Specs();

        // When
        var latency = ModelAlerts.For(specs.Model("fraud-detector")!, new AlertScope("prod", "ml-prod", "docs/runbooks.md", true))
            .Rules.Where(r => r.Alert == ModelAlerts.LatencyBudgetBurn).ToList();

        // Then
        Assert.Equal(2, latency.Count);
        Assert.All(latency, r => Assert.Contains("le=\"0.1024\"", r.Expr));
        // 1% budget: fast 14.4x over 30d, slow 6x.
        Assert.Contains("> 0.144 and", latency.Single(r => r.Labels["window"] == "fast").Expr);
        Assert.Contains("> 0.06 and", latency.Single(r => r.Labels["window"] == "slow").Expr);
    }

    [Fact]
    public void Should_Have_A_Runbook_Section_For_Every_Alert_When_Rules_Are_Rendered()
    {
        // Given every alert the platform can render
        var specs = MonitoredRepository.Specs();
        var alerts = AlertRuleSet.For(specs, specs.Environment("prod")!, leaderElection: true)
            .SelectMany(g => g.Rules).Select(r => r.Alert).Distinct();

        // Then each has a heading named after it in docs/runbooks.md (its anchor is the lower-case name)
        Assert.All(alerts, a => Assert.Contains($"\n## {a}\n", Runbooks));
    }
}
