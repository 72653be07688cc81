using System.Text.Json.Nodes;

namespace GitOps.Reconciler.Loop;

/// <summary>
/// A driver of one shard (<c>--shard K/N</c>) that can also read the Jobs the other shards manage in an environment:
/// an experiment's trials share their GPU pool with the training Jobs of every model, not only of this shard's.
/// </summary>
public interface IOtherShardsJobs
{
    /// <summary>The managed Jobs of <paramref name="environment"/> in <paramref name="namespace"/> that other shards
    /// own; none when the reconciler is not sharded.</summary>
    Task<IReadOnlyList<JsonObject>> ReadOtherShardsJobsAsync(string environment, string @namespace, CancellationToken ct);
}
