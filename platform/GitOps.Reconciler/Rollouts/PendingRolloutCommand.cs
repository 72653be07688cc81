using GitOps.Rollouts.Rollout;

namespace GitOps.Reconciler.Rollouts;

/// <summary>An operator's command waiting for the reconciler, with the id that marks it done.</summary>
public sealed record PendingRolloutCommand(string Id, RolloutCommand Command);
