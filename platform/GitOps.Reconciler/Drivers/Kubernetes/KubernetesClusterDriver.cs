using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using GitOps.Planning.Cluster;
using GitOps.Planning.Experiments;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.Loop;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>Settings of the <see cref="KubernetesClusterDriver"/>.</summary>
public sealed record KubernetesDriverOptions
{
    /// <summary>Kinds read, watched and written; by default every <see cref="ManagedKinds"/> kind.</summary>
    public IReadOnlyList<ManagedKind> Kinds { get; init; } = ManagedKinds.All;

    /// <summary>How long the server keeps one watch open before the driver re-opens it from the last resourceVersion.</summary>
    public int WatchTimeoutSeconds { get; init; } = 300;

    /// <summary>Take fields over from other managers on apply (the default: Git is the source of truth). When
    /// false a conflicting apply fails with <see cref="ApplyConflictException"/>.</summary>
    public bool ForceConflicts { get; init; } = true;

    /// <summary>Objects asked for per list request (<c>limit</c>, then <c>continue</c> until the list is complete), as
    /// client-go's pager does: one answer never holds a whole kind of a large environment.</summary>
    public int ListPageSize { get; init; } = 500;

    /// <summary>The part of each environment read and watched: objects of other shards' models are dropped as they are
    /// read, so a shard neither holds nor prunes them, and their changes wake no pass here.</summary>
    public Shard Shard { get; init; } = Shard.Whole;
}

/// <summary>
/// <see cref="IClusterDriver"/> over the Kubernetes REST API: server-side apply with field manager <c>gitops</c> and
/// force (GitOps only ever sends the fields it owns), label-selected reads of the managed kinds, deletes that treat
/// "already gone" as success, watches for drift detection and Job/Deployment health.
/// </summary>
public sealed class KubernetesClusterDriver(KubernetesApiConnection api, KubernetesDriverOptions? options = null) : IClusterDriver, IDriftSource, IPoolJobs
{
    /// <summary>Marks, in <see cref="_written"/>, an object this driver deleted.</summary>
    private const string DeletedHere = "";

    private readonly KubernetesDriverOptions _options = options ?? new KubernetesDriverOptions();

    /// <summary>The resourceVersion of each object as this driver last wrote it, so its own writes are not taken for drift.</summary>
    private readonly ConcurrentDictionary<ResourceKey, string> _written = new();

    /// <summary>Applies sent and not answered yet, by object: a watch can show such a write before its answer gives the
    /// resourceVersion that <see cref="_written"/> recognises it by.</summary>
    private readonly ConcurrentDictionary<ResourceKey, Task> _applying = new();

    /// <summary>What each running <see cref="WatchManagedAsync"/> has seen, by environment and namespace: what
    /// <see cref="ReadManagedAsync"/> reads instead of listing while the watch can be trusted.</summary>
    private readonly ConcurrentDictionary<(string Environment, string Namespace), WatchedObjects> _watched = new();

    public KubernetesApiConnection Connection => api;

    public static string ManagedSelector(string environment) =>
        $"{ManagedLabels.ManagedBy}={ManagedLabels.ManagedByValue},{ManagedLabels.Environment}={environment}";

    /// <summary>The managed objects from memory while <see cref="WatchManagedAsync"/> runs for the environment and has
    /// seen everything (see <see cref="WatchedObjects"/>); listed from the API server otherwise. Either way they are
    /// <see cref="ObservedObjects"/>: kept as compact text, built as trees when read.</summary>
    public async Task<IReadOnlyList<JsonObject>> ReadManagedAsync(string environment, string @namespace, CancellationToken ct)
    {
        var watched = _watched.GetValueOrDefault((environment, @namespace));
        if (watched?.Read() is { } seen)
        {
            return seen;
        }
        var selector = ManagedSelector(environment);
        var result = new List<CompactObject>();
        // Every page of every kind is read into the same array, one after another.
        var buffer = new ResponseBuffer();
        foreach (var kind in _options.Kinds)
        {
            if (await ListKindAsync(kind, @namespace, selector, ct, buffer: buffer) is { } listed)
            {
                result.AddRange(listed.Items);
            }
        }
        var observed = ObservedObjects.Of(result);
        watched?.ListedInstead(observed);
        return observed;
    }

