using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.BuiltinRules;

/// <summary>
/// GITOPS0403: with <c>router: replicas</c> traffic is split by pod counts, so a rollout policy used there cannot
/// route by header or mirror traffic. Reported once per step and environment, naming the models affected.
/// </summary>
public sealed class RouterSupportsStepsRule : IBuiltinRule
{
    public string Id => PolicyRuleIds.RolloutStepUnsupportedByRouter;

    public IEnumerable<Diagnostic> Check(SpecSet specs)
    {
        var uses = ServedModel.All(specs)
            .Where(s => s.Environment.Spec.Router == TrafficRouters.Replicas && s.Rollout is not null)
            .GroupBy(s => (Rollout: s.Rollout!, Environment: s.Environment.Name))
            .OrderBy(g => g.Key.Rollout, StringComparer.Ordinal).ThenBy(g => g.Key.Environment, StringComparer.Ordinal);
        foreach (var use in uses)
        {
            if (specs.RolloutPolicy(use.Key.Rollout) is not { } rollout)
            {
                continue;
            }
            var models = string.Join(", ", use.Select(s => s.Model.Name).Distinct().Order(StringComparer.Ordinal));
            for (var i = 0; i < rollout.Spec.Steps.Length; i++)
            {
                var step = rollout.Spec.Steps[i];
                var feature = step.SetHeaderRoute is not null ? "setHeaderRoute" : step.Mirror is not null ? "mirror" : null;
                if (feature is null)
                {
                    continue;
                }
                yield return new Diagnostic(Id, Severity.Error, rollout.Origin.Key($"spec.steps[{i}].{feature}"),
                    $"step {i + 1} of RolloutPolicy '{rollout.Name}' uses {feature}, which environment '{use.Key.Environment}' cannot do with router 'replicas' (used by {models})",
                    "use router gatewayApi or istio in that environment, or a rollout policy without this step there (spec.overrides.<env>.rollout)");
            }
        }
    }
}
