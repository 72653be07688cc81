using System.Collections.Immutable;

namespace GitOps.Specs.Model;

/// <summary><c>kind: QualityGate</c> — CEL conditions a new version must meet before rollout.</summary>
public sealed record QualityGateSpec(Metadata Metadata, SpecOrigin Origin, QualityGateBody Spec) : SpecObject(Metadata, Origin)
{
    public override string Kind => SpecKinds.QualityGate;
}

public sealed record QualityGateBody
{
    public ImmutableArray<GateRule> Rules { get; init; } = [];
    /// <summary>What to do when there is no champion yet: <c>pass</c> (default) or <c>fail</c>.</summary>
    public string OnNoChampion { get; init; } = "pass";
}

/// <summary>A CEL condition over <c>metrics</c>, <c>champion.metrics</c> and <c>model</c>.</summary>
public sealed record GateRule(string Name, string Condition, string? Message);
