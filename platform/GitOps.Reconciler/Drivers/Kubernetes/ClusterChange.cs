using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>What a watch of managed objects reports.</summary>
public enum ClusterChangeType
{
    /// <summary>A full list of one kind was (re)read: at start, and again after the watch history expired (410).
    /// <see cref="ClusterChange.Snapshot"/> holds every managed object of that kind.</summary>
    Listed,
    Added,
    Modified,
    Deleted,
}

/// <summary>One change to the managed objects of an environment, for drift detection.</summary>
public sealed record ClusterChange(
    ClusterChangeType Type,
    ManagedKind Kind,
    ResourceKey? Key,
    JsonObject? Object,
    string ResourceVersion,
    IReadOnlyList<JsonObject> Snapshot)
{
    public static ClusterChange Listed(ManagedKind kind, IReadOnlyList<JsonObject> objects, string resourceVersion) =>
        new(ClusterChangeType.Listed, kind, null, null, resourceVersion, objects);
}
