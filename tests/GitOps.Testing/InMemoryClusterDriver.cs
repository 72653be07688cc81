using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;

namespace GitOps.Testing;

/// <summary>What an <see cref="InMemoryClusterDriver"/> was asked to do, in order.</summary>
public sealed record ClusterOperation(string Verb, ResourceKey Key, bool DryRun = false);

/// <summary>
/// An <see cref="IClusterDriver"/> kept in memory for reconcile-logic tests. It behaves like the API server as the
/// Kubernetes driver sees it: apply merges the fields GitOps owns (fields it stopped sending are removed, fields
/// others set are kept), a no-op apply keeps the resourceVersion, status is never written by apply, reads are
/// label-selected, deleting a missing object is fine. Hooks seed foreign objects, play controllers (status), edit
/// by hand and inject failures.
/// </summary>
public sealed class InMemoryClusterDriver(TimeProvider? time = null) : IClusterDriver
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ObjectStore _store = new();
    private readonly List<ClusterOperation> _operations = [];
    private readonly Queue<(string Verb, Exception Error)> _failures = new();

    public IReadOnlyList<ClusterOperation> Operations
    {
        get
        {
            lock (_gate)
            {
                return [.. _operations];
            }
        }
    }

    public IReadOnlyList<JsonObject> Objects => _store.Objects;

    /// <summary>The next call of <paramref name="verb"/> (read, get, apply, delete) throws <paramref name="error"/>.</summary>
    public void FailNext(string verb, Exception error)
    {
        lock (_gate)
        {
            _failures.Enqueue((verb, error));
        }
    }

    public Task<IReadOnlyList<JsonObject>> ReadManagedAsync(string environment, string @namespace, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfFailing("read");
            return Task.FromResult(_store.ReadManaged(environment, @namespace));
        }
    }

    public Task<JsonObject?> GetAsync(ResourceKey key, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfFailing("get");
            return Task.FromResult(_store.Get(key));
        }
    }

    public Task<JsonObject> ApplyAsync(JsonObject desired, bool dryRun, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var key = ObjectStore.KeyOf(desired);
        lock (_gate)
        {
            ThrowIfFailing("apply");
            var applied = _store.Apply(desired, dryRun, _time.GetUtcNow());
            _operations.Add(new ClusterOperation("apply", key, dryRun));
            return Task.FromResult(applied);
        }
    }

    public Task DeleteAsync(ResourceKey key, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfFailing("delete");
            _operations.Add(new ClusterOperation("delete", key));
            _store.Delete(key);
            return Task.CompletedTask;
        }
    }

    /// <summary>Puts an object in place as something other than GitOps would (no ownership by GitOps).</summary>
    public JsonObject Seed(JsonObject obj) => _store.Seed(obj, _time.GetUtcNow());

    /// <summary>Sets status, as the Job or Deployment controller would.</summary>
    public JsonObject SetStatus(ResourceKey key, JsonObject status) => EditByHand(key, obj => obj["status"] = status.DeepClone());

    /// <summary>Changes an object outside GitOps (drift).</summary>
    public JsonObject EditByHand(ResourceKey key, Action<JsonObject> edit) =>
        _store.Edit(key, edit, _time.GetUtcNow()) ?? throw new KeyNotFoundException($"{key} does not exist");

    private void ThrowIfFailing(string verb)
    {
        if (_failures.TryPeek(out var next) && next.Verb == verb)
        {
            _failures.Dequeue();
            throw next.Error;
        }
    }
}
