using GitOps.Rollouts.Rollout;
using GitOps.Specs.Model;

namespace GitOps.Rollouts.Traffic;

/// <summary>
/// What the renderer draws for one model in one environment: which versions run with how many pods, the canary's
/// share of live traffic, a header route, a mirror, a blueGreen preview, and the old version kept after a switch.
/// </summary>
public sealed record TrafficDecision
{
    public string? Stable { get; init; }
    public int StableReplicas { get; init; }
    /// <summary>The new version (canary or blueGreen preview); drawn with <see cref="CanaryReplicas"/> pods, 0 after a rollback.</summary>
    public string? Canary { get; init; }
    public int CanaryReplicas { get; init; }
    /// <summary>Percent of live traffic routed to the canary.</summary>
    public int CanaryWeight { get; init; }
    public HeaderRoute? HeaderRoute { get; init; }
    public int MirrorPercent { get; init; }
    /// <summary>blueGreen: the canary is a preview reachable through its own Service and gets no live traffic.</summary>
    public bool Preview { get; init; }
    /// <summary>blueGreen: the version switched away from, still running (no traffic) for an instant rollback.</summary>
    public string? PreviousStable { get; init; }
    /// <summary>blueGreen after a switch: all live traffic goes to the canary Deployment, which runs <see cref="Stable"/>;
    /// the stable Deployment runs <see cref="PreviousStable"/> (kept for an instant abort) or, after it, moves to
    /// <see cref="Stable"/> without traffic until it is ready.</summary>
    public bool LiveOnCanary { get; init; }

    /// <summary>
    /// The decision for <paramref name="state"/>. <paramref name="replicas"/> is the model's pod count;
    /// <paramref name="routed"/> is false for <c>router: replicas</c>, where traffic follows pod counts.
    /// </summary>
    public static TrafficDecision For(RolloutState state, RolloutPolicy policy, int replicas, bool routed)
    {
        var stable = new TrafficDecision
        {
            Stable = state.Stable,
            StableReplicas = replicas,
            PreviousStable = state.PreviousStable,
            LiveOnCanary = state.LiveOnCanary && !state.InProgress,
        };
        if (state.Canary is not { } canary)
        {
            return stable;
        }
        if (!state.InProgress)
        {
            return stable with { Canary = canary, CanaryReplicas = 0 };
        }
        if (policy.Strategy == RolloutStrategy.BlueGreen)
        {
            return stable with { Canary = canary, CanaryReplicas = replicas, Preview = true };
        }
        var target = policy.WeightAt(Math.Min(state.StepIndex, policy.Steps.Length - 1));
        if (!routed)
        {
            var (canaryPods, stablePods) = GitOps.Specs.CanaryReplicas.ByPods(replicas, target);
            var weight = canaryPods + stablePods == 0 ? 0 : (int)Math.Round(canaryPods * 100.0 / (canaryPods + stablePods));
            return stable with { Canary = canary, CanaryReplicas = canaryPods, StableReplicas = stablePods, CanaryWeight = weight };
        }
        return stable with
        {
            Canary = canary,
            CanaryReplicas = GitOps.Specs.CanaryReplicas.Routed(replicas, target),
            CanaryWeight = state.Weight,
            HeaderRoute = state.HeaderRoute,
            MirrorPercent = state.Mirror,
        };
    }
}
