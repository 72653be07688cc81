using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Planning.Rendering;

/// <summary>
/// What a warm reconciler remembers of each (environment, model) between passes, so that a pass in which neither the
/// model's inputs nor its objects in the cluster moved neither renders nor compares it: the hash of everything the
/// model's objects depend on (model spec, environment spec, registry facts, rollout policy and state), the keys of
/// the objects it rendered, and for each the observed identity (uid and resourceVersion) it was last found to match.
/// A compact record, not the objects: a model whose inputs or objects moved is rendered again (a fraction of a
/// millisecond), so no rendered tree outlives the pass that compared it. Any change in the cluster, drift included,
/// changes an object's resourceVersion; any change of input changes the hash: either way the model is rendered and
/// compared again. Safe to share between threads. Purely in memory.
/// </summary>
public sealed class RenderCache
{
    private readonly ConcurrentDictionary<(string Environment, string Model), Entry> _entries = new();

    /// <summary>The hash of each spec record's JSON, by instance: a commit's specs are loaded once and planned on every
    /// pass, and serializing thousands of model specs again each time was most of a warm pass's render. Records are
    /// immutable, so a record's hash never changes; a new commit brings new records. The hash, not the text, is kept:
    /// held for every model of a large repository the text would weigh megabytes.</summary>
    private readonly ConditionalWeakTable<object, string> _specHashes = new();

    public int Count => _entries.Count;

    internal string HashOf<T>(T spec) where T : class =>
        _specHashes.GetValue(spec, s => CanonicalJson.Sha256Hex(JsonSerializer.Serialize((T)s, SpecJson.Options)));

    internal bool TryGet(string environment, string model, string inputHash, out Entry entry) =>
        _entries.TryGetValue((environment, model), out entry!) && entry.InputHash == inputHash;

    internal void Put(string environment, string model, Entry entry) => _entries[(environment, model)] = entry;

    /// <summary>Forgets the models of <paramref name="environment"/> that are no longer served there (removed from Git
    /// or from the environment), so that a long-running reconciler holds records of what it plans only.</summary>
    internal void Retain(string environment, IReadOnlyCollection<ModelSpec> served)
    {
        var names = served.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var key in _entries.Keys)
        {
            if (key.Environment == environment && !names.Contains(key.Model))
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    /// <summary>The identity an observed object has in this very version (<c>uid/resourceVersion</c>), or null when it
    /// has no resourceVersion (a file or a test, never an API server): such an object is always compared.</summary>
    internal static string? ObservedIdentity(JsonObject observed) =>
        observed["metadata"] is JsonObject metadata
            ? Identity(metadata["uid"]?.GetValue<string>(), metadata["resourceVersion"]?.GetValue<string>())
            : null;

    /// <inheritdoc cref="ObservedIdentity"/>
    internal static string? Identity(string? uid, string? resourceVersion) =>
        resourceVersion is { Length: > 0 } ? $"{uid}/{resourceVersion}" : null;

    /// <summary>One model in one environment as last planned.</summary>
    /// <param name="Keys">The objects it rendered.</param>
    /// <param name="Matched">By position in <paramref name="Keys"/>: the observed identity the object was found equal
    /// to, or null when it was not (created, updated, edited in the cluster).</param>
    /// <param name="Diagnostics">Its pod-security findings.</param>
    internal sealed record Entry(
        string InputHash,
        ImmutableArray<ResourceKey> Keys,
        ImmutableArray<string?> Matched,
        RenderedModel? Model,
        ImmutableArray<Diagnostic> Diagnostics);
}
