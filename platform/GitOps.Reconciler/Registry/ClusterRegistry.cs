using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;

namespace GitOps.Reconciler.Registry;

/// <summary>
/// Registry facts read from the cluster itself, with no store of its own: a version is trained when its training
/// Job succeeded or a Deployment serves it, and an environment's stable and canary versions are those of its
/// Deployments. The plan that prunes a succeeded training Job is the one that creates the Deployment serving its
/// version (prune runs last, after serving), so the fact survives the Job.
/// </summary>
public sealed class ClusterRegistry : IRegistry
{
    public Task<RegistryFacts> ReadAsync(string environment, IReadOnlyList<JsonObject> observed, CancellationToken ct) =>
        Task.FromResult(ObservedFacts.From(observed));
}
