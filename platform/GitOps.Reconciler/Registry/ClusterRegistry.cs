using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;

namespace GitOps.Reconciler.Registry;

/// <summary>
/// Registry facts read from the cluster itself: a version is trained when its training Job succeeded or a
/// Deployment serves it, and each environment's stable and canary versions are those of its Deployments. Versions
/// once seen trained are kept in the environment's status, because the planner prunes a training Job as soon as
/// its version is trained: without that memory the next pass would train the same version again.
/// </summary>
public sealed class ClusterRegistry : IRegistry
{
    public Task<RegistryFacts> ReadAsync(string environment, IReadOnlyList<JsonObject> observed,
        ImmutableSortedSet<string> knownTrained, CancellationToken ct)
    {
        var facts = ObservedFacts.From(observed);
        foreach (var entry in knownTrained)
        {
            var at = entry.LastIndexOf('@');
            if (at > 0 && at < entry.Length - 1)
            {
                facts = facts.WithTrained(entry[..at], entry[(at + 1)..]);
            }
        }
        return Task.FromResult(facts);
    }

    /// <summary>Every trained version in <paramref name="facts"/> as <c>model@version</c>, the form kept in status.</summary>
    public static ImmutableSortedSet<string> TrainedVersions(RegistryFacts facts) =>
        ImmutableSortedSet.CreateRange(StringComparer.Ordinal,
            facts.Models.SelectMany(m => m.Value.TrainedVersions.Select(v => $"{m.Key}@{v}")));
}
