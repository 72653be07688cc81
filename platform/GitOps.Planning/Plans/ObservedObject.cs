using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;

namespace GitOps.Planning.Plans;

/// <summary>
/// An observed object with what planning asks of it on every comparison — its identity, the labels that decide
/// whether it is ours and its version — read once instead of once per environment and per use. The object itself is
/// a tree given as such (a live-state file, a test) or built from its compact text when it is read.
/// </summary>
internal readonly record struct ObservedObject(ResourceKey Key, string? ManagedBy, string? Environment, string? Model,
    JsonObject? Held, CompactObject? Compact)
{
    /// <summary>The identity the object has in this very version (<see cref="RenderCache.ObservedIdentity"/>).</summary>
    public string? Identity => Compact is { } c ? RenderCache.Identity(c.Uid, c.ResourceVersion) : RenderCache.ObservedIdentity(Held!);

    /// <summary>The object as a tree: the one given, or a new one from its text.</summary>
    public JsonObject Object => Held ?? Compact!.Tree();

    public bool IsOurs(string environment) => ManagedBy == ManagedLabels.ManagedByValue && Environment == environment;

    public static ObservedObject[] Index(IReadOnlyList<JsonObject> observed)
    {
        if (observed is ObservedObjects compact)
        {
            return [.. compact.Items.Select(o => new ObservedObject(o.Key, o.ManagedBy, o.Environment, o.Model, null, o))];
        }
        var index = new ObservedObject[observed.Count];
        // Reading a tree from several threads is safe; each slot is written by one iteration only.
        Parallel.For(0, observed.Count, Parallelism.For(observed.Count), i =>
        {
            var o = observed[i];
            index[i] = new ObservedObject(ObjectKeys.Of(o), ObjectKeys.Label(o, ManagedLabels.ManagedBy),
                ObjectKeys.Label(o, ManagedLabels.Environment), ObjectKeys.Label(o, ManagedLabels.Model), o, null);
        });
        return index;
    }
}
