using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.BuiltinRules;

/// <summary>
/// GITOPS0404: an environment with <c>promotion</c> is production-like; every model served there needs at least one
/// quality gate there, or any trained version would reach users unchecked.
/// </summary>
public sealed class PromotedEnvironmentGatesRule : IBuiltinRule
{
    public string Id => PolicyRuleIds.PromotedEnvironmentWithoutGates;

    public IEnumerable<Diagnostic> Check(SpecSet specs)
    {
        foreach (var served in ServedModel.All(specs))
        {
            if (served.Environment.Spec.Promotion is not null && served.Gates.IsDefaultOrEmpty)
            {
                yield return new Diagnostic(Id, Severity.Error,
                    served.Model.Origin.Value($"spec.environments[{served.Index}]"),
                    $"model '{served.Model.Name}' is served in '{served.Environment.Name}', a promoted environment, without any quality gate",
                    $"list a QualityGate in spec.gates or spec.overrides.{served.Environment.Name}.gates");
            }
        }
    }
}
