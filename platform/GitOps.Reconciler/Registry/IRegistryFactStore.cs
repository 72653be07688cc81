using GitOps.Planning.Rendering;

namespace GitOps.Reconciler.Registry;

/// <summary>Facts as stored for one environment, with the text they were stored as and the store's concurrency token.</summary>
public sealed record StoredFacts(RegistryFacts Facts, string Text, string? ResourceVersion);

/// <summary>
/// Port: where <see cref="ClusterRegistry"/> keeps the facts rendering needs (trained versions, each environment's
/// stable version), so they never depend on objects a person can delete. In the cluster it is a ConfigMap per
/// environment (<see cref="Drivers.Kubernetes.ConfigMapRegistryFactStore"/>).
/// </summary>
public interface IRegistryFactStore
{
    Task<StoredFacts?> ReadAsync(string environment, CancellationToken ct);

    /// <summary>Stores <paramref name="text"/> if nobody saved since <paramref name="resourceVersion"/> was read
    /// (null: nothing stored yet); false when someone did (the next pass reads and merges again).</summary>
    Task<bool> SaveAsync(string environment, string text, string? resourceVersion, CancellationToken ct);
}
