using GitOps.Specs.Model;

namespace GitOps.Policy.Policies;

/// <summary>
/// One evaluation of policies: an object in an environment. A Model is a target once per environment it is served
/// in (with that environment's override merged), an Environment once for itself, every other kind once with no
/// environment.
/// </summary>
public sealed record PolicyTarget(SpecObject Object, EnvironmentSpec? Environment, string? EnvironmentName)
{
    /// <summary>The targets of a whole spec set, in a deterministic order.</summary>
    public static IEnumerable<PolicyTarget> All(SpecSet specs)
    {
        foreach (var environment in specs.Environments)
        {
            yield return new PolicyTarget(environment, environment, environment.Name);
        }
        foreach (var model in specs.Models)
        {
            var served = model.Spec.Environments.Distinct(StringComparer.Ordinal).ToList();
            if (served.Count == 0)
            {
                yield return new PolicyTarget(model, null, null);
                continue;
            }
            foreach (var name in served)
            {
                // An unknown environment is a broken reference reported by the semantic checks; nothing to evaluate.
                if (specs.Environment(name) is { } environment)
                {
                    yield return new PolicyTarget(model, environment, name);
                }
            }
        }
        foreach (var other in specs.Experiments.Cast<SpecObject>().Concat(specs.QualityGates)
                     .Concat(specs.RolloutPolicies).Concat(specs.Policies))
        {
            yield return new PolicyTarget(other, null, null);
        }
    }

    /// <summary>Whether <paramref name="policy"/> applies to this target (kind and environment match).</summary>
    public bool IsMatchedBy(PolicySpec policy)
    {
        var match = policy.Spec.Match;
        if (match is null)
        {
            return true;
        }
        if (!match.Kinds.IsDefaultOrEmpty && !match.Kinds.Contains(Object.Kind))
        {
            return false;
        }
        if (match.Environments.IsDefaultOrEmpty)
        {
            return true;
        }
        return EnvironmentName is not null
               && (match.Environments.Contains(EnvironmentName)
                   || (Environment is not null && !Environment.Spec.Policies.IsDefault && Environment.Spec.Policies.Contains(policy.Name)));
    }
}
