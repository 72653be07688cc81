using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.BuiltinRules;

/// <summary>
/// GITOPS0405: with <c>router: replicas</c> a canary's traffic share is its share of pods, the closest whole number
/// of <c>replicas × weight / 100</c>. A <c>setWeight</c> step that rounds to zero canary pods sends the canary no
/// traffic, so its analysis has no data. Reported once per model and environment, for the first such step.
/// </summary>
public sealed class CanaryReplicaRoundingRule : IBuiltinRule
{
    public string Id => PolicyRuleIds.CanaryRoundsToZeroPods;

    public IEnumerable<Diagnostic> Check(SpecSet specs)
    {
        foreach (var served in ServedModel.All(specs))
        {
            if (served.Environment.Spec.Router != TrafficRouters.Replicas
                || served.Rollout is not { } name
                || specs.RolloutPolicy(name) is not { Spec.Strategy: RolloutStrategies.Canary } rollout)
            {
                continue;
            }
            var replicas = served.Replicas;
            for (var i = 0; i < rollout.Spec.Steps.Length; i++)
            {
                if (rollout.Spec.Steps[i].SetWeight is not { } weight || weight is <= 0 or >= 100)
                {
                    continue;
                }
                var canaryPods = (int)Math.Round(replicas * weight / 100.0, MidpointRounding.AwayFromZero);
                if (canaryPods > 0)
                {
                    continue;
                }
                var needed = (int)Math.Ceiling(50.0 / weight);
                yield return new Diagnostic(Id, Severity.Warning, served.Model.Origin.Key(served.ReplicasPath),
                    $"model '{served.Model.Name}' runs {replicas} replica(s) in environment '{served.Environment.Name}' (router 'replicas'), so step {i + 1} of RolloutPolicy '{rollout.Name}' (setWeight {weight}) gives the canary 0 pods and no traffic",
                    $"serve at least {needed} replicas there, or use router gatewayApi or istio");
                break;
            }
        }
    }
}
