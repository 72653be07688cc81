using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json.Nodes;

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

    public int Count => _entries.Count;

    internal bool TryGet(string environment, string model, string inputHash, out Entry entry) =>
        _entries.TryGetValue((environment, model), out entry!) && entry.InputHash == inputHash;

    internal void Put(string environment, string model, Entry entry) => _entries[(environment, model)] = entry;

    /// <summary>Objects are never handed out to be mutated: the renderer copies them when it restamps a commit.</summary>
    internal sealed record Entry(
        string InputHash,
        string Commit,
        ImmutableArray<JsonObject> Objects,
        RenderedModel? Model);
}
