namespace GitOps.Rollouts.Rollout;

/// <summary>
/// The rollout of one model as the cluster shows it when no persisted <see cref="RolloutState"/> is at hand
/// (<c>gitops plan</c> without a reconciler): the stable version, and a canary with the weight its route gives it.
/// The desired version is then handed to <see cref="RolloutMachine"/> exactly as the reconciler's pass would, so a
/// plan shows what the machine decides (a new canary at its first step, a direct replacement, a superseded canary).
/// </summary>
public static class ObservedRollout
{
    /// <summary>
    /// No time passes in a projection (no pause ends, no deadline expires, no measurement is due yet), so the result
    /// depends only on the arguments; this instant only stamps the projected history, which is never persisted.
    /// </summary>
    private static readonly DateTimeOffset Instant = DateTimeOffset.UnixEpoch;

    public static RolloutState Project(string? stable, string? canary, int weight, RolloutPolicy policy, string? desired)
    {
        var state = RolloutState.Initial with { Stable = stable };
        if (stable is not null && canary is not null && canary != stable)
        {
            weight = Math.Clamp(weight, 0, 100);
            state = state with
            {
                Canary = canary,
                Generation = 1,
                Phase = RolloutPhase.Progressing,
                Weight = weight,
                StepIndex = StepOf(policy, weight),
            };
        }
        return RolloutMachine.Next(state, policy, new RolloutInput { DesiredVersion = desired }, Instant).State;
    }

    /// <summary>The first step whose weight reaches <paramref name="weight"/> (the canary is sized for it).</summary>
    private static int StepOf(RolloutPolicy policy, int weight)
    {
        for (var i = 0; i < policy.Steps.Length; i++)
        {
            if (policy.WeightAt(i) >= weight && policy.Steps[i].SetWeight is not null)
            {
                return i;
            }
        }
        return 0;
    }
}
