using System.Collections.Immutable;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;
using GitOps.Specs.Model;

namespace GitOps.Rollouts.Tests.Support;

/// <summary>Rollout policies and analysis metrics for tests, built in code.</summary>
internal static class TestPolicies
{
    public static AnalysisMetric ErrorRate(Func<AnalysisMetric, AnalysisMetric>? change = null)
    {
        var metric = new AnalysisMetric
        {
            Name = "error-rate",
            Query = "sum(rate(errors{track=\"{{track}}\"}[1m]))",
            SuccessCondition = "result < 0.01",
            FailureCondition = "result >= 0.05",
            Interval = TimeSpan.FromMinutes(1),
            Count = 3,
        };
        return change is null ? metric : change(metric);
    }

    public static AnalysisMetric Latency() => new()
    {
        Name = "latency",
        Query = "histogram_quantile(0.99, rate(latency_bucket{track=\"{{track}}\"}[1m]))",
        SuccessCondition = "result < 0.25",
        Interval = TimeSpan.FromMinutes(1),
        Count = 3,
    };

    public static CanaryStep Weight(int w) => new() { SetWeight = w };

    public static CanaryStep Pause(TimeSpan d) => new() { Pause = d };

    public static CanaryStep PauseUntilPromoted() => new() { PauseUntilPromoted = true };

    public static CanaryStep Analysis(params string[] templates) => new() { Analysis = [.. templates] };

    public static CanaryStep Header(string header, string value) => new() { SetHeaderRoute = new HeaderRoute("ab", header, value) };

    public static CanaryStep Mirror(int percent) => new() { Mirror = percent };

    public static RolloutPolicy Canary(params CanaryStep[] steps) => new()
    {
        Name = "test",
        Strategy = RolloutStrategy.Canary,
        Steps = [.. steps],
        Metrics = new[] { ErrorRate(), Latency() }.ToImmutableDictionary(m => m.Name, StringComparer.Ordinal),
    };

    public static RolloutPolicy Standard() => Canary(
        Weight(10), Analysis("error-rate"), Pause(TimeSpan.FromMinutes(5)), Weight(50), Analysis("error-rate", "latency"), PauseUntilPromoted());

    public static RolloutPolicy BlueGreen(params string[] background) => new()
    {
        Name = "bg",
        Strategy = RolloutStrategy.BlueGreen,
        BackgroundAnalysis = [.. background],
        Metrics = new[] { ErrorRate(), Latency() }.ToImmutableDictionary(m => m.Name, StringComparer.Ordinal),
        ScaleDownDelay = TimeSpan.FromSeconds(30),
    };
}
