using System.Collections.Immutable;

namespace GitOps.Specs.Model;

/// <summary><c>kind: RolloutPolicy</c> — how a new version reaches users, measured by Prometheus analysis.</summary>
public sealed record RolloutPolicySpec(Metadata Metadata, SpecOrigin Origin, RolloutPolicyBody Spec) : SpecObject(Metadata, Origin)
{
    public override string Kind => SpecKinds.RolloutPolicy;
}

public sealed record RolloutPolicyBody
{
    /// <summary><c>canary</c>, <c>blueGreen</c> or <c>direct</c>.</summary>
    public required string Strategy { get; init; }
    public ImmutableArray<RolloutStep> Steps { get; init; } = [];
    public ImmutableArray<AnalysisTemplate> Analysis { get; init; } = [];
    /// <summary><c>pause</c> (default), <c>abort</c> or <c>promote</c>.</summary>
    public string OnInconclusive { get; init; } = "pause";
    public bool AutomaticRollback { get; init; } = true;
    /// <summary>Longest a rollout waits for its new version to become ready before it rolls back (a duration).</summary>
    public string ProgressDeadline { get; init; } = "10m";
    /// <summary>blueGreen: how long the old version keeps running after the switch, for an instant rollback.</summary>
    public string ScaleDownDelay { get; init; } = "30s";
    /// <summary>Analysis run across all steps from <see cref="BackgroundAnalysis.StartingStep"/>; null when none.</summary>
    public BackgroundAnalysis? BackgroundAnalysis { get; init; }
}

/// <summary>Analysis templates measured for the whole rollout (canary: from a step on; blueGreen: on the preview).</summary>
public sealed record BackgroundAnalysis
{
    public ImmutableArray<string> Templates { get; init; } = [];
    /// <summary>0-based index of the step from which the analysis runs.</summary>
    public int StartingStep { get; init; }
}

public static class RolloutStrategies
{
    public const string Canary = "canary";
    public const string BlueGreen = "blueGreen";
    public const string Direct = "direct";
    public static readonly ImmutableArray<string> All = [Canary, BlueGreen, Direct];
}

/// <summary>Exactly one member is set.</summary>
public sealed record RolloutStep
{
    public int? SetWeight { get; init; }
    /// <summary>A duration; <c>null</c> with <see cref="PauseUntilPromoted"/> waits for <c>gitops rollout promote</c>.</summary>
    public string? Pause { get; init; }
    public bool PauseUntilPromoted { get; init; }
    /// <summary>Names of analysis templates to run at this step.</summary>
    public ImmutableArray<string>? Analysis { get; init; }
    public HeaderRoute? SetHeaderRoute { get; init; }
    /// <summary>Percentage of traffic mirrored to the canary.</summary>
    public int? Mirror { get; init; }
}

public sealed record HeaderRoute(string Name, string Header, string Value);

public sealed record AnalysisTemplate
{
    public required string Name { get; init; }
    /// <summary>PromQL with placeholders <c>{{model}} {{version}} {{namespace}} {{track}} {{environment}}</c>; empty
    /// when <see cref="Kpi"/> is set (the schema asks for exactly one of them).</summary>
    public string Query { get; init; } = "";
    /// <summary>The name of a business KPI (<c>spec.monitoring.kpis</c>) of each model that uses the policy: its query
    /// is measured instead of <see cref="Query"/>, with the same placeholders filled in.</summary>
    public string? Kpi { get; init; }
    /// <summary>CEL over <c>result</c> (a number).</summary>
    public string? SuccessCondition { get; init; }
    public string? FailureCondition { get; init; }
    public string Interval { get; init; } = "1m";
    public int Count { get; init; } = 5;
    public int FailureLimit { get; init; }
    public int InconclusiveLimit { get; init; }
    public int ErrorLimit { get; init; } = 4;
    /// <summary>Fewer requests than this in the window counts as no data.</summary>
    public int MinSamples { get; init; }
    /// <summary><c>inconclusive</c> (default), <c>failed</c> or <c>successful</c>.</summary>
    public string OnNoData { get; init; } = "inconclusive";
}
