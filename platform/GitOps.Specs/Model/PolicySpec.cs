using System.Collections.Immutable;

namespace GitOps.Specs.Model;

/// <summary><c>kind: Policy</c> — organisation guardrails as CEL rules, like a ValidatingAdmissionPolicy.</summary>
public sealed record PolicySpec(Metadata Metadata, SpecOrigin Origin, PolicyBody Spec) : SpecObject(Metadata, Origin)
{
    public override string Kind => SpecKinds.Policy;
}

public sealed record PolicyBody
{
    public PolicyMatch Match { get; init; } = new([], []);
    public ImmutableArray<PolicyRule> Rules { get; init; } = [];
}

/// <summary>Empty lists match everything.</summary>
public sealed record PolicyMatch(ImmutableArray<string> Kinds, ImmutableArray<string> Environments);

/// <summary>A CEL <see cref="Expression"/> that must be true; <see cref="Severity"/> is <c>error</c> or <c>warning</c>.</summary>
public sealed record PolicyRule(string Name, string Expression, string Message, string Severity);
