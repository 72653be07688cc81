using System.Text.Json.Nodes;

namespace GitOps.Reconciler.Loop;

/// <summary>
/// A driver that can read the Jobs sharing a GPU pool beyond what <see cref="Planning.Cluster.IClusterDriver.ReadManagedAsync"/>
/// shows: the training Jobs of other shards' models (<c>--shard K/N</c>) and the trial Jobs of every experiment.
/// An experiment's trials share their pool with all of them.
/// </summary>
public interface IPoolJobs
{
    /// <summary>The Jobs of <paramref name="environment"/> in <paramref name="namespace"/> that
    /// <see cref="Planning.Cluster.IClusterDriver.ReadManagedAsync"/> does not show, read together: the trial Jobs of
    /// every experiment, and the managed Jobs other shards own (none when the reconciler is not sharded).</summary>
    Task<IReadOnlyList<JsonObject>> ReadPoolJobsAsync(string environment, string @namespace, CancellationToken ct);
}
