using GitOps.Planning.Monitoring;
using GitOps.Testing.Golden;
using GitOps.Testing.Prometheus;

namespace GitOps.Planning.Tests.Monitoring;

/// <summary>The shipped Alertmanager example is valid and routes the labels the rendered alerts carry.</summary>
public sealed class AlertmanagerExampleTests
{
    private static readonly string Config = Path.Combine(RepositoryPaths.Root, "platform", "deploy", "monitoring", "alertmanager.yml");

    [Fact]
    public async Task Should_Pass_Amtool_Check_Config_When_The_Example_Is_Shipped()
    {
        // When
        var result = await PrometheusTools.RunAsync(PrometheusTools.Amtool, ["check-config", Config], CancellationToken.None);

        // Then
        Assert.True(result.ExitCode == 0 && result.Output.Contains("SUCCESS", StringComparison.Ordinal), result.Output);
    }

    [Theory]
    [InlineData(ModelAlerts.ErrorBudgetBurn, "fast", "payments-pager")]
    [InlineData(ModelAlerts.ErrorBudgetBurn, "slow", "payments-tickets")]
    [InlineData(ModelAlerts.FeatureDrift, null, "payments-tickets")]
    [InlineData(PlatformAlerts.SyncStale, null, "ml-platform-pager")]
    [InlineData(PlatformAlerts.EnvironmentStalled, null, "ml-platform-tickets")]
    public async Task Should_Route_Each_Alert_To_Its_Team_And_Severity_When_Its_Rendered_Labels_Are_Tested(string alert, string? window, string receiver)
    {
        // Given the labels of the rendered alert (fraud-detector has the team label payments)
        var specs = MonitoredRepository.Specs();
        var rule = AlertRuleSet.For(specs, specs.Environment("prod")!, leaderElection: true)
            .SelectMany(g => g.Rules)
            .First(r => r.Alert == alert && (window is null || r.Labels.GetValueOrDefault("window") == window));
        var labels = rule.Labels.Select(kv => $"{kv.Key}={kv.Value}").Prepend($"alertname={alert}");

        // When
        var result = await PrometheusTools.RunAsync(PrometheusTools.Amtool, ["config", "routes", "test", $"--config.file={Config}", .. labels], CancellationToken.None);

        // Then
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(receiver, result.Output.Split('\n')[0].Trim());
    }
}
