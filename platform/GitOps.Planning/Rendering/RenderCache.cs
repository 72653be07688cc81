using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Specs.Diagnostics;

namespace GitOps.Planning.Rendering;

/// <summary>
/// Memoises rendering per (environment, model) by the hash of everything the model's objects depend on: the model
/// spec, the environment spec, the model's registry facts and its rollout strategy. A commit that changes one model
/// re-renders that model only; the others are reused (restamped with the new commit annotation when it changed).
/// Holds at most one entry per (environment, model). Safe to share between threads. Purely in memory.
/// </summary>
public sealed class RenderCache
{
    private readonly ConcurrentDictionary<(string Environment, string Model), Entry> _entries = new();

    /// <summary>Per object: the desired tree (as this cache handed it out) and the observed object's identity (uid and
    /// resourceVersion) it was last found to match. Any change in the cluster, drift included, changes the
    /// resourceVersion; any change in the desired state hands out a new tree: either way the objects are compared again.</summary>
    private readonly ConcurrentDictionary<ResourceKey, (JsonObject Desired, string Observed)> _matches = new();

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

    /// <summary>True when <paramref name="desired"/> already matched <paramref name="observed"/> in this very version,
    /// so comparing them again would find nothing.</summary>
    internal bool KnownToMatch(ResourceKey key, JsonObject desired, JsonObject observed) =>
        ObservedIdentity(observed) is { } identity && _matches.TryGetValue(key, out var match)
        && ReferenceEquals(match.Desired, desired) && match.Observed == identity;

    /// <summary>Records that <paramref name="desired"/> and <paramref name="observed"/> were compared and are equal.</summary>
    internal void RememberMatch(ResourceKey key, JsonObject desired, JsonObject observed)
    {
        if (ObservedIdentity(observed) is { } identity)
        {
            _matches[key] = (desired, identity);
        }
    }

    private static string? ObservedIdentity(JsonObject observed) =>
        observed["metadata"] is JsonObject metadata && metadata["resourceVersion"]?.GetValue<string>() is { Length: > 0 } version
            ? $"{metadata["uid"]?.GetValue<string>()}/{version}"
            : null;

    /// <summary>Objects are never handed out to be mutated: the renderer copies them when it restamps a commit.</summary>
    internal sealed record Entry(
        string InputHash,
        string Commit,
        ImmutableArray<JsonObject> Objects,
        RenderedModel? Model,
        ImmutableArray<Diagnostic> Diagnostics);
}
