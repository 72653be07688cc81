using GitOps.Rollouts.Rollout;

namespace GitOps.Reconciler.Rollouts;

/// <summary>
/// One model's rollout as stored: its state, the version token to save against (the ConfigMap's resourceVersion),
/// the operator's command waiting for the reconciler (if any), and the id of the last command marked done.
/// </summary>
public sealed record StoredRollout(
    string Environment,
    string Model,
    RolloutState State,
    string ResourceVersion,
    PendingRolloutCommand? PendingCommand = null,
    string? LastCompletedCommandId = null);
