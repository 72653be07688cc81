using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;
using GitOps.Rollouts.Rollout;
using GitOps.Rollouts.Traffic;
using GitOps.Specs.Kubernetes;

namespace GitOps.Reconciler.Rollouts;

/// <summary>
/// Whether the new version's pods are ready at the size the rollout's current state asks for, read from the managed
/// objects just observed (pure). The canary Deployment must run the canary's version with as many replicas as the
/// state's <see cref="TrafficDecision"/> draws, all of them updated and ready.
/// </summary>
public static class CanaryReadiness
{
    public static bool IsReady(IReadOnlyList<JsonObject> observed, string model, RolloutState state, RolloutPolicy policy,
        int replicas, bool routed)
    {
        if (state.Canary is not { } canary)
        {
            return false;
        }
        var wanted = TrafficDecision.For(state, policy, replicas, routed).CanaryReplicas;
        var name = ResourceNames.Of(model, RolloutMachine.CanaryTrack);
        var deployment = observed.FirstOrDefault(o => o["kind"]?.ToString() == "Deployment" && o["metadata"]?["name"]?.ToString() == name);
        if (deployment is null || ObjectKeys.Label(deployment, ManagedLabels.Version) != canary)
        {
            return false;
        }
        var specReplicas = Int(deployment["spec"]?["replicas"]) ?? 1;
        var status = deployment["status"];
        // availableReplicas counts only updated pods that are ready where the driver reports it (the local runtime).
        var ready = Math.Min(Int(status?["readyReplicas"]) ?? 0, Int(status?["availableReplicas"]) ?? int.MaxValue);
        var updated = Int(status?["updatedReplicas"]) ?? ready;
        var generation = Int(deployment["metadata"]?["generation"]);
        var observedGeneration = Int(status?["observedGeneration"]);
        var current = generation is null || observedGeneration is null || observedGeneration >= generation;
        return current && specReplicas == wanted && ready >= wanted && updated >= wanted;
    }

    private static int? Int(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<int>(out var n) ? n
        : node is JsonValue l && l.TryGetValue<long>(out var big) ? (int)big
        : int.TryParse(node?.ToString(), out var parsed) ? parsed : null;
}
