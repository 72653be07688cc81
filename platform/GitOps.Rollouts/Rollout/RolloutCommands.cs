namespace GitOps.Rollouts.Rollout;

/// <summary>Whether an operator's command applies to a rollout's state; the CLI asks before it records one.</summary>
public static class RolloutCommands
{
    /// <summary>Why <paramref name="kind"/> cannot apply to <paramref name="state"/>, or null when it can.</summary>
    public static string? Refusal(RolloutState state, RolloutCommandKind kind) => kind switch
    {
        RolloutCommandKind.Promote or RolloutCommandKind.PromoteFull when state is { Phase: RolloutPhase.Degraded, Canary: { } rejected } =>
            $"version {rejected} was rolled back ({state.Rejected.LastOrDefault(r => r.Version == rejected)?.Reason ?? "rejected"}); run 'gitops rollout retry' to roll it out again from the first step",
        RolloutCommandKind.Promote or RolloutCommandKind.PromoteFull when !state.InProgress =>
            $"no rollout is in progress{Stable(state)}; there is nothing to promote",
        RolloutCommandKind.Abort when !state.InProgress && state.PreviousStable is null =>
            $"no rollout is in progress{Stable(state)}; there is nothing to abort",
        RolloutCommandKind.Retry when state is not { Phase: RolloutPhase.Degraded, Canary: not null } =>
            $"no rolled-back version to retry{Stable(state)}",
        _ => null,
    };

    private static string Stable(RolloutState state) => state.Stable is { } v ? $" (stable version {v})" : "";
}