    /// <summary>One list of the environment's Jobs: the trial Jobs of every experiment (labelled
    /// <c>ml.gitops/managed-by=gitops-experiments</c>) and, when sharded, the managed Jobs other shards own
    /// (<see cref="ReadManagedAsync"/> has this shard's).</summary>
    public async Task<IReadOnlyList<JsonObject>> ReadPoolJobsAsync(string environment, string @namespace, CancellationToken ct)
    {
        var managedBy = _options.Shard.IsWhole ? TrialJobs.ManagedByValue : $"{TrialJobs.ManagedByValue},{ManagedLabels.ManagedByValue}";
        var selector = $"{ManagedLabels.ManagedBy} in ({managedBy}),{ManagedLabels.Environment}={environment}";
        var listed = await ListKindAsync(ManagedKinds.Job, @namespace, selector, ct,
            o => o.ManagedBy != ManagedLabels.ManagedByValue || !_options.Shard.OwnsObject(o.Model));
        return listed is null ? [] : ObservedObjects.Of(listed.Items);
    }

    /// <summary>True while <see cref="ReadManagedAsync"/> answers for the environment from its watch, without listing.</summary>
    public bool ReadsFromWatch(string environment, string @namespace) =>
        _watched.GetValueOrDefault((environment, @namespace))?.Read() is not null;

    public async Task<JsonObject?> GetAsync(ResourceKey key, CancellationToken ct)
    {
        var kind = Resolve(key.ApiVersion, key.Kind);
        var ns = key.Namespace ?? throw new ArgumentException($"{key} has no namespace; every managed kind is namespaced");
        var response = await api.SendAsync(HttpMethod.Get, KubernetesPaths.Item(kind, ns, key.Name), null, null, ct);
        if (response.StatusCode == 404)
        {
            return null;
        }
        return response.IsSuccess && response.Body is { } body
            ? Normalize(kind, body)
            : throw ApiRefusal.Failure(new ApiTarget("get", kind.ApiVersion, kind.Plural, ns, kind.Kind, key.Name), response);
    }

