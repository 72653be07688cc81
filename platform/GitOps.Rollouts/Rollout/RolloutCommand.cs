namespace GitOps.Rollouts.Rollout;

public enum RolloutCommandKind
{
    /// <summary>Continue a paused rollout (or skip the current step).</summary>
    Promote,
    /// <summary>Skip every remaining step and analysis and make the new version stable now.</summary>
    PromoteFull,
    /// <summary>Roll back now and reject the new version.</summary>
    Abort,
    /// <summary>Start a rolled-back version's rollout again from the first step.</summary>
    Retry,
}

/// <summary>An operator's command, with who gave it and when (recorded in the history).</summary>
public sealed record RolloutCommand(RolloutCommandKind Kind, string Actor, DateTimeOffset At);
