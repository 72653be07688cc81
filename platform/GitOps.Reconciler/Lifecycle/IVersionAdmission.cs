using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;
using GitOps.Specs.Model;

namespace GitOps.Reconciler.Lifecycle;

/// <summary>
/// Port: decides which trained versions may be handed to the rollout. A version whose training succeeded is
/// evaluated against its quality gates and recorded in the registry of record; one that fails, or that cannot be
/// recorded yet, comes back as held (<see cref="RegistryFacts.WithHeld"/>) and is neither served nor trained again.
/// </summary>
public interface IVersionAdmission
{
    Task<RegistryFacts> AdmitAsync(SpecSet specs, EnvironmentSpec environment, string commit, RegistryFacts facts,
        IReadOnlyList<JsonObject> observed, CancellationToken ct);
}
