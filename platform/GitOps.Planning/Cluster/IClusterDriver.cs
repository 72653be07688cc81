using System.Text.Json.Nodes;

namespace GitOps.Planning.Cluster;

/// <summary>
/// The port between the pure core and a cluster. Objects travel as JSON (the API server's own form), so the
/// diff does not care whether they came from a live-state file, an in-memory fake or a real API server.
/// </summary>
public interface IClusterDriver
{
    /// <summary>Every object of a <see cref="ManagedKinds"/> kind in <paramref name="namespace"/> that carries
    /// <c>ml.gitops/managed-by=gitops</c> and <c>ml.gitops/environment=<paramref name="environment"/></c>.</summary>
    Task<IReadOnlyList<JsonObject>> ReadManagedAsync(string environment, string @namespace, CancellationToken ct);

    /// <summary>Reads one object, or null when it does not exist (404).</summary>
    Task<JsonObject?> GetAsync(ResourceKey key, CancellationToken ct);

    /// <summary>Server-side apply with field manager <c>gitops</c>; returns the object as the server has it.
    /// With <paramref name="dryRun"/> nothing is persisted.</summary>
    Task<JsonObject> ApplyAsync(JsonObject desired, bool dryRun, CancellationToken ct);

    /// <summary>Deletes an object; deleting one that is already gone is not an error.</summary>
    Task DeleteAsync(ResourceKey key, CancellationToken ct);
}
