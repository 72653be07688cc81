using System.Collections.Immutable;

namespace GitOps.Policy;

/// <summary>Stable diagnostic IDs of expression checks (03xx), built-in rules (04xx) and Policy documents (05xx).</summary>
public static class PolicyRuleIds
{
    /// <summary>A CEL expression does not parse.</summary>
    public const string ExpressionSyntax = "GITOPS0301";
    /// <summary>A CEL expression reads a variable that does not exist where it is evaluated.</summary>
    public const string ExpressionUnknownVariable = "GITOPS0302";
    /// <summary>A CEL expression calls a function that is not supported.</summary>
    public const string ExpressionUnknownFunction = "GITOPS0303";
    /// <summary>An analysis query uses a placeholder other than model, version, namespace, track, environment.</summary>
    public const string QueryUnknownPlaceholder = "GITOPS0304";
    /// <summary>An analysis query is empty or has unbalanced brackets, braces, parentheses or quotes.</summary>
    public const string QueryMalformed = "GITOPS0305";
    /// <summary>An analysis query selects neither the canary's version nor its track, so it measures the whole fleet.</summary>
    public const string QueryNotCanaryScoped = "GITOPS0306";

    /// <summary>A model is served in an environment that promotes from another one it is not served in.</summary>
    public const string PromotionSourceNotServed = "GITOPS0401";
    /// <summary>A GPU training run has a timeout above 24 hours.</summary>
    public const string GpuTrainingTimeoutTooLong = "GITOPS0402";
    /// <summary>A rollout step needs a traffic router feature the environment's router lacks.</summary>
    public const string RolloutStepUnsupportedByRouter = "GITOPS0403";
    /// <summary>A model served in a promoted (production-like) environment has no quality gate there.</summary>
    public const string PromotedEnvironmentWithoutGates = "GITOPS0404";
    /// <summary>With <c>router: replicas</c>, a canary <c>setWeight</c> step rounds to zero canary pods.</summary>
    public const string CanaryRoundsToZeroPods = "GITOPS0405";
    /// <summary>A custom training image is used in a local (non-Kubernetes) environment.</summary>
    public const string CustomTrainerOnLocalCluster = "GITOPS0406";
    /// <summary>A rollout with analysis steps runs in an environment that has no Prometheus.</summary>
    public const string AnalysisWithoutPrometheus = "GITOPS0407";
    /// <summary>A custom trainer that runs as root is used in an environment that enforces the restricted Pod Security Standard.</summary>
    public const string RootTrainerInRestrictedEnvironment = "GITOPS0408";

    /// <summary>An object violates a rule of a <c>kind: Policy</c> document (severity from the rule).</summary>
    public const string PolicyViolation = "GITOPS0501";
    /// <summary>A Policy rule could not be evaluated for an object (missing field, type error).</summary>
    public const string PolicyEvaluationFailed = "GITOPS0502";
    /// <summary>A Policy rule evaluated to something other than a boolean.</summary>
    public const string PolicyResultNotBoolean = "GITOPS0503";

    public static readonly ImmutableArray<string> All =
    [
        ExpressionSyntax, ExpressionUnknownVariable, ExpressionUnknownFunction, QueryUnknownPlaceholder, QueryMalformed,
        QueryNotCanaryScoped, PromotionSourceNotServed, GpuTrainingTimeoutTooLong, RolloutStepUnsupportedByRouter,
        PromotedEnvironmentWithoutGates, CanaryRoundsToZeroPods, CustomTrainerOnLocalCluster, AnalysisWithoutPrometheus,
        RootTrainerInRestrictedEnvironment,
        PolicyViolation, PolicyEvaluationFailed, PolicyResultNotBoolean,
    ];
}
