using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitOps.Testing.FakeKubernetes;

/// <summary>Settings of a <see cref="FakeKubernetesApiServer"/>.</summary>
public sealed record FakeKubernetesApiServerOptions
{
    /// <summary>Resources the server knows; a request for any other answers 404 like a CRD that is not installed.</summary>
    public IReadOnlyList<FakeResourceType> ResourceTypes { get; init; } = FakeResourceType.Defaults;

    /// <summary>When set, every request must carry <c>Authorization: Bearer &lt;token&gt;</c> (401 otherwise).</summary>
    public string? BearerToken { get; init; }

    /// <summary>How many change events are kept for watches; a watch from before the window gets 410 Gone.</summary>
    public int HistoryLimit { get; init; } = 1000;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>As kube-apiserver's <c>--max-mutating-requests-inflight</c>: a write (create, update, patch, apply,
    /// delete) arriving while this many are being served is answered 429 <c>TooManyRequests</c> with
    /// <c>Retry-After: 1</c>, as the real server's in-flight and priority-and-fairness filters answer. Null: no limit.</summary>
    public int? MaxMutatingRequestsInFlight { get; init; }

    /// <summary>How long serving each write takes (the real server's admission and storage); none by default.</summary>
    public TimeSpan WriteLatency { get; init; }

    /// <summary>When set, the server speaks HTTPS with this certificate (and its key), as kube-apiserver does.</summary>
    public X509Certificate2? ServerCertificate { get; init; }

    /// <summary>As kube-apiserver's <c>--client-ca-file</c>: a client certificate issued by this authority
    /// authenticates a request without a token; one issued by another is refused in the handshake.</summary>
    public X509Certificate2? ClientCertificateAuthority { get; init; }
}

/// <summary>One request the server received, as the audit log would show it.</summary>
public sealed record FakeApiRequest(string Verb, string Method, string Path, string Query);

