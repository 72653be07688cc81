using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.BuiltinRules;

/// <summary>
/// GITOPS0401: a model served in an environment that promotes from another (<c>promotion.from: staging</c>) must be
/// served in that source too, otherwise no version can ever qualify for promotion.
/// </summary>
public sealed class PromotionSourceServedRule : IBuiltinRule
{
    public string Id => PolicyRuleIds.PromotionSourceNotServed;

    public IEnumerable<Diagnostic> Check(SpecSet specs)
    {
        foreach (var served in ServedModel.All(specs))
        {
            if (served.Environment.Spec.Promotion is not { } promotion || specs.Environment(promotion.From) is null)
            {
                continue;
            }
            if (!served.Model.Spec.Environments.Contains(promotion.From))
            {
                yield return new Diagnostic(Id, Severity.Error,
                    served.Model.Origin.Value($"spec.environments[{served.Index}]"),
                    $"model '{served.Model.Name}' is served in '{served.Environment.Name}', which promotes versions from '{promotion.From}', but it is not served in '{promotion.From}'",
                    $"add '{promotion.From}' to spec.environments so versions can soak there first");
            }
        }
    }
}
