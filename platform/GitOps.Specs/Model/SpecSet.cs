using System.Collections.Immutable;

namespace GitOps.Specs.Model;

/// <summary>Every spec of one repository commit, by kind, sorted by name (deterministic order).</summary>
public sealed record SpecSet(
    ImmutableArray<EnvironmentSpec> Environments,
    ImmutableArray<ModelSpec> Models,
    ImmutableArray<ExperimentSpec> Experiments,
    ImmutableArray<QualityGateSpec> QualityGates,
    ImmutableArray<RolloutPolicySpec> RolloutPolicies,
    ImmutableArray<PolicySpec> Policies)
{
    public static readonly SpecSet Empty = new([], [], [], [], [], []);

    public IEnumerable<SpecObject> All =>
        Environments.Cast<SpecObject>().Concat(Models).Concat(Experiments).Concat(QualityGates)
            .Concat(RolloutPolicies).Concat(Policies);

    public EnvironmentSpec? Environment(string name) => Environments.FirstOrDefault(e => e.Name == name);
    public ModelSpec? Model(string name) => Models.FirstOrDefault(m => m.Name == name);
    public QualityGateSpec? QualityGate(string name) => QualityGates.FirstOrDefault(g => g.Name == name);
    public RolloutPolicySpec? RolloutPolicy(string name) => RolloutPolicies.FirstOrDefault(r => r.Name == name);

    /// <summary>Builds a set from objects in any order; each kind is sorted by name.</summary>
    public static SpecSet From(IEnumerable<SpecObject> objects)
    {
        var list = objects.ToList();
        ImmutableArray<T> Of<T>() where T : SpecObject =>
            [.. list.OfType<T>().OrderBy(o => o.Name, StringComparer.Ordinal)];
        return new(Of<EnvironmentSpec>(), Of<ModelSpec>(), Of<ExperimentSpec>(), Of<QualityGateSpec>(),
            Of<RolloutPolicySpec>(), Of<PolicySpec>());
    }
}
