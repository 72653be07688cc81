namespace GitOps.Rollouts.Replay;

/// <summary>What the rollout would have done with the replayed data.</summary>
public enum ReplayOutcome
{
    /// <summary>Every run ended Successful (or the data ended while a run was still measuring).</summary>
    Passed,
    /// <summary>A run ended Failed or Error: the rollout would have been rolled back (aborted).</summary>
    RolledBack,
    /// <summary>A run ended Inconclusive with <c>onInconclusive: pause</c>: the rollout would have waited for a human.</summary>
    Paused,
}
