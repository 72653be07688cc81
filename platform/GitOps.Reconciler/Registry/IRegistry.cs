using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;

namespace GitOps.Reconciler.Registry;

/// <summary>
/// Where rendering learns what Git cannot say: which model versions are trained and what each environment serves.
/// A full registry of trained artifacts with lineage is its own component; this port is what the reconcile pass needs.
/// </summary>
public interface IRegistry
{
    /// <summary>The facts for <paramref name="environment"/>, given the managed objects just observed there.</summary>
    Task<RegistryFacts> ReadAsync(string environment, IReadOnlyList<JsonObject> observed, CancellationToken ct);
}
