using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// The managed objects of one environment as a running watch last saw them (what client-go's informers keep), so a
/// pass reads memory instead of listing every kind again. The objects are read only when they can be trusted: every
/// kind was listed and its watch is open, and every object the driver wrote since has come back through the watch in
/// the very version written (or, deleted, has left). Otherwise the caller lists, as without a watch.
/// Objects are kept as compact text (<see cref="CompactObject"/>, a quarter of a tree's weight) and read as new trees,
/// so nothing a reader does changes them. Safe to share between threads.
/// </summary>
internal sealed class WatchedObjects(string environment, IReadOnlyCollection<ManagedKind> kinds)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ResourceKey, CompactObject> _objects = [];
    private readonly HashSet<ManagedKind> _current = [];

    /// <summary>What this driver wrote and the watch has not shown yet: the resourceVersion written, or null for a delete.</summary>
    private readonly Dictionary<ResourceKey, string?> _awaited = [];

    /// <summary>A kind was listed (at the start or after its history expired): its objects are exactly these.</summary>
    public void Listed(ManagedKind kind, IReadOnlyList<CompactObject> objects)
    {
        lock (_gate)
        {
            foreach (var key in _objects.Keys.Where(k => Is(kind, k)).ToList())
            {
                _objects.Remove(key);
            }
            foreach (var obj in objects)
            {
                _objects[obj.Key] = obj;
            }
        }
    }

    /// <summary>A kind the cluster does not serve: none of its objects can exist.</summary>
    public void NotServed(ManagedKind kind)
    {
        Listed(kind, []);
        Opened(kind);
    }

    /// <summary>One event of a kind's watch.</summary>
    public void Changed(ClusterChangeType type, ResourceKey key, JsonObject obj)
    {
        var compact = type == ClusterChangeType.Deleted ? null : CompactObject.Of(obj);
        lock (_gate)
        {
            if (type == ClusterChangeType.Deleted)
            {
                _objects.Remove(key);
                return;
            }
            _objects[key] = compact!;
        }
    }

    /// <summary>A kind's watch ended (dropped, expired, refused): changes may go unseen until it is open again.</summary>
    public void Interrupted(ManagedKind kind)
    {
        lock (_gate)
        {
            _current.Remove(kind);
        }
    }

    /// <summary>A kind's watch is open, from its list's resourceVersion or the last one it saw: the server sends what
    /// changed since.</summary>
    public void Opened(ManagedKind kind)
    {
        lock (_gate)
        {
            _current.Add(kind);
        }
    }

    /// <summary>This driver applied <paramref name="stored"/>: reads wait until the watch shows this version.</summary>
    public void Applied(ResourceKey key, JsonObject stored)
    {
        if (!IsWatchedHere(key, stored))
        {
            return;
        }
        lock (_gate)
        {
            _awaited[key] = ResourceVersion(stored);
        }
    }

    /// <summary>This driver deleted <paramref name="key"/>: reads wait until the watch shows it gone.</summary>
    public void Deleted(ResourceKey key)
    {
        if (!IsOfWatchedKind(key))
        {
            return;
        }
        lock (_gate)
        {
            _awaited[key] = null;
        }
    }

    /// <summary>Every object, sorted by key, when the watch can be trusted; null when the caller has to list.</summary>
    public ObservedObjects? Read()
    {
        lock (_gate)
        {
            if (_current.Count < kinds.Count)
            {
                return null;
            }
            foreach (var (key, version) in _awaited.ToList())
            {
                var seen = _objects.TryGetValue(key, out var obj) ? obj.ResourceVersion : null;
                if (seen != version)
                {
                    return null;
                }
                _awaited.Remove(key);
            }
            return ObservedObjects.Of(_objects.Values);
        }
    }

    /// <summary>
    /// The caller listed instead of reading: objects written since are now awaited in the versions the list shows
    /// (a later change by someone else replaces the version written, and the watch shows that one in turn).
    /// </summary>
    public void ListedInstead(ObservedObjects objects)
    {
        lock (_gate)
        {
            if (_awaited.Count == 0)
            {
                return;
            }
            var listed = objects.Items.ToDictionary(o => o.Key, o => o.ResourceVersion);
            foreach (var key in _awaited.Keys.ToList())
            {
                _awaited[key] = listed.GetValueOrDefault(key);
            }
        }
    }

    /// <summary>Only objects this watch selects ever come back through it.</summary>
    private bool IsWatchedHere(ResourceKey key, JsonObject obj) =>
        IsOfWatchedKind(key)
        && ObjectKeys.Label(obj, ManagedLabels.ManagedBy) == ManagedLabels.ManagedByValue
        && ObjectKeys.Label(obj, ManagedLabels.Environment) == environment;

    private bool IsOfWatchedKind(ResourceKey key) => kinds.Any(k => Is(k, key));

    private static bool Is(ManagedKind kind, ResourceKey key) => key.ApiVersion == kind.ApiVersion && key.Kind == kind.Kind;

    private static string? ResourceVersion(JsonObject obj) => obj["metadata"]?["resourceVersion"]?.GetValue<string>();
}