    public async Task<JsonObject> ApplyAsync(JsonObject desired, bool dryRun, CancellationToken ct)
    {
        var apiVersion = desired["apiVersion"]?.GetValue<string>() ?? throw new ArgumentException("the object has no apiVersion");
        var kindName = desired["kind"]?.GetValue<string>() ?? throw new ArgumentException("the object has no kind");
        var kind = Resolve(apiVersion, kindName);
        var name = desired["metadata"]?["name"]?.GetValue<string>() ?? throw new ArgumentException($"the {kindName} has no metadata.name");
        var ns = desired["metadata"]?["namespace"]?.GetValue<string>() ?? throw new ArgumentException($"{kindName}/{name} has no metadata.namespace");
        var key = new ResourceKey(apiVersion, kindName, ns, name);

        // Status is written by controllers; a resourceVersion would turn the apply into a precondition.
        var body = SingleManagerApply.Configuration(desired);
        var query = $"?fieldManager={ManagedLabels.FieldManager}{(_options.ForceConflicts ? "&force=true" : "")}{(dryRun ? "&dryRun=All" : "")}";
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!dryRun)
        {
            _applying[key] = answered.Task;
        }
        KubernetesResponse response;
        try
        {
            response = await api.SendAsync(HttpMethod.Patch, KubernetesPaths.Item(kind, ns, name) + query, body, "application/apply-patch+yaml", ct);
            if (response.IsSuccess && response.Body is { } applied)
            {
                var stored = Normalize(kind, applied);
                if (!dryRun && stored["metadata"]?["resourceVersion"]?.GetValue<string>() is { } rv)
                {
                    _written[key] = rv;
                    foreach (var watched in WatchedIn(ns))
                    {
                        watched.Applied(key, stored);
                    }
                }
                return stored;
            }
        }
        finally
        {
            _applying.TryRemove(new KeyValuePair<ResourceKey, Task>(key, answered.Task));
            answered.TrySetResult();
        }
        if (response.StatusCode == 409 && response.Body?["reason"]?.GetValue<string>() == "Conflict")
        {
            var causes = (response.Body["details"]?["causes"] as JsonArray)?.OfType<JsonObject>()
                .Select(c => new FieldConflict(c["field"]?.GetValue<string>() ?? "", ManagerOf(c["message"]?.GetValue<string>())))
                .ToList() ?? [];
            if (causes.Count > 0)
            {
                throw new ApplyConflictException(key.ToString(), causes, response.Body);
            }
        }
        throw ApiRefusal.Failure(new ApiTarget("patch", kind.ApiVersion, kind.Plural, ns, kind.Kind, name), response);
    }

    public async Task DeleteAsync(ResourceKey key, CancellationToken ct)
    {
        var kind = Resolve(key.ApiVersion, key.Kind);
        var ns = key.Namespace ?? throw new ArgumentException($"{key} has no namespace; every managed kind is namespaced");
        // Background propagation: a Job deleted with the API's default policy would orphan its pods.
        var path = KubernetesPaths.Item(kind, ns, key.Name) + "?propagationPolicy=Background";
        _written[key] = DeletedHere;
        var response = await api.SendAsync(HttpMethod.Delete, path, null, null, ct);
        if (response.IsSuccess || response.StatusCode == 404)
        {
            foreach (var watched in WatchedIn(ns))
            {
                watched.Deleted(key);
            }
            return;
        }
        _written.TryRemove(new KeyValuePair<ResourceKey, string>(key, DeletedHere));
        throw ApiRefusal.Failure(new ApiTarget("delete", kind.ApiVersion, kind.Plural, ns, kind.Kind, key.Name), response);
    }

    /// <summary>Health of a Job or Deployment from its status; null when it does not exist or is another kind.</summary>
    public async Task<WorkloadHealth?> GetWorkloadHealthAsync(ResourceKey key, CancellationToken ct) =>
        await GetAsync(key, ct) is { } obj ? WorkloadHealth.From(obj) : null;

    /// <summary>
    /// Lists each managed kind, then watches it from the list's resourceVersion, yielding every change. When the
    /// server says the resourceVersion is too old (410 Gone/Expired) the kind is listed again and a fresh
    /// <see cref="ClusterChangeType.Listed"/> snapshot is yielded. Dropped connections are resumed with backoff.
    /// Kinds the cluster does not serve are skipped. Runs until <paramref name="ct"/> is cancelled.
    /// </summary>
    public async IAsyncEnumerable<ClusterChange> WatchManagedAsync(string environment, string @namespace, [EnumeratorCancellation] CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var channel = Channel.CreateUnbounded<ClusterChange>(new UnboundedChannelOptions { SingleReader = true });
        var selector = ManagedSelector(environment);
        var watched = new WatchedObjects(environment, _options.Kinds);
        _watched[(environment, @namespace)] = watched;
        var watchers = _options.Kinds.Select(kind => WatchKindAsync(kind, @namespace, selector, watched, channel.Writer, stop.Token)).ToArray();
        var completion = Task.WhenAll(watchers).ContinueWith(
            t => channel.Writer.TryComplete(t.IsFaulted ? t.Exception!.InnerException : null),
            CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(ct))
            {
                yield return change;
            }
        }
        finally
        {
            _watched.TryRemove(new KeyValuePair<(string, string), WatchedObjects>((environment, @namespace), watched));
            await stop.CancelAsync();
            await completion;
        }
    }

    /// <summary>
    /// <see cref="WatchManagedAsync"/> narrowed to what should wake a pass: changes made by anyone but this driver (its
    /// applies are recognised by resourceVersion, its deletes by key) that touch more than status and bookkeeping
    /// metadata, managed Jobs whose status first shows them finished (succeeded, or failed for good), and managed
    /// Deployments whose status turns them <see cref="WorkloadState.Available"/> or <see cref="WorkloadState.Degraded"/>
    /// from another state (a canary's pods ready, a rollout past its progress deadline). A pass that read a Job or
    /// Deployment from the watch a moment before its new status arrived is followed by another once it does.
    /// </summary>
    public async IAsyncEnumerable<ManagedChange> WatchDriftAsync(string environment, string @namespace, [EnumeratorCancellation] CancellationToken ct)
    {
        var seen = new Dictionary<ResourceKey, UInt128>();
        var finished = new HashSet<ResourceKey>();
        var deployments = new Dictionary<ResourceKey, WorkloadState>();
        await foreach (var change in WatchManagedAsync(environment, @namespace, ct))
        {
            if (change.Type == ClusterChangeType.Listed)
            {
                foreach (var listed in change.Snapshot)
                {
                    var listedKey = KeyOf(listed);
                    seen[listedKey] = Content(listed);
                    if (JobEnd(listedKey, listed) is not null)
                    {
                        finished.Add(listedKey);
                    }
                    if (listedKey.Kind == ManagedKinds.Deployment.Kind)
                    {
                        deployments[listedKey] = WorkloadHealth.ForDeployment(listed).State;
                    }
                }
                continue;
            }
            var key = change.Key!;
            if (change.Type == ClusterChangeType.Deleted)
            {
                seen.Remove(key);
                finished.Remove(key);
                deployments.Remove(key);
                if (!_written.TryRemove(new KeyValuePair<ResourceKey, string>(key, DeletedHere)))
                {
                    yield return ManagedChange.Drift($"{key} deleted outside GitOps");
                }
                continue;
            }
            var content = Content(change.Object!);
            var known = seen.TryGetValue(key, out var before);
            seen[key] = content;
            var end = JobEnd(key, change.Object!);
            var ended = end is not null && finished.Add(key);
            if (end is null)
            {
                finished.Remove(key);
            }
            var turned = DeploymentTurned(key, change.Object!, deployments);
            var unchanged = known && content == before;
            if (!unchanged && !Mine(key, change.ResourceVersion) && _applying.TryGetValue(key, out var applying))
            {
                // The watch may show this driver's apply before its answer: wait for the answer, then judge.
                await applying.WaitAsync(ct);
            }
            if (!(unchanged || Mine(key, change.ResourceVersion)))
            {
                yield return ManagedChange.Drift($"{key} {(change.Type == ClusterChangeType.Added ? "created" : "changed")} outside GitOps");
            }
            else if (ended)
            {
                yield return ManagedChange.Finished($"{key} finished: {end}");
            }
            else if (turned is not null)
            {
                yield return ManagedChange.Health($"{key} {turned.State}: {turned.Message}");
            }
        }
    }

    /// <summary>A managed Deployment's health when this change turned it <see cref="WorkloadState.Available"/> or
    /// <see cref="WorkloadState.Degraded"/> from another state the watch had seen; null otherwise (another kind, a
    /// Deployment seen for the first time, or one still rolling out: a pass has nothing to do until it is done).</summary>
    private static WorkloadHealth? DeploymentTurned(ResourceKey key, JsonObject obj, Dictionary<ResourceKey, WorkloadState> deployments)
    {
        if (key.Kind != ManagedKinds.Deployment.Kind)
        {
            return null;
        }
        var health = WorkloadHealth.ForDeployment(obj);
        var known = deployments.TryGetValue(key, out var before);
        deployments[key] = health.State;
        return known && before != health.State && health.State is WorkloadState.Available or WorkloadState.Degraded ? health : null;
    }

    /// <summary>True when <paramref name="resourceVersion"/> is the version of the object this driver's last apply wrote.</summary>
    private bool Mine(ResourceKey key, string resourceVersion) => _written.TryGetValue(key, out var mine) && mine == resourceVersion;

    /// <summary>How a managed Job ended (<c>Complete</c>, <c>Failed</c>): its conditions, or a succeeded pod, which is
    /// what the pass takes for trained (<see cref="ObservedFacts.JobSucceeded"/>); null while it runs, and for every
    /// other kind.</summary>
    private static string? JobEnd(ResourceKey key, JsonObject obj)
    {
        if (key.Kind != ManagedKinds.Job.Kind)
        {
            return null;
        }
        var health = WorkloadHealth.ForJob(obj);
        return health.IsTerminal ? health.State.ToString()
            : ObservedFacts.JobSucceeded(obj) ? nameof(WorkloadState.Complete)
            : null;
    }

    /// <summary>A digest of an object without what controllers and the API server keep changing (status,
    /// resourceVersion, managedFields, generation): equal before and after a status-only update. A digest, not the text,
    /// is what the drift watch keeps of every object.</summary>
    private static UInt128 Content(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("status");
        if (copy["metadata"] is JsonObject metadata)
        {
            foreach (var field in new[] { "resourceVersion", "managedFields", "generation" })
            {
                metadata.Remove(field);
            }
        }
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(DetachedJson.ToUtf8(copy), digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    private async Task WatchKindAsync(ManagedKind kind, string ns, string selector, WatchedObjects watched, ChannelWriter<ClusterChange> writer,
        CancellationToken ct)
    {
        string? resourceVersion = null;
        var failures = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    if (resourceVersion is null)
                    {
                        var listed = await ListKindAsync(kind, ns, selector, ct);
                        if (listed is null)
                        {
                            watched.NotServed(kind);
                            return;
                        }
                        resourceVersion = listed.ResourceVersion;
                        watched.Listed(kind, listed.Items);
                        await writer.WriteAsync(ClusterChange.Listed(kind, ObservedObjects.Of(listed.Items), resourceVersion), ct);
                    }
                    var path = KubernetesPaths.Collection(kind, ns)
                        + $"?watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}"
                        + $"&labelSelector={Uri.EscapeDataString(selector)}&timeoutSeconds={_options.WatchTimeoutSeconds}";
                    try
                    {
                        await foreach (var e in api.WatchAsync(path, () => watched.Opened(kind), ct))
                        {
                            var type = e["type"]?.GetValue<string>();
                            var obj = e["object"] as JsonObject;
                            if (type == "ERROR")
                            {
                                WatchErrors.ThrowUnlessExpired(obj, $"watch {kind.Plural} in {ns}");
                                resourceVersion = null;
                                break;
                            }
                            if (obj?["metadata"]?["resourceVersion"]?.GetValue<string>() is { } rv)
                            {
                                resourceVersion = rv;
                            }
                            var changeType = type switch
                            {
                                "ADDED" => ClusterChangeType.Added,
                                "MODIFIED" => ClusterChangeType.Modified,
                                "DELETED" => ClusterChangeType.Deleted,
                                _ => (ClusterChangeType?)null,
                            };
                            // Another shard's model: its resourceVersion is followed, the object is neither kept nor told.
                            if (changeType is { } t && obj is not null && _options.Shard.OwnsObject(ObjectKeys.Label(obj, ManagedLabels.Model)))
                            {
                                var normalized = WithoutFieldOwnership(Normalize(kind, obj));
                                var key = KeyOf(normalized);
                                // Kept before the change is told, so a pass the change triggers reads it.
                                watched.Changed(t, key, normalized);
                                await writer.WriteAsync(new ClusterChange(t, kind, key, normalized, resourceVersion ?? "", []), ct);
                            }
                            failures = 0;
                        }
                    }
                    finally
                    {
                        // Until the watch is open again, changes may go unseen.
                        watched.Interrupted(kind);
                    }
                }
                catch (KubernetesApiException e) when (e.StatusCode == 410)
                {
                    resourceVersion = null;
                }
                catch (Exception e) when (!ct.IsCancellationRequested
                                          && (e is HttpRequestException or IOException || e is KubernetesApiException { IsTransient: true }))
                {
                    failures++;
                    await Task.Delay(api.Retry.DelayBefore(Math.Min(failures, 16)), api.Time, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping is the normal end of a watch.
        }
        catch (Exception e)
        {
            // A lasting refusal (403, a malformed answer) ends the whole watch so the caller sees it at once.
            writer.TryComplete(e);
        }
    }

    private sealed record KindList(IReadOnlyList<CompactObject> Items, string ResourceVersion);

    /// <param name="keep">The objects to keep; by default this shard's.</param>
    /// <param name="buffer">What the pages are read into; by default an array of this listing's own.</param>
    private async Task<KindList?> ListKindAsync(ManagedKind kind, string ns, string selector, CancellationToken ct, Func<CompactObject, bool>? keep = null,
        ResponseBuffer? buffer = null)
    {
        buffer ??= new ResponseBuffer();
        keep ??= _options.Shard.IsWhole ? null : o => _options.Shard.OwnsObject(o.Model);
        var path = KubernetesPaths.Collection(kind, ns) + $"?labelSelector={Uri.EscapeDataString(selector)}&limit={_options.ListPageSize}";
        var items = new List<CompactObject>();
        string? resourceVersion = null;
        string? next = null;
        var restarts = 0;
        while (true)
        {
            var response = await api.SendForBytesAsync(next is null ? path : $"{path}&continue={Uri.EscapeDataString(next)}", buffer, ct);
            if (response.StatusCode == 404)
            {
                // The kind is not served (its CRD is not installed), so nothing of it can exist.
                return null;
            }
            if (response.StatusCode == 410 && next is not null && restarts++ < MaxListRestarts)
            {
                // The snapshot the pages were read from expired (compacted) between two pages: the pages read so far
                // and the rest would not be one consistent list, so it is read again from the start.
                items.Clear();
                (resourceVersion, next) = (null, null);
                continue;
            }
            var target = new ApiTarget("list", kind.ApiVersion, kind.Plural, ns);
            if (!response.IsSuccess || response.Utf8 is not { } utf8)
            {
                throw ApiRefusal.Failure(target, response);
            }
            ListPage.Page page;
            try
            {
                // Read item by item into the text the driver keeps: no tree of the page is built.
                page = ListPage.Read(utf8.Span, kind);
            }
            catch (JsonException)
            {
                throw ApiRefusal.Failure(target, new KubernetesResponse(response.StatusCode, null, Encoding.UTF8.GetString(utf8.Span)));
            }
            items.AddRange(keep is null ? page.Items : page.Items.Where(keep));
            // Every page is read from the snapshot of the first: its resourceVersion is the list's.
            resourceVersion ??= page.ResourceVersion ?? "";
            next = page.Continue;
            if (string.IsNullOrEmpty(next))
            {
                return new KindList(items, resourceVersion);
            }
        }
    }

    /// <summary>How often a paged list is read again from the start when its snapshot expires between pages.</summary>
    private const int MaxListRestarts = 3;

    private ManagedKind Resolve(string apiVersion, string kind) =>
        _options.Kinds.FirstOrDefault(k => k.ApiVersion == apiVersion && k.Kind == kind)
        ?? throw new ArgumentException($"{apiVersion} {kind} is not a kind GitOps manages");

    /// <summary>List items of built-in kinds come without kind/apiVersion; put them back, first, for stable output.
    /// An object that belongs to no parent (an answer's body, a detached list item) is completed in place.</summary>
    private static JsonObject Normalize(ManagedKind kind, JsonObject obj)
    {
        var result = obj.Parent is null ? obj : (JsonObject)obj.DeepClone();
        result.Remove("apiVersion");
        result.Remove("kind");
        result.Insert(0, "apiVersion", kind.ApiVersion);
        result.Insert(1, "kind", kind.Kind);
        return result;
    }

    /// <summary>Planning never reads who owns which field, and with server-side apply that record is as large as the
    /// object itself: held for thousands of objects it would double the memory of every pass (client-go's informers
    /// drop it for the same reason).</summary>
    private static JsonObject WithoutFieldOwnership(JsonObject obj)
    {
        (obj["metadata"] as JsonObject)?.Remove("managedFields");
        return obj;
    }

    private IEnumerable<WatchedObjects> WatchedIn(string @namespace) =>
        _watched.Where(w => w.Key.Namespace == @namespace).Select(w => w.Value);

    private static ResourceKey KeyOf(JsonObject obj) => new(
        obj["apiVersion"]?.GetValue<string>() ?? "",
        obj["kind"]?.GetValue<string>() ?? "",
        obj["metadata"]?["namespace"]?.GetValue<string>(),
        obj["metadata"]?["name"]?.GetValue<string>() ?? "");

    private static string ManagerOf(string? message)
    {
        // The server writes 'conflict with "kubectl-edit" using v1' or 'conflict with "kubectl-edit"'.
        if (message is null)
        {
            return "";
        }
        var start = message.IndexOf('"');
        var end = start < 0 ? -1 : message.IndexOf('"', start + 1);
        return end > start ? message[(start + 1)..end] : message;
    }
}
