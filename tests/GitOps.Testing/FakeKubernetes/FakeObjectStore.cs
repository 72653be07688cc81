using System.Text.Json.Nodes;
using System.Threading.Channels;
using GitOps.Planning.Cluster;

namespace GitOps.Testing.FakeKubernetes;

/// <summary>Outcome of a store operation: the HTTP status code and the body (the object, a list or a Status).</summary>
public sealed record StoreResult(int Code, JsonObject Body)
{
    public bool IsSuccess => Code is >= 200 and < 300;
}

/// <summary>
/// The fake API server's state: objects, field ownership, one global resourceVersion counter, a bounded event
/// history for watches. Every method is atomic under one lock, like a single etcd.
/// </summary>
internal sealed class FakeObjectStore(TimeProvider time, int historyLimit)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(FakeResourceType Type, string Ns, string Name), Entry> _objects = [];
    private readonly List<StoreEvent> _history = [];
    private readonly List<Watcher> _watchers = [];
    private readonly Dictionary<(FakeResourceType Type, string Ns, long ResourceVersion), IReadOnlyList<KeyValuePair<string, JsonObject>>> _listSnapshots = [];
    private long _resourceVersion = 100;
    private long _historyFloor = 100;

    public long CurrentResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    public JsonObject? Peek(FakeResourceType type, string ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue((type, ns, name), out var e) ? WithTypeMeta(type, e.Object) : null;
        }
    }

    public IReadOnlyList<JsonObject> PeekAll(FakeResourceType type, string? ns)
    {
        lock (_gate)
        {
            return [.. _objects.Where(kv => kv.Key.Type == type && (ns is null || kv.Key.Ns == ns))
                .OrderBy(kv => kv.Key.Ns, StringComparer.Ordinal).ThenBy(kv => kv.Key.Name, StringComparer.Ordinal)
                .Select(kv => WithTypeMeta(type, kv.Value.Object))];
        }
    }

    public StoreResult Get(FakeResourceType type, string ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue((type, ns, name), out var e)
                ? new StoreResult(200, WithTypeMeta(type, e.Object))
                : new StoreResult(404, KubernetesStatus.NotFound(type, name));
        }
    }

    /// <summary>
    /// Lists like kube-apiserver: with <paramref name="limit"/>, at most that many items and, when more match, a
    /// <c>continue</c> token; a request with that token goes on from the same snapshot (every page carries the first
    /// page's resourceVersion) until the snapshot expires (<see cref="ExpireListSnapshots"/>, as etcd compaction does),
    /// then answers 410 Expired. A token the server did not issue is 400 Bad Request.
    /// </summary>
    public StoreResult List(FakeResourceType type, string ns, LabelSelector selector, int? limit = null, string? continueToken = null)
    {
        lock (_gate)
        {
            long resourceVersion;
            string? after = null;
            IReadOnlyList<KeyValuePair<string, JsonObject>> source;
            if (continueToken is not null)
            {
                if (ListContinue.Decode(continueToken) is not { } position)
                {
                    return new StoreResult(400, KubernetesStatus.BadRequest($"continue key is not valid: {continueToken}"));
                }
                if (!_listSnapshots.TryGetValue((type, ns, position.ResourceVersion), out var snapshot))
                {
                    return new StoreResult(410, KubernetesStatus.Failure(410, "Expired",
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."));
                }
                (resourceVersion, after, source) = (position.ResourceVersion, position.After, snapshot);
            }
            else
            {
                resourceVersion = _resourceVersion;
                // Stored objects are replaced on every write, never changed in place: a snapshot can share them.
                source = [.. _objects.Where(kv => kv.Key.Type == type && kv.Key.Ns == ns)
                    .OrderBy(kv => kv.Key.Name, StringComparer.Ordinal)
                    .Select(kv => new KeyValuePair<string, JsonObject>(kv.Key.Name, kv.Value.Object))];
            }
            var items = new JsonArray();
            string? last = null;
            var more = false;
            foreach (var (name, obj) in source)
            {
                if (after is not null && string.CompareOrdinal(name, after) <= 0 || !selector.Matches(obj))
                {
                    continue;
                }
                if (items.Count == limit)
                {
                    more = true;
                    break;
                }
                // Compiled-in types come back without kind/apiVersion on list items; custom resources keep them.
                items.Add(type.BuiltIn ? WithoutTypeMeta(obj) : WithTypeMeta(type, obj));
                last = name;
            }
            var metadata = new JsonObject { ["resourceVersion"] = resourceVersion.ToString() };
            if (more)
            {
                if (_expireAfterNextPage)
                {
                    _expireAfterNextPage = false;
                }
                else
                {
                    _listSnapshots.TryAdd((type, ns, resourceVersion), source);
                }
                metadata["continue"] = ListContinue.Encode(resourceVersion, last!);
            }
            return new StoreResult(200, new JsonObject
            {
                ["kind"] = type.Kind + "List",
                ["apiVersion"] = type.ApiVersion,
                ["metadata"] = metadata,
                ["items"] = items,
            });
        }
    }

    /// <summary>Forgets the snapshots paged lists continue from, as etcd compaction does: their tokens answer 410.</summary>
    public void ExpireListSnapshots()
    {
        lock (_gate)
        {
            _listSnapshots.Clear();
        }
    }

    /// <summary>The next page answered with a <c>continue</c> token is the last its snapshot serves, as if etcd
    /// compacted right after it: continuing answers 410 Expired.</summary>
    public void ExpireListSnapshotAfterNextPage()
    {
        lock (_gate)
        {
            _expireAfterNextPage = true;
        }
    }

    private bool _expireAfterNextPage;

    public StoreResult Create(FakeResourceType type, string ns, JsonObject body, string manager, bool dryRun)
    {
        lock (_gate)
        {
            var error = CheckTypeMeta(type, body) ?? CheckNamespace(type, ns, body);
            if (error is not null)
            {
                return error;
            }
            var metadata = body["metadata"] as JsonObject ?? new JsonObject();
            body["metadata"] = metadata;
            var name = metadata["name"]?.GetValue<string>();
            if (string.IsNullOrEmpty(name) && metadata["generateName"]?.GetValue<string>() is { Length: > 0 } prefix)
            {
                name = prefix + Guid.NewGuid().ToString("N")[..5];
                metadata["name"] = name;
            }
            if (string.IsNullOrEmpty(name))
            {
                return new StoreResult(422, KubernetesStatus.Invalid(type, "", "metadata.name: Required value: name or generateName is required"));
            }
            if (_objects.ContainsKey((type, ns, name)))
            {
                return new StoreResult(409, KubernetesStatus.AlreadyExists(type, name));
            }
            var obj = Sanitize(type, ns, body, keepStatus: false);
            var managers = new List<ManagerEntry>();
            UpdateOwnership(managers, null, obj, manager);
            return new StoreResult(201, Commit(type, ns, name, null, obj, managers, dryRun));
        }
    }

    public StoreResult Replace(FakeResourceType type, string ns, string name, JsonObject body, string manager, bool dryRun)
    {
        lock (_gate)
        {
            var error = CheckTypeMeta(type, body) ?? CheckNamespace(type, ns, body) ?? CheckName(type, name, body);
            if (error is not null)
            {
                return error;
            }
            if (!_objects.TryGetValue((type, ns, name), out var existing))
            {
                return new StoreResult(404, KubernetesStatus.NotFound(type, name));
            }
            var givenVersion = body["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(givenVersion) && givenVersion != ResourceVersionOf(existing.Object))
            {
                return new StoreResult(409, KubernetesStatus.Conflict(type, name));
            }
            var obj = Sanitize(type, ns, body, keepStatus: false);
            if (existing.Object["status"] is { } status)
            {
                // The main resource ignores status writes; status belongs to its subresource.
                obj["status"] = status.DeepClone();
            }
            var managers = existing.CloneManagers();
            UpdateOwnership(managers, existing.Object, obj, manager);
            return new StoreResult(200, Commit(type, ns, name, existing, obj, managers, dryRun));
        }
    }

    public StoreResult MergePatch(FakeResourceType type, string ns, string name, JsonObject patch, string manager, bool dryRun)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue((type, ns, name), out var existing))
            {
                return new StoreResult(404, KubernetesStatus.NotFound(type, name));
            }
            var givenVersion = patch["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(givenVersion) && givenVersion != ResourceVersionOf(existing.Object))
            {
                return new StoreResult(409, KubernetesStatus.Conflict(type, name));
            }
            var merged = (JsonObject)existing.Object.DeepClone();
            var patchCopy = (JsonObject)patch.DeepClone();
            patchCopy.Remove("status");
            ApplyMergePatch(merged, patchCopy);
            var obj = Sanitize(type, ns, merged, keepStatus: true);
            var managers = existing.CloneManagers();
            UpdateOwnership(managers, existing.Object, obj, manager);
            return new StoreResult(200, Commit(type, ns, name, existing, obj, managers, dryRun));
        }
    }

    public StoreResult Apply(FakeResourceType type, string ns, string name, JsonObject body, string manager, bool force, bool dryRun)
    {
        lock (_gate)
        {
            var error = CheckTypeMeta(type, body) ?? CheckNamespace(type, ns, body) ?? CheckName(type, name, body);
            if (error is not null)
            {
                return error;
            }
            _objects.TryGetValue((type, ns, name), out var existing);
            var givenVersion = body["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(givenVersion) && (existing is null || givenVersion != ResourceVersionOf(existing.Object)))
            {
                return new StoreResult(409, KubernetesStatus.Conflict(type, name));
            }
            var live = existing is null
                ? new JsonObject
                {
                    ["apiVersion"] = type.ApiVersion,
                    ["kind"] = type.Kind,
                    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                }
                : (JsonObject)existing.Object.DeepClone();
            var managers = existing?.CloneManagers() ?? [];
            var applied = FieldPaths.Leaves(body);

            var conflicts = new List<(ManagerEntry Owner, string[] Path)>();
            foreach (var other in managers.Where(m => m.Manager != manager))
            {
                foreach (var path in applied)
                {
                    if (!other.Fields.Any(f => Clash(FieldPaths.FromKey(f), live, path, body)))
                    {
                        continue;
                    }
                    FieldPaths.TryGet(live, path, out var liveValue);
                    FieldPaths.TryGet(body, path, out var wanted);
                    if (!JsonNode.DeepEquals(liveValue, wanted))
                    {
                        conflicts.Add((other, path));
                    }
                }
            }
            if (conflicts.Count > 0 && !force)
            {
                return new StoreResult(409, KubernetesStatus.ApplyConflict(type, name,
                    [.. conflicts.Select(c => (c.Owner.Manager, FieldPaths.Format(c.Path))).Distinct()]));
            }
            foreach (var (owner, path) in conflicts)
            {
                owner.Fields.RemoveWhere(f => Clash(FieldPaths.FromKey(f), live, path, body));
            }
            var before = (JsonObject)live.DeepClone();

            var mine = managers.FirstOrDefault(m => m.Manager == manager && m.Operation == "Apply");
            if (mine is null)
            {
                mine = new ManagerEntry(manager, "Apply", type.ApiVersion);
                managers.Add(mine);
            }
            var appliedKeys = applied.Select(FieldPaths.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var dropped in mine.Fields.Where(f => !appliedKeys.Contains(f)).ToList())
            {
                var path = FieldPaths.FromKey(dropped);
                var ownedElsewhere = managers.Where(m => m != mine)
                    .Any(m => m.Fields.Any(f => Holds(FieldPaths.FromKey(f), path, live)));
                var stillApplied = applied.Any(a => a.Length > path.Length && FieldPaths.Overlap(a, path));
                if (!ownedElsewhere && !stillApplied)
                {
                    FieldPaths.Remove(live, path);
                }
            }
            foreach (var path in applied)
            {
                FieldPaths.TryGet(body, path, out var value);
                FieldPaths.Set(live, path, value);
            }
            foreach (var other in managers.Where(m => m != mine))
            {
                foreach (var field in other.Fields.Select(FieldPaths.FromKey))
                {
                    // A map another manager asserts stays, even when the keys we removed were its last ones.
                    if (!FieldPaths.TryGet(live, field, out _) && FieldPaths.TryGet(before, field, out var was) && was is JsonObject)
                    {
                        FieldPaths.Set(live, field, new JsonObject());
                    }
                }
            }
            mine.Fields.Clear();
            mine.Fields.UnionWith(appliedKeys);
            mine.Time = time.GetUtcNow();
            var obj = Sanitize(type, ns, live, keepStatus: true);
            PruneOwnership(managers, obj);
            return new StoreResult(existing is null ? 201 : 200, Commit(type, ns, name, existing, obj, managers, dryRun));
        }
    }

    public StoreResult Delete(FakeResourceType type, string ns, string name, bool dryRun)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue((type, ns, name), out var existing))
            {
                return new StoreResult(404, KubernetesStatus.NotFound(type, name));
            }
            var uid = existing.Object["metadata"]?["uid"]?.GetValue<string>();
            if (!dryRun)
            {
                _objects.Remove((type, ns, name));
                var gone = (JsonObject)existing.Object.DeepClone();
                gone["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString();
                Publish(new StoreEvent(_resourceVersion, "DELETED", type, ns, existing.Object, gone));
            }
            return new StoreResult(200, KubernetesStatus.Success(type, name, uid));
        }
    }

    /// <summary>Writes the status subresource, as a controller (Job or Deployment controller) would.</summary>
    public StoreResult SetStatus(FakeResourceType type, string ns, string name, JsonObject status)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue((type, ns, name), out var existing))
            {
                return new StoreResult(404, KubernetesStatus.NotFound(type, name));
            }
            var obj = (JsonObject)existing.Object.DeepClone();
            obj["status"] = status.DeepClone();
            return new StoreResult(200, Commit(type, ns, name, existing, obj, existing.CloneManagers(), dryRun: false));
        }
    }

    /// <summary>Drops the whole event history, as an etcd compaction would: older watches now get 410 Gone.</summary>
    public void CompactHistory()
    {
        lock (_gate)
        {
            _history.Clear();
            _historyFloor = _resourceVersion;
        }
    }

    public WatchSubscription Subscribe(FakeResourceType type, string ns, LabelSelector selector, string? resourceVersion)
    {
        lock (_gate)
        {
            var initial = new List<JsonObject>();
            if (string.IsNullOrEmpty(resourceVersion) || resourceVersion == "0")
            {
                foreach (var kv in _objects.Where(kv => kv.Key.Type == type && kv.Key.Ns == ns)
                             .OrderBy(kv => kv.Key.Name, StringComparer.Ordinal))
                {
                    if (selector.Matches(kv.Value.Object))
                    {
                        initial.Add(EventJson("ADDED", type, kv.Value.Object));
                    }
                }
            }
            else
            {
                if (!long.TryParse(resourceVersion, out var from))
                {
                    return WatchSubscription.Failed(KubernetesStatus.BadRequest($"invalid resource version: {resourceVersion}"));
                }
                if (from < _historyFloor)
                {
                    // The real server answers 200 and streams one ERROR event carrying the 410 Status.
                    return WatchSubscription.Expired(EventJson("ERROR", type, KubernetesStatus.Gone(from, _historyFloor + 1), withTypeMeta: false));
                }
                foreach (var e in _history.Where(e => e.ResourceVersion > from && e.Type == type && e.Namespace == ns))
                {
                    if (Translate(e, selector) is { } json)
                    {
                        initial.Add(json);
                    }
                }
            }
            var watcher = new Watcher(type, ns, selector);
            _watchers.Add(watcher);
            return new WatchSubscription(initial, watcher.Events.Reader, () => Unsubscribe(watcher), null);
        }
    }

    public void CloseAllWatches()
    {
        lock (_gate)
        {
            foreach (var w in _watchers)
            {
                w.Events.Writer.TryComplete();
            }
            _watchers.Clear();
        }
    }

    private void Unsubscribe(Watcher watcher)
    {
        lock (_gate)
        {
            _watchers.Remove(watcher);
            watcher.Events.Writer.TryComplete();
        }
    }

    // Must be called under the lock.
    private JsonObject Commit(FakeResourceType type, string ns, string name, Entry? existing, JsonObject obj,
        List<ManagerEntry> managers, bool dryRun)
    {
        PruneOwnership(managers, obj);
        var metadata = (JsonObject)obj["metadata"]!;
        var oldMeta = existing?.Object["metadata"] as JsonObject;
        metadata["uid"] = oldMeta?["uid"]?.DeepClone() ?? Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = oldMeta?["creationTimestamp"]?.DeepClone()
            ?? time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        var oldGeneration = oldMeta?["generation"]?.GetValue<long>() ?? 0;
        metadata["generation"] = existing is null || !JsonNode.DeepEquals(SpecPart(existing.Object), SpecPart(obj))
            ? oldGeneration + 1
            : oldGeneration;
        metadata["managedFields"] = RenderManagedFields(managers);

        if (existing is not null && JsonNode.DeepEquals(WithoutVolatile(existing.Object), WithoutVolatile(obj))
            && SameOwnership(existing.Managers, managers))
        {
            // A no-op write is not persisted: the resourceVersion stays and watchers see nothing.
            return WithTypeMeta(type, existing.Object);
        }
        if (dryRun)
        {
            if (existing is null)
            {
                metadata.Remove("resourceVersion");
            }
            else
            {
                metadata["resourceVersion"] = ResourceVersionOf(existing.Object);
            }
            return WithTypeMeta(type, obj);
        }
        metadata["resourceVersion"] = (++_resourceVersion).ToString();
        var entry = new Entry(obj, managers);
        _objects[(type, ns, name)] = entry;
        Publish(new StoreEvent(_resourceVersion, existing is null ? "ADDED" : "MODIFIED", type, ns, existing?.Object, obj));
        return WithTypeMeta(type, obj);
    }

    private void Publish(StoreEvent e)
    {
        _history.Add(e);
        while (_history.Count > historyLimit)
        {
            _historyFloor = _history[0].ResourceVersion;
            _history.RemoveAt(0);
        }
        foreach (var w in _watchers.Where(w => w.Type == e.Type && w.Namespace == e.Namespace))
        {
            if (Translate(e, w.Selector) is { } json)
            {
                w.Events.Writer.TryWrite(json);
            }
        }
    }

    // A watch with a label selector sees an object entering the selection as ADDED and leaving it as DELETED.
    private static JsonObject? Translate(StoreEvent e, LabelSelector selector)
    {
        var wasIn = e.Old is not null && selector.Matches(e.Old);
        var isIn = e.New is not null && selector.Matches(e.New);
        return e.Kind switch
        {
            "ADDED" when isIn => EventJson("ADDED", e.Type, e.New!),
            "MODIFIED" when wasIn && isIn => EventJson("MODIFIED", e.Type, e.New!),
            "MODIFIED" when isIn => EventJson("ADDED", e.Type, e.New!),
            "MODIFIED" when wasIn => EventJson("DELETED", e.Type, e.New!),
            "DELETED" when wasIn => EventJson("DELETED", e.Type, e.New!),
            _ => null,
        };
    }

    private static JsonObject EventJson(string kind, FakeResourceType type, JsonObject obj, bool withTypeMeta = true) => new()
    {
        ["type"] = kind,
        ["object"] = withTypeMeta ? WithTypeMeta(type, obj) : obj.DeepClone(),
    };

    private static JsonObject WithTypeMeta(FakeResourceType type, JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy["apiVersion"] = type.ApiVersion;
        copy["kind"] = type.Kind;
        return copy;
    }

    private static JsonObject WithoutTypeMeta(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("apiVersion");
        copy.Remove("kind");
        return copy;
    }

    private static string ResourceVersionOf(JsonObject obj) => obj["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";

    private static JsonObject SpecPart(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
    }

    private static JsonObject WithoutVolatile(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        if (copy["metadata"] is JsonObject m)
        {
            m.Remove("managedFields");
            m.Remove("resourceVersion");
        }
        return copy;
    }

    private static bool SameOwnership(List<ManagerEntry> a, List<ManagerEntry> b) =>
        a.Count == b.Count && a.Zip(b).All(p =>
            p.First.Manager == p.Second.Manager && p.First.Operation == p.Second.Operation && p.First.Fields.SetEquals(p.Second.Fields));

    private static JsonObject Sanitize(FakeResourceType type, string ns, JsonObject body, bool keepStatus)
    {
        var obj = (JsonObject)body.DeepClone();
        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
        if (!keepStatus)
        {
            obj.Remove("status");
        }
        var metadata = obj["metadata"] as JsonObject ?? new JsonObject();
        obj["metadata"] = metadata;
        metadata["namespace"] = ns;
        metadata.Remove("managedFields");
        metadata.Remove("resourceVersion");
        metadata.Remove("selfLink");
        return obj;
    }

    private static StoreResult? CheckTypeMeta(FakeResourceType type, JsonObject body)
    {
        var apiVersion = body["apiVersion"]?.GetValue<string>();
        var kind = body["kind"]?.GetValue<string>();
        if (apiVersion is not null && apiVersion != type.ApiVersion || kind is not null && kind != type.Kind)
        {
            return new StoreResult(400, KubernetesStatus.BadRequest(
                $"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion}) or the kind ({kind}) is not {type.Kind}"));
        }
        return null;
    }

    private static StoreResult? CheckNamespace(FakeResourceType type, string ns, JsonObject body)
    {
        var given = body["metadata"]?["namespace"]?.GetValue<string>();
        return string.IsNullOrEmpty(given) || given == ns
            ? null
            : new StoreResult(400, KubernetesStatus.BadRequest("the namespace of the provided object does not match the namespace sent on the request"));
    }

    private static StoreResult? CheckName(FakeResourceType type, string name, JsonObject body)
    {
        var given = body["metadata"]?["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(given))
        {
            if (body["metadata"] is not JsonObject)
            {
                body["metadata"] = new JsonObject();
            }
            body["metadata"]!["name"] = name;
            return null;
        }
        return given == name
            ? null
            : new StoreResult(400, KubernetesStatus.BadRequest("the name of the object (" + given + ") does not match the name on the URL (" + name + ")"));
    }

    private void UpdateOwnership(List<ManagerEntry> managers, JsonObject? oldObj, JsonObject newObj, string manager)
    {
        var newLeaves = FieldPaths.Leaves(newObj);
        var oldLeaves = oldObj is null ? [] : FieldPaths.Leaves(oldObj);
        var newKeys = newLeaves.Select(FieldPaths.Key).ToHashSet(StringComparer.Ordinal);
        var touched = new List<string[]>();
        foreach (var path in newLeaves)
        {
            var had = oldObj is not null && FieldPaths.TryGet(oldObj, path, out var before) && JsonNode.DeepEquals(before, Value(newObj, path));
            if (!had)
            {
                touched.Add(path);
            }
        }
        var removed = oldLeaves.Where(p => !newKeys.Contains(FieldPaths.Key(p))).ToList();
        var mine = managers.FirstOrDefault(m => m.Manager == manager && m.Operation == "Update");
        foreach (var other in managers.Where(m => m != mine))
        {
            other.Fields.RemoveWhere(f =>
            {
                var owned = FieldPaths.FromKey(f);
                return touched.Concat(removed).Any(c => c.Length <= owned.Length && FieldPaths.Overlap(c, owned));
            });
        }
        if (touched.Count > 0)
        {
            if (mine is null)
            {
                mine = new ManagerEntry(manager, "Update", newObj["apiVersion"]?.GetValue<string>() ?? "");
                managers.Add(mine);
            }
            mine.Fields.UnionWith(touched.Select(FieldPaths.Key));
            mine.Time = time.GetUtcNow();
        }
        PruneOwnership(managers, newObj);
    }

    /// <summary>Whether owning <paramref name="a"/> (valued in <paramref name="inA"/>) and <paramref name="b"/>
    /// (valued in <paramref name="inB"/>) concern the same field. Owning a map only asserts that it exists: its
    /// keys belong to whoever sets them, as in the real server's field sets.</summary>
    private static bool Clash(string[] a, JsonObject inA, string[] b, JsonObject inB)
    {
        if (!FieldPaths.Overlap(a, b))
        {
            return false;
        }
        if (a.Length == b.Length)
        {
            return true;
        }
        var (shorter, root) = a.Length < b.Length ? (a, inA) : (b, inB);
        return !(FieldPaths.TryGet(root, shorter, out var value) && value is JsonObject);
    }

    /// <summary>Whether owning <paramref name="owned"/> keeps <paramref name="path"/> alive: the same field, a field
    /// inside it, or a non-map ancestor of it.</summary>
    private static bool Holds(string[] owned, string[] path, JsonObject live) =>
        FieldPaths.Overlap(owned, path)
        && (owned.Length >= path.Length || !(FieldPaths.TryGet(live, owned, out var value) && value is JsonObject));

    private static JsonNode? Value(JsonObject obj, string[] path) => FieldPaths.TryGet(obj, path, out var v) ? v : null;

    private static void PruneOwnership(List<ManagerEntry> managers, JsonObject obj)
    {
        foreach (var m in managers)
        {
            m.Fields.RemoveWhere(f => !FieldPaths.TryGet(obj, FieldPaths.FromKey(f), out _));
        }
        managers.RemoveAll(m => m.Fields.Count == 0);
    }

    private static JsonArray RenderManagedFields(List<ManagerEntry> managers)
    {
        var array = new JsonArray();
        foreach (var m in managers)
        {
            array.Add(new JsonObject
            {
                ["manager"] = m.Manager,
                ["operation"] = m.Operation,
                ["apiVersion"] = m.ApiVersion,
                ["time"] = m.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = FieldPaths.ToFieldsV1(m.Fields.Select(FieldPaths.FromKey)),
            });
        }
        return array;
    }

    /// <summary>RFC 7386: null deletes, objects merge recursively, everything else replaces.</summary>
    private static void ApplyMergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchObj)
            {
                if (target[key] is not JsonObject targetObj)
                {
                    targetObj = new JsonObject();
                    target[key] = targetObj;
                }
                ApplyMergePatch(targetObj, patchObj);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    private sealed record StoreEvent(long ResourceVersion, string Kind, FakeResourceType Type, string Namespace, JsonObject? Old, JsonObject? New);

    private sealed class Entry(JsonObject obj, List<ManagerEntry> managers)
    {
        public JsonObject Object { get; } = obj;

        public List<ManagerEntry> Managers { get; } = managers;

        public List<ManagerEntry> CloneManagers() =>
            [.. Managers.Select(m => new ManagerEntry(m.Manager, m.Operation, m.ApiVersion) { Time = m.Time }.With(m.Fields))];
    }

    private sealed class Watcher(FakeResourceType type, string ns, LabelSelector selector)
    {
        public FakeResourceType Type { get; } = type;

        public string Namespace { get; } = ns;

        public LabelSelector Selector { get; } = selector;

        public Channel<JsonObject> Events { get; } = Channel.CreateUnbounded<JsonObject>();
    }
}

internal sealed class ManagerEntry(string manager, string operation, string apiVersion)
{
    public string Manager { get; } = manager;

    public string Operation { get; } = operation;

    public string ApiVersion { get; } = apiVersion;

    public HashSet<string> Fields { get; } = new(StringComparer.Ordinal);

    public DateTimeOffset Time { get; set; }

    public ManagerEntry With(IEnumerable<string> fields)
    {
        Fields.UnionWith(fields);
        return this;
    }
}

/// <summary>A watch registration: events already due, the live feed, and how to stop it; or a failure to report.</summary>
internal sealed record WatchSubscription(
    IReadOnlyList<JsonObject> Initial, ChannelReader<JsonObject>? Live, Action? Stop, JsonObject? Error, bool IsExpired = false)
{
    public static WatchSubscription Failed(JsonObject status) => new([], null, null, status);

    public static WatchSubscription Expired(JsonObject errorEvent) => new([errorEvent], null, null, null, IsExpired: true);
}

/// <summary>
/// The <c>continue</c> token of a paged list, in kube-apiserver's form: base64 of
/// <c>{"v":"meta.k8s.io/v1","rv":N,"start":"NAME\u0000"}</c> (the snapshot's resourceVersion and the key to resume after).
/// </summary>
internal static class ListContinue
{
    public static string Encode(long resourceVersion, string lastName) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["v"] = "meta.k8s.io/v1",
            ["rv"] = resourceVersion,
            ["start"] = lastName + "\u0000",
        }.ToJsonString()));

    public static (long ResourceVersion, string After)? Decode(string token)
    {
        try
        {
            var json = JsonNode.Parse(Convert.FromBase64String(token)) as JsonObject;
            return json?["v"]?.GetValue<string>() == "meta.k8s.io/v1" && json["rv"]?.GetValue<long>() is { } rv
                && json["start"]?.GetValue<string>() is { Length: > 0 } start && start.EndsWith('\u0000')
                ? (rv, start[..^1])
                : null;
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