/// <summary>
/// An in-process Kubernetes API server (Kestrel on 127.0.0.1, random port) implementing the subset GitOps ML uses
/// with the real server's semantics: namespaced CRUD for the managed kinds, leases and configmaps; label-selector
/// lists; optimistic concurrency on resourceVersion; server-side apply with field managers and conflicts;
/// JSON merge patch; dry-run; watches with a bounded history that answers 410 Gone. Test hooks inject failures,
/// read raw state, count requests and edit objects as another field manager.
/// </summary>
/// <remarks>
/// Simplifications, deliberate and small: every list is atomic (the real server merges lists such as
/// <c>containers</c> by key), apply bodies must be JSON (the real server also takes YAML), lists are not paged,
/// the status subresource is reached through <see cref="SetStatus"/> rather than <c>/status</c>, and DELETE answers
/// with a Success Status rather than the deleted object.
/// </remarks>
public sealed class FakeKubernetesApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeObjectStore _store;
    private readonly FakeKubernetesApiServerOptions _options;
    private readonly ConcurrentQueue<FakeApiRequest> _requests = new();
    private readonly List<FaultRule> _faults = [];
    private readonly List<FakeRefusal> _refusals = [];
    private readonly Lock _faultGate = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _writesInFlight;
    private int _peakWritesInFlight;
    private int _throttled;

    private FakeKubernetesApiServer(WebApplication app, FakeKubernetesApiServerOptions options)
    {
        _app = app;
        _options = options;
        _store = new FakeObjectStore(options.TimeProvider, options.HistoryLimit);
    }

    public Uri BaseAddress { get; private set; } = null!;

    public long CurrentResourceVersion => _store.CurrentResourceVersion;

    /// <summary>Forgets the snapshots of paged lists, as etcd compaction does: a list continued after this answers 410 Expired.</summary>
    public void ExpireListSnapshots() => _store.ExpireListSnapshots();

    /// <summary>The next list page answered with a <c>continue</c> token is the last its snapshot serves, as if etcd
    /// compacted right after it: continuing from it answers 410 Expired.</summary>
    public void ExpireListSnapshotAfterNextPage() => _store.ExpireListSnapshotAfterNextPage();

    public IReadOnlyList<FakeApiRequest> Requests => [.. _requests];

    /// <summary>The most writes that were ever in flight at once, counting those answered 429: how many the
    /// clients sent in parallel.</summary>
    public int PeakMutatingRequestsInFlight => Volatile.Read(ref _peakWritesInFlight);

    /// <summary>Writes answered 429 because <see cref="FakeKubernetesApiServerOptions.MaxMutatingRequestsInFlight"/> were in flight.</summary>
    public int ThrottledRequests => Volatile.Read(ref _throttled);

    public static async Task<FakeKubernetesApiServer> StartAsync(FakeKubernetesApiServerOptions? options = null, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        options ??= new FakeKubernetesApiServerOptions();
        var tls = options;
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (tls.ServerCertificate is { } certificate)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificate;
                    if (tls.ClientCertificateAuthority is { } authority)
                    {
                        https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                        https.ClientCertificateValidation = (client, _, _) => IssuedBy(authority, client);
                    }
                });
            }
        }));
        var app = builder.Build();
        var server = new FakeKubernetesApiServer(app, options);
        app.Run(server.HandleAsync);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return server;
    }

    private static bool IssuedBy(X509Certificate2 authority, X509Certificate2 client)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(client);
    }

    /// <summary>Writes a kubeconfig whose current context points at this server; returns its path. With
    /// <paramref name="certificateAuthority"/> the cluster's CA is written as <c>certificate-authority-data</c>; with
    /// <paramref name="clientCertificate"/> the user authenticates with it (and its key) instead of a token.</summary>
    public string WriteKubeconfig(string path, string contextName = "fake", string? token = null, string @namespace = "default",
        X509Certificate2? certificateAuthority = null, X509Certificate2? clientCertificate = null)
    {
        var user = clientCertificate is not null ? null : token ?? _options.BearerToken;
        var sb = new StringBuilder();
        sb.AppendLine("apiVersion: v1");
        sb.AppendLine("kind: Config");
        sb.AppendLine("clusters:");
        sb.AppendLine($"- name: {contextName}");
        sb.AppendLine("  cluster:");
        sb.AppendLine($"    server: {BaseAddress.ToString().TrimEnd('/')}");
        if (certificateAuthority is not null)
        {
            sb.AppendLine($"    certificate-authority-data: {TestCertificates.CertificateData(certificateAuthority)}");
        }
        sb.AppendLine("contexts:");
        sb.AppendLine($"- name: {contextName}");
        sb.AppendLine("  context:");
        sb.AppendLine($"    cluster: {contextName}");
        sb.AppendLine($"    user: {contextName}");
        sb.AppendLine($"    namespace: {@namespace}");
        sb.AppendLine($"current-context: {contextName}");
        sb.AppendLine("users:");
        sb.AppendLine($"- name: {contextName}");
        if (clientCertificate is not null)
        {
            sb.AppendLine("  user:");
            sb.AppendLine($"    client-certificate-data: {TestCertificates.CertificateData(clientCertificate)}");
            sb.AppendLine($"    client-key-data: {TestCertificates.KeyData(clientCertificate)}");
        }
        else
        {
            sb.AppendLine(user is null ? "  user: {}" : $"  user:\n    token: {user}");
        }
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    // ---- test hooks -------------------------------------------------------------------------------------------

    /// <summary>The next <paramref name="count"/> matching requests answer <paramref name="statusCode"/>
    /// (500 by default; 429 carries <c>Retry-After</c>).</summary>
    public void FailNext(int count, int statusCode = 500, string? verb = null, string? pathContains = null)
    {
        lock (_faultGate)
        {
            _faults.Add(new FaultRule(count, verb, pathContains, statusCode, null, null));
        }
    }

    /// <summary>The next <paramref name="count"/> matching requests wait <paramref name="delay"/> (or until the
    /// client gives up) before being served.</summary>
    public void DelayNext(int count, TimeSpan delay, string? verb = null, string? pathContains = null)
    {
        lock (_faultGate)
        {
            _faults.Add(new FaultRule(count, verb, pathContains, null, delay, null));
        }
    }

    /// <summary>The next <paramref name="count"/> matching requests are served at once (a write is stored and shown to
    /// watches) but answered only after <paramref name="delay"/>: a client reads the watch event of its own write before
    /// the answer, as it can from a real API server.</summary>
    public void AnswerLateNext(int count, TimeSpan delay, string? verb = null, string? pathContains = null)
    {
        lock (_faultGate)
        {
            _faults.Add(new FaultRule(count, verb, pathContains, null, null, delay));
        }
    }

    /// <summary>Every matching request is refused with <paramref name="refusal"/>'s code and the real server's Status
    /// body until <see cref="Lift"/> (an RBAC grant, a fixed object).</summary>
    public void Refuse(FakeRefusal refusal)
    {
        lock (_faultGate)
        {
            _refusals.Add(refusal);
        }
    }

    /// <summary>Stops refusing (every refusal when <paramref name="refusal"/> is null).</summary>
    public void Lift(FakeRefusal? refusal = null)
    {
        lock (_faultGate)
        {
            if (refusal is null)
            {
                _refusals.Clear();
            }
            else
            {
                _refusals.Remove(refusal);
            }
        }
    }

    /// <summary>How many requests of a verb were served: get, list, watch, create, update, patch, apply, delete.</summary>
    public int RequestCount(string verb) => _requests.Count(r => r.Verb == verb);

    public JsonObject? GetObject(ResourceKey key) => _store.Peek(TypeOf(key.ApiVersion, key.Kind), key.Namespace ?? "", key.Name);

    public JsonObject? GetObject(string apiVersion, string kind, string @namespace, string name) =>
        _store.Peek(TypeOf(apiVersion, kind), @namespace, name);

    public IReadOnlyList<JsonObject> ListObjects(string apiVersion, string kind, string? @namespace = null) =>
        _store.PeekAll(TypeOf(apiVersion, kind), @namespace);

    /// <summary>Creates an object directly (an Update by <paramref name="manager"/>), as something outside GitOps would.</summary>
    public JsonObject Seed(JsonObject obj, string manager = "kubectl")
    {
        var (type, ns, _) = Locate(obj);
        return Expect(_store.Create(type, ns, (JsonObject)obj.DeepClone(), manager, dryRun: false));
    }

    /// <summary>Edits an object "by hand" as another field manager (a JSON merge patch, like <c>kubectl edit</c>).</summary>
    public JsonObject EditByHand(ResourceKey key, JsonObject mergePatch, string manager = "kubectl-edit") =>
        Expect(_store.MergePatch(TypeOf(key.ApiVersion, key.Kind), key.Namespace ?? "", key.Name, mergePatch, manager, dryRun: false));

    /// <summary>Sets the status subresource, standing in for the controller that owns the kind.</summary>
    public JsonObject SetStatus(ResourceKey key, JsonObject status) =>
        Expect(_store.SetStatus(TypeOf(key.ApiVersion, key.Kind), key.Namespace ?? "", key.Name, status));

    public void DeleteObject(ResourceKey key) =>
        Expect(_store.Delete(TypeOf(key.ApiVersion, key.Kind), key.Namespace ?? "", key.Name, dryRun: false));

    /// <summary>Forgets the watch history so watches from any earlier resourceVersion get 410 Gone.</summary>
    public void CompactHistory() => _store.CompactHistory();

    /// <summary>Ends every open watch stream, as the server does when a watch's timeout passes or it restarts.</summary>
    public void CloseWatches() => _store.CloseAllWatches();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _store.CloseAllWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private FakeResourceType TypeOf(string apiVersion, string kind) =>
        _options.ResourceTypes.FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind)
        ?? throw new ArgumentException($"the fake server does not serve {apiVersion} {kind}");

    private (FakeResourceType Type, string Namespace, string Name) Locate(JsonObject obj) =>
        (TypeOf(obj["apiVersion"]!.GetValue<string>(), obj["kind"]!.GetValue<string>()),
         obj["metadata"]?["namespace"]?.GetValue<string>() ?? "default",
         obj["metadata"]?["name"]?.GetValue<string>() ?? "");

    private static JsonObject Expect(StoreResult result) =>
        result.IsSuccess ? result.Body : throw new InvalidOperationException($"fake API server refused: {result.Body.ToJsonString()}");

    // ---- HTTP -------------------------------------------------------------------------------------------------

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var ct = context.RequestAborted;
        var route = Route.Parse(request.Path.Value ?? "");
        if (route is null)
        {
            await WriteAsync(context, 404, KubernetesStatus.ResourceNotFound());
            return;
        }
        var type = _options.ResourceTypes.FirstOrDefault(t =>
            t.Group == route.Group && t.Version == route.Version && t.Plural == route.Plural);
        var verb = VerbOf(request, route);
        _requests.Enqueue(new FakeApiRequest(verb, request.Method, request.Path.Value ?? "", request.QueryString.Value ?? ""));

        // A client certificate that passed the handshake authenticates the request, as on the real server.
        if (_options.BearerToken is { } token && context.Connection.ClientCertificate is null
            && request.Headers.Authorization.ToString() != $"Bearer {token}")
        {
            await WriteAsync(context, 401, KubernetesStatus.Failure(401, "Unauthorized", "Unauthorized"));
            return;
        }

        if (verb is "create" or "update" or "patch" or "apply" or "delete")
        {
            var inFlight = Interlocked.Increment(ref _writesInFlight);
            try
            {
                RecordPeak(inFlight);
                if (inFlight > _options.MaxMutatingRequestsInFlight)
                {
                    Interlocked.Increment(ref _throttled);
                    context.Response.Headers.RetryAfter = "1";
                    await WriteAsync(context, 429, KubernetesStatus.TooManyRequests(1));
                    return;
                }
                if (_options.WriteLatency > TimeSpan.Zero)
                {
                    await Task.Delay(_options.WriteLatency, _options.TimeProvider, ct);
                }
                await ServeAsync(context, route, type, verb);
            }
            finally
            {
                Interlocked.Decrement(ref _writesInFlight);
            }
            return;
        }
        await ServeAsync(context, route, type, verb);
    }

    private void RecordPeak(int inFlight)
    {
        var peak = Volatile.Read(ref _peakWritesInFlight);
        while (inFlight > peak)
        {
            var was = Interlocked.CompareExchange(ref _peakWritesInFlight, inFlight, peak);
            if (was == peak)
            {
                return;
            }
            peak = was;
        }
    }

    private async Task ServeAsync(HttpContext context, Route route, FakeResourceType? type, string verb)
    {
        var request = context.Request;
        var ct = context.RequestAborted;
        FakeRefusal? refusal;
        lock (_faultGate)
        {
            refusal = _refusals.FirstOrDefault(r => r.Matches(verb, route.Plural, route.Namespace, route.Name));
        }
        if (refusal is not null)
        {
            await WriteAsync(context, refusal.Code, refusal.Answer(verb, type, route.Plural, route.Group, route.Namespace, route.Name));
            return;
        }

        var fault = TakeFault(verb, request.Path.Value ?? "");
        if (fault?.Delay is { } delay && !await WaitAsync(delay, ct))
        {
            return;
        }
        if (fault?.StatusCode is { } code)
        {
            if (code == 429)
            {
                context.Response.Headers.RetryAfter = "1";
            }
            var reason = code switch
            {
                401 => "Unauthorized",
                403 => "Forbidden",
                404 => "NotFound",
                409 => "Conflict",
                429 => "TooManyRequests",
                503 => "ServiceUnavailable",
                504 => "Timeout",
                _ => "InternalError",
            };
            await WriteAsync(context, code, KubernetesStatus.Failure(code, reason, $"injected failure ({code})"));
            return;
        }
        if (type is null)
        {
            await WriteAsync(context, 404, KubernetesStatus.ResourceNotFound());
            return;
        }

        var query = request.Query;
        var dryRunValue = query["dryRun"].ToString();
        if (dryRunValue.Length > 0 && dryRunValue != "All")
        {
            await WriteAsync(context, 400, KubernetesStatus.BadRequest($"Invalid dryRun value: {dryRunValue}; the only valid value is All"));
            return;
        }
        var dryRun = dryRunValue == "All";
        var manager = query["fieldManager"].ToString();
        if (manager.Length == 0)
        {
            var agent = request.Headers.UserAgent.ToString();
            manager = agent.Length == 0 ? "unknown" : agent.Split('/', ' ')[0];
        }
        var force = query["force"].ToString() is "true" or "1";
        if (force && verb != "apply")
        {
            await WriteAsync(context, 400, KubernetesStatus.BadRequest("force is only allowed during apply"));
            return;
        }

        StoreResult result;
        switch (verb)
        {
            case "watch":
                await WatchAsync(context, type, route.Namespace, ct);
                return;
            case "list":
                if (await SelectorAsync(context) is not { } selector)
                {
                    return;
                }
                int? limit = null;
                if (query["limit"].ToString() is { Length: > 0 } limitText)
                {
                    if (!int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
                    {
                        await WriteAsync(context, 400, KubernetesStatus.BadRequest($"limit: Invalid value: \"{limitText}\""));
                        return;
                    }
                    // limit=0 means no limit, as on the real server.
                    limit = parsed > 0 ? parsed : null;
                }
                result = _store.List(type, route.Namespace, selector, limit,
                    query["continue"].ToString() is { Length: > 0 } token ? token : null);
                break;
            case "get":
                result = _store.Get(type, route.Namespace, route.Name!);
                break;
            case "delete":
                result = _store.Delete(type, route.Namespace, route.Name!, dryRun);
                break;
            case "create" or "update" or "patch" or "apply":
                var body = await ReadBodyAsync(request, ct);
                if (body is null)
                {
                    await WriteAsync(context, 400, KubernetesStatus.BadRequest("the body of the request was in an unknown format - accepted media types include: application/json"));
                    return;
                }
                result = verb switch
                {
                    "create" => _store.Create(type, route.Namespace, body, manager, dryRun),
                    "update" => _store.Replace(type, route.Namespace, route.Name!, body, manager, dryRun),
                    "apply" when query["fieldManager"].ToString().Length == 0 =>
                        new StoreResult(400, KubernetesStatus.BadRequest("PATCH, fieldManager is required for apply requests")),
                    "apply" => _store.Apply(type, route.Namespace, route.Name!, body, manager, force, dryRun),
                    _ when request.ContentType?.StartsWith("application/merge-patch+json", StringComparison.Ordinal) == true =>
                        _store.MergePatch(type, route.Namespace, route.Name!, body, manager, dryRun),
                    _ => new StoreResult(415, KubernetesStatus.Failure(415, "UnsupportedMediaType",
                        $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")),
                };
                break;
            default:
                result = new StoreResult(405, KubernetesStatus.Failure(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource"));
                break;
        }
        if (fault?.AnswerDelay is { } answerDelay && !await WaitAsync(answerDelay, ct))
        {
            return;
        }
        await WriteAsync(context, result.Code, result.Body);
    }

    /// <summary>Waits <paramref name="delay"/>; false when the client gave up or the server is stopping first.</summary>
    private async Task<bool> WaitAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
            await Task.Delay(delay, linked.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The request's <c>labelSelector</c>, or null after answering 400 as the API server does.</summary>
    private static async Task<LabelSelector?> SelectorAsync(HttpContext context)
    {
        try
        {
            return LabelSelector.Parse(context.Request.Query["labelSelector"].ToString());
        }
        catch (FormatException e)
        {
            await WriteAsync(context, 400, KubernetesStatus.BadRequest($"unable to parse requirement: {e.Message}"));
            return null;
        }
    }

    private async Task WatchAsync(HttpContext context, FakeResourceType type, string ns, CancellationToken ct)
    {
        var query = context.Request.Query;
        if (await SelectorAsync(context) is not { } selector)
        {
            return;
        }
        var subscription = _store.Subscribe(type, ns, selector, query["resourceVersion"].ToString());
        if (subscription.Error is { } error)
        {
            await WriteAsync(context, error["code"]!.GetValue<int>(), error);
            return;
        }
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
        if (int.TryParse(query["timeoutSeconds"].ToString(), out var timeoutSeconds) && timeoutSeconds > 0)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
        }
        try
        {
            // As kube-apiserver does, the answer's head is sent at once: a client knows its watch is open before any event.
            await response.StartAsync(stop.Token);
            await response.Body.FlushAsync(stop.Token);
            foreach (var e in subscription.Initial)
            {
                await WriteLineAsync(response, e, stop.Token);
            }
            if (subscription.Live is { } live)
            {
                await foreach (var e in live.ReadAllAsync(stop.Token))
                {
                    await WriteLineAsync(response, e, stop.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The watch ends when its timeout passes, the client leaves or the server stops.
        }
        finally
        {
            subscription.Stop?.Invoke();
        }
    }

    private static async Task WriteLineAsync(HttpResponse response, JsonObject e, CancellationToken ct)
    {
        await response.WriteAsync(e.ToJsonString() + "\n", ct);
        await response.Body.FlushAsync(ct);
    }

    private static async Task<JsonObject?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body, cancellationToken: ct) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task WriteAsync(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static string VerbOf(HttpRequest request, Route route)
    {
        var watch = request.Query["watch"].ToString() is "true" or "1";
        return (request.Method, route.Name is null) switch
        {
            ("GET", true) => watch ? "watch" : "list",
            ("GET", false) => "get",
            ("POST", true) => "create",
            ("PUT", false) => "update",
            ("PATCH", false) => request.ContentType?.StartsWith("application/apply-patch", StringComparison.Ordinal) == true ? "apply" : "patch",
            ("DELETE", false) => "delete",
            _ => "unsupported",
        };
    }

    private FaultRule? TakeFault(string verb, string path)
    {
        lock (_faultGate)
        {
            var rule = _faults.FirstOrDefault(f => f.Remaining > 0 && (f.Verb is null || f.Verb == verb)
                && (f.PathContains is null || path.Contains(f.PathContains, StringComparison.Ordinal)));
            if (rule is null)
            {
                return null;
            }
            rule.Remaining--;
            if (rule.Remaining == 0)
            {
                _faults.Remove(rule);
            }
            return rule;
        }
    }

    private sealed class FaultRule(int count, string? verb, string? pathContains, int? statusCode, TimeSpan? delay, TimeSpan? answerDelay)
    {
        public int Remaining { get; set; } = count;

        public string? Verb { get; } = verb;

        public string? PathContains { get; } = pathContains;

        public int? StatusCode { get; } = statusCode;

        public TimeSpan? Delay { get; } = delay;

        public TimeSpan? AnswerDelay { get; } = answerDelay;
    }

    private sealed record Route(string Group, string Version, string Namespace, string Plural, string? Name)
    {
        public static Route? Parse(string path)
        {
            var s = path.Trim('/').Split('/');
            // /api/v1/namespaces/{ns}/{plural}[/{name}]  and  /apis/{group}/{version}/namespaces/{ns}/{plural}[/{name}]
            return s switch
            {
                ["api", var v, "namespaces", var ns, var plural] => new Route("", v, ns, plural, null),
                ["api", var v, "namespaces", var ns, var plural, var name] => new Route("", v, ns, plural, name),
                ["apis", var g, var v, "namespaces", var ns, var plural] => new Route(g, v, ns, plural, null),
                ["apis", var g, var v, "namespaces", var ns, var plural, var name] => new Route(g, v, ns, plural, name),
                _ => null,
            };
        }
    }
}
