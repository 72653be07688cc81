using System.Collections.Immutable;
using GitOps.Rollouts.Rollout;

namespace GitOps.Reconciler.Rollouts;

/// <summary>
/// Where each model's <see cref="RolloutState"/> lives between passes, per environment, and how an operator's command
/// (<c>gitops rollout promote|abort|retry</c>) reaches the reconciler. Saves are optimistic: a save based on a stale
/// read is refused with <see cref="RolloutStateConflictException"/> (HTTP 409 on Kubernetes), so two writers never
/// silently overwrite each other. In a cluster: ConfigMap <c>gitops-rollout-&lt;model&gt;</c> in the environment's
/// namespace (<see cref="Drivers.Kubernetes.ConfigMapRolloutStateStore"/>); on the local runtime: files in the
/// <c>gitops up</c> state folder (<see cref="Drivers.Local.LocalRolloutStateStore"/>).
/// </summary>
public interface IRolloutStateStore
{
    /// <summary>The model's stored rollout, or null when none was saved yet.</summary>
    Task<StoredRollout?> LoadAsync(RolloutScope scope, string model, CancellationToken ct);

    /// <summary>
    /// Stores <paramref name="state"/> if nobody wrote since <paramref name="resourceVersion"/> was read (null: only when
    /// nothing is stored yet). When <paramref name="completedCommandId"/> names a pending command, it and every command
    /// recorded before it are marked done in the same write, so a command is never applied twice nor lost across a crash. Returns what was stored, with its
    /// new version; throws <see cref="RolloutStateConflictException"/> when the read was stale.
    /// </summary>
    Task<StoredRollout> SaveAsync(RolloutScope scope, string model, RolloutState state, string? resourceVersion, CancellationToken ct, string? completedCommandId = null);

    /// <summary>Every stored rollout of the environment, ordered by model name.</summary>
    Task<ImmutableArray<StoredRollout>> ListAsync(RolloutScope scope, CancellationToken ct);

    /// <summary>
    /// Records an operator's command for the reconciler to apply on its next pass, after the commands still pending
    /// (all of them are applied in that pass, see <see cref="RolloutCommands.Arrange"/>). Throws <see cref="RolloutNotFoundException"/> when the model has no stored rollout.
    /// </summary>
    Task<PendingRolloutCommand> WriteCommandAsync(RolloutScope scope, string model, RolloutCommand command, CancellationToken ct);

    /// <summary>The commands waiting for the reconciler, in the order they were recorded. They stay pending until
    /// marked done, so a reconciler that dies while applying them applies them after its restart.</summary>
    Task<ImmutableArray<PendingRolloutCommand>> TakePendingCommandsAsync(RolloutScope scope, string model, CancellationToken ct);

    /// <summary>Marks the command, and every command recorded before it, done (no longer pending); false when it is not
    /// pending.</summary>
    Task<bool> MarkCommandDoneAsync(RolloutScope scope, string model, string commandId, CancellationToken ct);
}
