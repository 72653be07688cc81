using System.Text.Json.Nodes;

namespace GitOps.Reconciler.Loop;

/// <summary>
/// A driver that can read the Jobs sharing a GPU pool beyond what <see cref="Planning.Cluster.IClusterDriver.ReadManagedAsync"/>
/// shows: the training Jobs of other shards' models (<c>--shard K/N</c>) and the trial Jobs of every experiment.
/// An experiment's trials share their pool with all of them.
/// </summary>
public interface IPoolJobs
{
    /// <summary>The managed Jobs of <paramref name="environment"/> in <paramref name="namespace"/> that other shards
    /// own; none when the reconciler is not sharded.</summary>
    Task<IReadOnlyList<JsonObject>> ReadOtherShardsJobsAsync(string environment, string @namespace, CancellationToken ct);

    /// <summary>The trial Jobs of every experiment of <paramref name="environment"/> in <paramref name="namespace"/>,
    /// whichever shard started them.</summary>
    Task<IReadOnlyList<JsonObject>> ReadTrialJobsAsync(string environment, string @namespace, CancellationToken ct);
}
