using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.BuiltinRules;

/// <summary>A guardrail written in C# because it spans several documents or needs arithmetic CEL cannot express.</summary>
public interface IBuiltinRule
{
    /// <summary>The stable diagnostic ID (GITOPS04xx).</summary>
    string Id { get; }

    IEnumerable<Diagnostic> Check(SpecSet specs);
}

/// <summary>Every built-in rule, in ID order.</summary>
public static class BuiltinRuleSet
{
    public static readonly IReadOnlyList<IBuiltinRule> All =
    [
        new PromotionSourceServedRule(),
        new GpuTrainingTimeoutRule(),
        new RouterSupportsStepsRule(),
        new PromotedEnvironmentGatesRule(),
        new CanaryReplicaRoundingRule(),
        new CustomTrainerNeedsKubernetesRule(),
        new AnalysisNeedsPrometheusRule(),
        new RootTrainerNeedsRelaxedPodSecurityRule(),
    ];

    public static IEnumerable<Diagnostic> Check(SpecSet specs) => All.SelectMany(r => r.Check(specs));
}
