using GitOps.Specs;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.BuiltinRules;

/// <summary>
/// GITOPS0405: with <c>router: replicas</c> a canary's traffic share is its share of pods, split the way the rollout
/// splits them (<see cref="CanaryReplicas.ByPods"/>, as Argo Rollouts does). A <c>setWeight</c> step that leaves the
/// canary zero pods sends it no traffic, so its analysis has no data. Reported once per model and environment, for
/// the first such step.
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
                if (CanaryReplicas.ByPods(replicas, weight).Canary > 0)
                {
                    continue;
                }
                yield return new Diagnostic(Id, Severity.Warning, served.Model.Origin.Key(served.ReplicasPath),
                    $"model '{served.Model.Name}' runs {replicas} replica(s) in environment '{served.Environment.Name}' (router 'replicas'), so step {i + 1} of RolloutPolicy '{rollout.Name}' (setWeight {weight}) gives the canary 0 pods and no traffic",
                    // With two or more replicas the split never leaves the canary without a pod at weights 1-99.
                    "serve at least 2 replicas there, or use router gatewayApi or istio");
                break;
            }
        }
    }
}
