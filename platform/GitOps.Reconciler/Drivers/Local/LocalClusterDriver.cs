using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>
/// <see cref="IClusterDriver"/> for one machine: objects live in an <see cref="ObjectStore"/> saved as JSON in the
/// state folder after every change, with the same apply semantics the Kubernetes driver gets from the API server.
/// The local controllers (<see cref="LocalRuntime"/>) read the same objects, run their processes and write status
/// back through <see cref="UpdateStatus"/>, so health and registry code read them as they read a cluster's.
/// </summary>
public sealed class LocalClusterDriver : IClusterDriver
{
    private readonly StateFolder _state;
    private readonly TimeProvider _time;
    private readonly ObjectStore _store;
    private readonly Lock _saveGate = new();

    public LocalClusterDriver(StateFolder state, TimeProvider time)
    {
        _state = state;
        _time = time;
        _store = Load(state);
    }

    /// <summary>Raised after an apply or delete changed an object (not for dry runs or no-op applies).</summary>
    public event Action<ResourceKey>? Changed;

    public IReadOnlyList<JsonObject> Objects => _store.Objects;

    public Task<IReadOnlyList<JsonObject>> ReadManagedAsync(string environment, string @namespace, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(_store.ReadManaged(environment, @namespace));
    }

    public Task<JsonObject?> GetAsync(ResourceKey key, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(Get(key));
    }

    /// <summary>Reads one object, or null when it does not exist.</summary>
    public JsonObject? Get(ResourceKey key) => _store.Get(key);

    public Task<JsonObject> ApplyAsync(JsonObject desired, bool dryRun, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var before = _store.ResourceVersion;
        var applied = _store.Apply(desired, dryRun, _time.GetUtcNow());
        if (!dryRun)
        {
            Save();
            if (_store.ResourceVersion != before)
            {
                Changed?.Invoke(ObjectStore.KeyOf(applied));
            }
        }
        return Task.FromResult(applied);
    }

    public Task DeleteAsync(ResourceKey key, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (_store.Delete(key))
        {
            Save();
            Changed?.Invoke(key);
        }
        return Task.CompletedTask;
    }

    /// <summary>Puts an object in place as something other than GitOps would.</summary>
    public JsonObject Seed(JsonObject obj)
    {
        var seeded = _store.Seed(obj, _time.GetUtcNow());
        Save();
        return seeded;
    }

    /// <summary>Changes an object outside GitOps (drift); null when it does not exist.</summary>
    public JsonObject? Edit(ResourceKey key, Action<JsonObject> edit)
    {
        var before = _store.ResourceVersion;
        var edited = _store.Edit(key, edit, _time.GetUtcNow());
        if (edited is not null && _store.ResourceVersion != before)
        {
            Save();
        }
        return edited;
    }

    /// <summary>Sets an object's status, as the Job or Deployment controller does; a status equal to the stored one
    /// writes nothing. Null when the object is gone.</summary>
    public JsonObject? UpdateStatus(ResourceKey key, JsonObject status) => Edit(key, obj => obj["status"] = status.DeepClone());

    private void Save()
    {
        lock (_saveGate)
        {
            var objects = new JsonArray();
            foreach (var obj in _store.Objects)
            {
                var stored = _store.Stored(ObjectStore.KeyOf(obj));
                if (stored is null)
                {
                    continue;
                }
                var entry = new JsonObject { ["object"] = stored.Object };
                if (stored.LastApplied is not null)
                {
                    entry["lastApplied"] = stored.LastApplied;
                }
                objects.Add(entry);
            }
            StateFolder.WriteJson(_state.ObjectsFile, new JsonObject
            {
                ["resourceVersion"] = _store.ResourceVersion,
                ["objects"] = objects,
            });
        }
    }

    private static ObjectStore Load(StateFolder state)
    {
        if (StateFolder.ReadJson(state.ObjectsFile) is not { } saved)
        {
            return new ObjectStore();
        }
        var entries = (saved["objects"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(e => e["object"] is JsonObject)
            .Select(e => new StoredObject((JsonObject)e["object"]!.DeepClone(), e["lastApplied"]?.DeepClone() as JsonObject));
        var resourceVersion = saved["resourceVersion"] is JsonValue v && v.TryGetValue<long>(out var rv) ? rv : 1000;
        return new ObjectStore(entries, resourceVersion);
    }
}
