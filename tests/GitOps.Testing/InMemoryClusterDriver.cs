using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Testing.FakeKubernetes;

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
    private readonly Dictionary<ResourceKey, JsonObject> _objects = [];
    private readonly Dictionary<ResourceKey, JsonObject> _lastApplied = [];
    private readonly List<ClusterOperation> _operations = [];
    private readonly Queue<(string Verb, Exception Error)> _failures = new();
    private long _resourceVersion = 1000;

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

    public IReadOnlyList<JsonObject> Objects
    {
        get
        {
            lock (_gate)
            {
                return [.. _objects.OrderBy(kv => kv.Key).Select(kv => (JsonObject)kv.Value.DeepClone())];
            }
        }
    }

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
            IReadOnlyList<JsonObject> result = [.. _objects
                .Where(kv => kv.Key.Namespace == @namespace
                             && ManagedKinds.Find(kv.Key.ApiVersion, kv.Key.Kind) is not null
                             && Label(kv.Value, ManagedLabels.ManagedBy) == ManagedLabels.ManagedByValue
                             && Label(kv.Value, ManagedLabels.Environment) == environment)
                .OrderBy(kv => kv.Key)
                .Select(kv => (JsonObject)kv.Value.DeepClone())];
            return Task.FromResult(result);
        }
    }

    public Task<JsonObject?> GetAsync(ResourceKey key, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfFailing("get");
            return Task.FromResult(_objects.TryGetValue(key, out var obj) ? (JsonObject?)obj.DeepClone() : null);
        }
    }

    public Task<JsonObject> ApplyAsync(JsonObject desired, bool dryRun, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var key = KeyOf(desired);
        if (ManagedKinds.Find(key.ApiVersion, key.Kind) is null)
        {
            throw new ArgumentException($"{key.ApiVersion} {key.Kind} is not a kind GitOps manages");
        }
        if (key.Namespace is null)
        {
            throw new ArgumentException($"{key.Kind}/{key.Name} has no metadata.namespace");
        }
        lock (_gate)
        {
            ThrowIfFailing("apply");
            _operations.Add(new ClusterOperation("apply", key, dryRun));
            var applied = (JsonObject)desired.DeepClone();
            applied.Remove("status");
            if (applied["metadata"] is JsonObject m)
            {
                foreach (var field in new[] { "resourceVersion", "uid", "creationTimestamp", "managedFields", "generation" })
                {
                    m.Remove(field);
                }
            }
            _objects.TryGetValue(key, out var existing);
            var live = existing is null ? new JsonObject() : (JsonObject)existing.DeepClone();
            if (_lastApplied.TryGetValue(key, out var previous))
            {
                var appliedPaths = FieldPaths.Leaves(applied);
                var now = appliedPaths.Select(FieldPaths.Key).ToHashSet(StringComparer.Ordinal);
                foreach (var dropped in FieldPaths.Leaves(previous).Where(p => !now.Contains(FieldPaths.Key(p))))
                {
                    if (appliedPaths.Any(a => a.Length > dropped.Length && FieldPaths.Overlap(a, dropped)))
                    {
                        // An empty map we asserted before now has keys we set: keep it and whatever else it holds.
                        continue;
                    }
                    FieldPaths.Remove(live, dropped);
                }
            }
            foreach (var path in FieldPaths.Leaves(applied))
            {
                FieldPaths.TryGet(applied, path, out var value);
                FieldPaths.Set(live, path, value);
            }
            live["apiVersion"] = key.ApiVersion;
            live["kind"] = key.Kind;
            var metadata = live["metadata"] as JsonObject ?? new JsonObject();
            live["metadata"] = metadata;
            metadata["name"] = key.Name;
            metadata["namespace"] = key.Namespace;
            var result = Store(key, existing, live, dryRun);
            if (!dryRun)
            {
                _lastApplied[key] = applied;
            }
            return Task.FromResult(result);
        }
    }

    public Task DeleteAsync(ResourceKey key, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfFailing("delete");
            _operations.Add(new ClusterOperation("delete", key));
            _objects.Remove(key);
            _lastApplied.Remove(key);
            return Task.CompletedTask;
        }
    }

    /// <summary>Puts an object in place as something other than GitOps would (no ownership by GitOps).</summary>
    public JsonObject Seed(JsonObject obj)
    {
        var key = KeyOf(obj);
        lock (_gate)
        {
            _objects.TryGetValue(key, out var existing);
            return Store(key, existing, (JsonObject)obj.DeepClone(), dryRun: false);
        }
    }

    /// <summary>Sets status, as the Job or Deployment controller would.</summary>
    public JsonObject SetStatus(ResourceKey key, JsonObject status) => EditByHand(key, obj => obj["status"] = status.DeepClone());

    /// <summary>Changes an object outside GitOps (drift).</summary>
    public JsonObject EditByHand(ResourceKey key, Action<JsonObject> edit)
    {
        lock (_gate)
        {
            var existing = _objects.TryGetValue(key, out var found) ? found : throw new KeyNotFoundException($"{key} does not exist");
            var copy = (JsonObject)existing.DeepClone();
            edit(copy);
            return Store(key, existing, copy, dryRun: false);
        }
    }

    // Called under the lock.
    private JsonObject Store(ResourceKey key, JsonObject? existing, JsonObject obj, bool dryRun)
    {
        var metadata = obj["metadata"] as JsonObject ?? new JsonObject();
        obj["metadata"] = metadata;
        var oldMeta = existing?["metadata"] as JsonObject;
        metadata["uid"] = oldMeta?["uid"]?.DeepClone() ?? Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = oldMeta?["creationTimestamp"]?.DeepClone() ?? _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        var oldGeneration = oldMeta?["generation"] is JsonValue g && g.TryGetValue<long>(out var gen) ? gen : 0;
        metadata["generation"] = existing is null || !JsonNode.DeepEquals(Spec(existing), Spec(obj)) ? oldGeneration + 1 : oldGeneration;
        metadata["resourceVersion"] = oldMeta?["resourceVersion"]?.DeepClone();
        if (existing is not null && JsonNode.DeepEquals(existing, obj))
        {
            return (JsonObject)existing.DeepClone();
        }
        if (dryRun)
        {
            return obj;
        }
        metadata["resourceVersion"] = (++_resourceVersion).ToString();
        _objects[key] = obj;
        return (JsonObject)obj.DeepClone();
    }

    private void ThrowIfFailing(string verb)
    {
        if (_failures.TryPeek(out var next) && next.Verb == verb)
        {
            _failures.Dequeue();
            throw next.Error;
        }
    }

    private static JsonObject Spec(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
    }

    private static string? Label(JsonObject obj, string name) => obj["metadata"]?["labels"]?[name]?.GetValue<string>();

    private static ResourceKey KeyOf(JsonObject obj) => new(
        obj["apiVersion"]?.GetValue<string>() ?? throw new ArgumentException("the object has no apiVersion"),
        obj["kind"]?.GetValue<string>() ?? throw new ArgumentException("the object has no kind"),
        obj["metadata"]?["namespace"]?.GetValue<string>(),
        obj["metadata"]?["name"]?.GetValue<string>() ?? throw new ArgumentException("the object has no metadata.name"));
}
