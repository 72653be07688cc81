using System.Globalization;
using System.Text.Json.Nodes;

namespace GitOps.Planning.Cluster;

/// <summary>One stored object and what GitOps last applied to it (null when something else created it).</summary>
public sealed record StoredObject(JsonObject Object, JsonObject? LastApplied);

/// <summary>
/// Objects kept the way the API server keeps them, as the Kubernetes driver sees it: apply merges the fields GitOps
/// owns (<see cref="SingleManagerApply"/>), a no-op apply keeps the resourceVersion, status is never written by
/// apply, reads are label-selected, deleting a missing object is fine, uid/creationTimestamp/generation are kept
/// like the server keeps them. Pure and thread-safe; the Local driver persists it, tests keep it in memory.
/// </summary>
public sealed class ObjectStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ResourceKey, StoredObject> _objects = [];
    private long _resourceVersion;

    public ObjectStore(IEnumerable<StoredObject>? objects = null, long resourceVersion = 1000)
    {
        _resourceVersion = resourceVersion;
        foreach (var stored in objects ?? [])
        {
            _objects[KeyOf(stored.Object)] = stored;
        }
    }

    /// <summary>The newest resourceVersion handed out.</summary>
    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    /// <summary>Copies of every object, sorted by key.</summary>
    public IReadOnlyList<JsonObject> Objects
    {
        get
        {
            lock (_gate)
            {
                return [.. _objects.OrderBy(kv => kv.Key).Select(kv => (JsonObject)kv.Value.Object.DeepClone())];
            }
        }
    }

    public StoredObject? Stored(ResourceKey key)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(key, out var stored)
                ? new StoredObject((JsonObject)stored.Object.DeepClone(), (JsonObject?)stored.LastApplied?.DeepClone())
                : null;
        }
    }

    public JsonObject? Get(ResourceKey key)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(key, out var stored) ? (JsonObject)stored.Object.DeepClone() : null;
        }
    }

    /// <summary>Objects of a managed kind in <paramref name="namespace"/> labelled as GitOps's for <paramref name="environment"/>.</summary>
    public IReadOnlyList<JsonObject> ReadManaged(string environment, string @namespace)
    {
        lock (_gate)
        {
            return [.. _objects
                .Where(kv => kv.Key.Namespace == @namespace
                             && ManagedKinds.Find(kv.Key.ApiVersion, kv.Key.Kind) is not null
                             && Label(kv.Value.Object, ManagedLabels.ManagedBy) == ManagedLabels.ManagedByValue
                             && Label(kv.Value.Object, ManagedLabels.Environment) == environment)
                .OrderBy(kv => kv.Key)
                .Select(kv => (JsonObject)kv.Value.Object.DeepClone())];
        }
    }

    /// <summary>Server-side apply by GitOps; with <paramref name="dryRun"/> the result is computed and not kept.</summary>
    public JsonObject Apply(JsonObject desired, bool dryRun, DateTimeOffset now)
    {
        var key = KeyOf(desired);
        if (ManagedKinds.Find(key.ApiVersion, key.Kind) is null)
        {
            throw new ArgumentException($"{key.ApiVersion} {key.Kind} is not a kind GitOps manages");
        }
        if (key.Namespace is null)
        {
            throw new ArgumentException($"{key.Kind}/{key.Name} has no metadata.namespace");
        }
        var applied = SingleManagerApply.Configuration(desired);
        lock (_gate)
        {
            _objects.TryGetValue(key, out var existing);
            var live = SingleManagerApply.Merge(existing?.Object, applied, existing?.LastApplied);
            live["apiVersion"] = key.ApiVersion;
            live["kind"] = key.Kind;
            var metadata = live["metadata"] as JsonObject ?? new JsonObject();
            live["metadata"] = metadata;
            metadata["name"] = key.Name;
            metadata["namespace"] = key.Namespace;
            return Store(key, existing, live, dryRun ? null : applied, dryRun, now);
        }
    }

    /// <summary>Removes an object; true when it existed.</summary>
    public bool Delete(ResourceKey key)
    {
        lock (_gate)
        {
            return _objects.Remove(key);
        }
    }

    /// <summary>Puts an object in place as something other than GitOps would (no ownership by GitOps).</summary>
    public JsonObject Seed(JsonObject obj, DateTimeOffset now)
    {
        var key = KeyOf(obj);
        lock (_gate)
        {
            _objects.TryGetValue(key, out var existing);
            return Store(key, existing, (JsonObject)obj.DeepClone(), existing?.LastApplied, dryRun: false, now);
        }
    }

    /// <summary>Changes an object outside GitOps (drift, or a controller writing status); null when it does not exist.</summary>
    public JsonObject? Edit(ResourceKey key, Action<JsonObject> edit, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue(key, out var existing))
            {
                return null;
            }
            var copy = (JsonObject)existing.Object.DeepClone();
            edit(copy);
            return Store(key, existing, copy, existing.LastApplied, dryRun: false, now);
        }
    }

    // Called under the lock.
    private JsonObject Store(ResourceKey key, StoredObject? existing, JsonObject obj, JsonObject? lastApplied, bool dryRun, DateTimeOffset now)
    {
        var metadata = obj["metadata"] as JsonObject ?? new JsonObject();
        obj["metadata"] = metadata;
        var oldMeta = existing?.Object["metadata"] as JsonObject;
        // Unique within the store and never reused: derived from the resourceVersion counter, not from randomness.
        metadata["uid"] = oldMeta?["uid"]?.DeepClone() ?? string.Create(CultureInfo.InvariantCulture, $"00000000-0000-4000-8000-{_resourceVersion + 1:D12}");
        metadata["creationTimestamp"] = oldMeta?["creationTimestamp"]?.DeepClone()
                                        ?? now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var oldGeneration = oldMeta?["generation"] is JsonValue g && g.TryGetValue<long>(out var gen) ? gen : 0;
        metadata["generation"] = existing is null || !JsonNode.DeepEquals(Spec(existing.Object), Spec(obj)) ? oldGeneration + 1 : oldGeneration;
        metadata["resourceVersion"] = oldMeta?["resourceVersion"]?.DeepClone();
        if (existing is not null && JsonNode.DeepEquals(existing.Object, obj))
        {
            if (!dryRun && lastApplied is not null)
            {
                _objects[key] = existing with { LastApplied = lastApplied };
            }
            return (JsonObject)existing.Object.DeepClone();
        }
        if (dryRun)
        {
            return obj;
        }
        metadata["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        _objects[key] = new StoredObject(obj, lastApplied);
        return (JsonObject)obj.DeepClone();
    }

    private static JsonObject Spec(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
    }

    private static string? Label(JsonObject obj, string name) => obj["metadata"]?["labels"]?[name]?.GetValue<string>();

    public static ResourceKey KeyOf(JsonObject obj) => new(
        obj["apiVersion"]?.GetValue<string>() ?? throw new ArgumentException("the object has no apiVersion"),
        obj["kind"]?.GetValue<string>() ?? throw new ArgumentException("the object has no kind"),
        obj["metadata"]?["namespace"]?.GetValue<string>(),
        obj["metadata"]?["name"]?.GetValue<string>() ?? throw new ArgumentException("the object has no metadata.name"));
}
