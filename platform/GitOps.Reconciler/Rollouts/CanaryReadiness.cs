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
        return IsRolledOut(observed, ResourceNames.Of(model, RolloutMachine.CanaryTrack), canary, wanted);
    }

    /// <summary>Whether the stable Deployment runs the stable version with every pod it asks for updated and ready
    /// (after a blueGreen switch, live traffic returns to it only then).</summary>
    public static bool IsStableReady(IReadOnlyList<JsonObject> observed, string model, RolloutState state) =>
        state.Stable is { } stable && IsRolledOut(observed, ResourceNames.Of(model, RolloutMachine.StableTrack), stable, wanted: null);

    /// <summary>The Deployment runs <paramref name="version"/> with <paramref name="wanted"/> replicas (null: as many as
    /// it asks for, at least one), all updated and ready, as of its current generation.</summary>
    private static bool IsRolledOut(IReadOnlyList<JsonObject> observed, string name, string version, int? wanted)
    {
        var deployment = observed.Named("Deployment", name);
        if (deployment is null || ObjectKeys.Label(deployment, ManagedLabels.Version) != version)
        {
            return false;
        }
        var specReplicas = Int(deployment["spec"]?["replicas"]) ?? 1;
        var want = wanted ?? Math.Max(1, specReplicas);
        var status = deployment["status"];
        // availableReplicas counts only updated pods that are ready where the driver reports it (the local runtime).
        var ready = Math.Min(Int(status?["readyReplicas"]) ?? 0, Int(status?["availableReplicas"]) ?? int.MaxValue);
        var updated = Int(status?["updatedReplicas"]) ?? ready;
        var generation = Int(deployment["metadata"]?["generation"]);
        var observedGeneration = Int(status?["observedGeneration"]);
        var current = generation is null || observedGeneration is null || observedGeneration >= generation;
        return current && specReplicas == want && ready >= want && updated >= want;
    }

    private static int? Int(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<int>(out var n) ? n
        : node is JsonValue l && l.TryGetValue<long>(out var big) ? (int)big
        : int.TryParse(node?.ToString(), out var parsed) ? parsed : null;
}
