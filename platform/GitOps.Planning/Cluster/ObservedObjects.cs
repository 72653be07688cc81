using System.Collections;
using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;

namespace GitOps.Planning.Cluster;

/// <summary>
/// One observed object kept as its compact UTF-8 JSON, with what is asked of every object on every pass read out once:
/// its identity, the labels that say whose it is, and the version the cluster has. A tree of a listed object weighs
/// three to four times its text (about 7.5 KB against 2 KB for the example's Jobs), and a reconciler holds every object
/// of an environment between passes; trees are built when an object is read and let go after.
/// </summary>
public sealed class CompactObject
{
    private readonly byte[] _utf8;

    /// <summary>Values read from the object by <see cref="Read{T}"/>, by the reading function.</summary>
    private (Delegate Read, object? Value)[] _read = [];

    private CompactObject(byte[] utf8, ResourceKey key, string? managedBy, string? environment, string? model, string? uid, string? resourceVersion)
    {
        _utf8 = utf8;
        Key = key;
        ManagedBy = managedBy;
        Environment = environment;
        Model = model;
        Uid = uid;
        ResourceVersion = resourceVersion;
    }

    public ResourceKey Key { get; }

    /// <summary>The <c>ml.gitops/managed-by</c> label.</summary>
    public string? ManagedBy { get; }

    /// <summary>The <c>ml.gitops/environment</c> label.</summary>
    public string? Environment { get; }

    /// <summary>The <c>ml.gitops/model</c> label.</summary>
    public string? Model { get; }

    public string? Uid { get; }

    public string? ResourceVersion { get; }

    /// <summary>A new tree of the object, equal to the one it was made from (keys in the same order).</summary>
    public JsonObject Tree() => (JsonObject)DetachedJson.Parse(_utf8)!;

    /// <summary>
    /// What <paramref name="read"/> gives for the object's tree, built once and kept with it: the object never changes,
    /// so neither does the value. For a few small values every pass asks of the same object (a Job's outcome in the
    /// registry facts), so that a watched object unchanged since the last pass is not built again; never for trees.
    /// <paramref name="read"/> is a static function (the same delegate on every call).
    /// </summary>
    public T Read<T>(Func<JsonObject, T> read)
    {
        var known = Volatile.Read(ref _read);
        foreach (var (r, value) in known)
        {
            if (ReferenceEquals(r, read))
            {
                return (T)value!;
            }
        }
        var result = read(Tree());
        // Two readers at once may both build it; either list kept holds an equal value.
        Volatile.Write(ref _read, [.. known, (read, result)]);
        return result;
    }

    /// <summary>An object from its compact text and what was read of it on the way (a list page read item by item);
    /// the caller vouches that they agree.</summary>
    public static CompactObject OfText(byte[] utf8, ResourceKey key, string? managedBy, string? environment, string? model,
        string? uid, string? resourceVersion) =>
        new(utf8, key, managedBy, environment, model, uid, resourceVersion);

    public static CompactObject Of(JsonObject tree)
    {
        var metadata = tree["metadata"] as JsonObject;
        return new CompactObject(DetachedJson.ToUtf8(tree), ObjectKeys.Of(tree),
            ObjectKeys.Label(tree, ManagedLabels.ManagedBy), ObjectKeys.Label(tree, ManagedLabels.Environment),
            ObjectKeys.Label(tree, ManagedLabels.Model), ObjectKeys.Text(metadata?["uid"]), ObjectKeys.Text(metadata?["resourceVersion"]));
    }
}

/// <summary>
/// Observed objects as a reconciler keeps them: <see cref="CompactObject"/>s, sorted by key. As a list of trees every
/// read of an item builds a new tree (nothing stays built), so a reader that needs one kind or one object asks for it
/// by <see cref="OfKind"/> or <see cref="Named"/> (<see cref="ObservedLists"/> does for any list) and builds only those.
/// </summary>
public sealed class ObservedObjects : IReadOnlyList<JsonObject>
{
    private readonly CompactObject[] _items;
    private Dictionary<(string Kind, string Name), CompactObject>? _byName;

