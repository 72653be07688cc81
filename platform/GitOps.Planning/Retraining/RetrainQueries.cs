using GitOps.Planning.Monitoring;
using GitOps.Specs;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;

namespace GitOps.Planning.Retraining;

/// <summary>The PromQL that observes a drift trigger: the lowest, over the trigger's window, of the served version's
/// drift (the largest feature's for a feature trigger). A value over the threshold means drift stayed over it the
/// whole window.</summary>
public static class RetrainQueries
{
    public static string Drift(DriftTrigger trigger, string @namespace, string model, string version)
    {
        string[] matchers = [PromQl.Eq("namespace", @namespace), PromQl.Eq("model", model), PromQl.Eq("version", version)];
        var selector = trigger.Metric == DriftTriggerMetrics.Feature
            ? PromQl.Select(MonitoringMetrics.FeatureDriftPsi, trigger.Feature is { } f ? [.. matchers, PromQl.Eq("feature", f)] : matchers)
            : PromQl.Select(MonitoringMetrics.ScoreDriftPsi, matchers);
        var window = Durations.TryParse(trigger.For, out var w) && w > TimeSpan.Zero ? PromQl.Duration(w) : "1h";
        return $"min_over_time((max({selector}))[{window}:1m])";
    }
}
