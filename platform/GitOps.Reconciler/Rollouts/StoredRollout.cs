using System.Collections.Immutable;
using GitOps.Rollouts.Rollout;

namespace GitOps.Reconciler.Rollouts;

/// <summary>
/// One model's rollout as stored: its state, the version token to save against (the ConfigMap's resourceVersion),
/// the operators' commands waiting for the reconciler (in the order they were recorded), and the id of the last
/// command marked done.
/// </summary>
public sealed record StoredRollout(
    string Environment,
    string Model,
    RolloutState State,
    string ResourceVersion,
    ImmutableArray<PendingRolloutCommand> PendingCommands = default,
    string? LastCompletedCommandId = null)
{
    /// <summary>The commands waiting for the reconciler, oldest recorded first (empty when none).</summary>
    public ImmutableArray<PendingRolloutCommand> PendingCommands { get; init; } = PendingCommands.IsDefault ? [] : PendingCommands;
}