    /// <param name="items">Sorted by key, each key once.</param>
    private ObservedObjects(CompactObject[] items) => _items = items;

    /// <summary>The objects sorted by key; of a key given twice the first is kept, as planning keeps it from a list of trees
    /// (an API server never lists a key twice).</summary>
    public static ObservedObjects Of(IEnumerable<CompactObject> items)
    {
        var byKey = new Dictionary<ResourceKey, CompactObject>();
        foreach (var item in items)
        {
            byKey.TryAdd(item.Key, item);
        }
        return new ObservedObjects([.. byKey.Values.OrderBy(o => o.Key)]);
    }

    /// <summary>The trees kept compactly (a live-state file, a test).</summary>
    public static ObservedObjects Of(IEnumerable<JsonObject> trees) => Of(trees.Select(CompactObject.Of));

    public int Count => _items.Length;

    /// <summary>A new tree of the item at <paramref name="index"/>.</summary>
    public JsonObject this[int index] => _items[index].Tree();

    public IReadOnlyList<CompactObject> Items => _items;

    /// <summary>New trees of the objects of <paramref name="kind"/>, in key order; no other object is built.</summary>
    public IEnumerable<JsonObject> OfKind(string kind) => _items.Where(o => o.Key.Kind == kind).Select(o => o.Tree());

    /// <summary>A new tree of the first object (in key order) of <paramref name="kind"/> named <paramref name="name"/>, or null.</summary>
    public JsonObject? Named(string kind, string name)
    {
        var byName = _byName;
        if (byName is null)
        {
            byName = [];
            foreach (var o in _items)
            {
                byName.TryAdd((o.Key.Kind, o.Key.Name), o);
            }
            _byName = byName;
        }
        return byName.GetValueOrDefault((kind, name))?.Tree();
    }

    public IEnumerator<JsonObject> GetEnumerator() => _items.Select(o => o.Tree()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Reads of observed objects that build only the trees asked for when the list is <see cref="ObservedObjects"/>,
/// and read the trees as they are otherwise (a live-state file, a test).</summary>
public static class ObservedLists
{
    /// <summary>The objects of <paramref name="kind"/>.</summary>
    public static IEnumerable<JsonObject> OfKind(this IReadOnlyList<JsonObject> observed, string kind) =>
        observed is ObservedObjects compact ? compact.OfKind(kind) : observed.Where(o => ObjectKeys.Text(o["kind"]) == kind);

    /// <summary>What <paramref name="read"/> gives for each object of <paramref name="kind"/>; of compactly kept objects
    /// the value kept with the object when it was read before (<see cref="CompactObject.Read{T}"/>).</summary>
    public static IEnumerable<T> ReadEach<T>(this IReadOnlyList<JsonObject> observed, string kind, Func<JsonObject, T> read) =>
        observed is ObservedObjects compact
            ? compact.Items.Where(o => o.Key.Kind == kind).Select(o => o.Read(read))
            : observed.OfKind(kind).Select(read);

    /// <summary>The objects of <paramref name="kind"/> labelled as <paramref name="model"/>'s (<c>ml.gitops/model</c>).</summary>
    public static IEnumerable<JsonObject> OfModel(this IReadOnlyList<JsonObject> observed, string kind, string model) =>
        observed is ObservedObjects compact
            ? compact.Items.Where(o => o.Key.Kind == kind && o.Model == model).Select(o => o.Tree())
            : observed.Where(o => ObjectKeys.Text(o["kind"]) == kind && ObjectKeys.Label(o, ManagedLabels.Model) == model);

    /// <summary>The object of <paramref name="kind"/> named <paramref name="name"/> (in any namespace the list holds), or null.</summary>
    public static JsonObject? Named(this IReadOnlyList<JsonObject> observed, string kind, string name) =>
        observed is ObservedObjects compact
            ? compact.Named(kind, name)
            : observed.FirstOrDefault(o => ObjectKeys.Text(o["kind"]) == kind && ObjectKeys.Text(o["metadata"]?["name"]) == name);
}
