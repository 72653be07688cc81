namespace GitOps.Rollouts.Rollout;

public enum RolloutPhase
{
    /// <summary>Only the stable version serves; nothing in progress.</summary>
    Healthy,
    /// <summary>A new version is going through the steps.</summary>
    Progressing,
    /// <summary>Waiting for a human: an indefinite pause, or an Inconclusive analysis with <c>onInconclusive: pause</c>.</summary>
    Paused,
    /// <summary>The new version was rolled back and is rejected until its inputs change (or <c>retry</c>).</summary>
    Degraded,
}
