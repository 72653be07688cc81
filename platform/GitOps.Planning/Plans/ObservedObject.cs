using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;

namespace GitOps.Planning.Plans;

/// <summary>
/// An observed object with what planning asks of it on every comparison — its identity and the two labels that
/// decide whether it is ours — read once instead of once per environment and per use.
/// </summary>
internal readonly record struct ObservedObject(ResourceKey Key, JsonObject Object, string? ManagedBy, string? Environment)
{
    public bool IsOurs(string environment) => ManagedBy == ManagedLabels.ManagedByValue && Environment == environment;

    public static ObservedObject[] Index(IReadOnlyList<JsonObject> observed)
    {
        var index = new ObservedObject[observed.Count];
        // Reading a tree from several threads is safe; each slot is written by one iteration only.
        Parallel.For(0, observed.Count, Parallelism.For(observed.Count), i =>
        {
            var o = observed[i];
            index[i] = new ObservedObject(ObjectKeys.Of(o), o,
                ObjectKeys.Label(o, ManagedLabels.ManagedBy), ObjectKeys.Label(o, ManagedLabels.Environment));
        });
        return index;
    }
}
