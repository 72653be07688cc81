using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using GitOps.Reconciler.Webhooks;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// <see cref="IPushRelay"/> through the API server: the last push delivery a replica received is written to the
/// ConfigMap <c>gitops-webhook-push</c> of the reconciler's namespace (a plain update with its resourceVersion; one
/// that loses a race to another replica's push is written again), and every replica watches that ConfigMap by its
/// label. A watch whose resourceVersion the server no longer has (410) lists again, and yields the delivery it then
/// finds when it differs from the last one seen, so a push made while the watch was away is not missed.
/// </summary>
public sealed class ConfigMapPushRelay(KubernetesApiConnection api, string @namespace, string identity, int watchTimeoutSeconds = 300) : IPushRelay
{
    public const string Name = "gitops-webhook-push";

    /// <summary>The label the relay watches by (a real API server could select by name; a label serves every client).</summary>
    public const string Label = "ml.gitops/webhook-push";

    private const int MaxAttempts = 5;

    public async Task PublishAsync(string delivery, CancellationToken ct)
    {
        var item = KubernetesPaths.Item("v1", "configmaps", @namespace, Name);
        for (var attempt = 1; ; attempt++)
        {
            var current = await api.SendAsync(HttpMethod.Get, item, null, null, ct);
            string? resourceVersion = null;
            if (current.IsSuccess)
            {
                resourceVersion = current.Body?["metadata"]?["resourceVersion"]?.GetValue<string>();
            }
            else if (current.StatusCode != 404)
            {
                throw ApiRefusal.Failure(Target("get"), current, ApiRefusal.StateGrant);
            }
            var written = resourceVersion is null
                ? await api.SendAsync(HttpMethod.Post, KubernetesPaths.Collection("v1", "configmaps", @namespace), Body(delivery, null), "application/json", ct)
                : await api.SendAsync(HttpMethod.Put, item, Body(delivery, resourceVersion), "application/json", ct);
            if (written.IsSuccess)
            {
                return;
            }
            // Another replica published (or created the ConfigMap) in between: read it again and publish over it.
            if (written.StatusCode == 409 && attempt < MaxAttempts)
            {
                continue;
            }
            throw ApiRefusal.Failure(Target(resourceVersion is null ? "create" : "update"), written, ApiRefusal.StateGrant);
        }
    }

    public async IAsyncEnumerable<string> WatchAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var selector = Uri.EscapeDataString($"{Label}=true");
        string? last = null;
        var first = true;
        while (!ct.IsCancellationRequested)
        {
            var listed = await api.SendAsync(HttpMethod.Get, KubernetesPaths.Collection("v1", "configmaps", @namespace) + $"?labelSelector={selector}", null, null, ct);
            if (!listed.IsSuccess || listed.Body is null)
            {
                throw ApiRefusal.Failure(new ApiTarget("list", "v1", "configmaps", @namespace), listed, ApiRefusal.StateGrant);
            }
            var resourceVersion = listed.Body["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";
            var found = (listed.Body["items"] as JsonArray ?? []).OfType<JsonObject>().Select(DeliveryOf).FirstOrDefault(d => d is not null);
            if (!first && found is not null && found != last)
            {
                yield return found;
            }
            last = found ?? last;
            first = false;
            var expired = false;
            while (!expired && !ct.IsCancellationRequested)
            {
                var path = KubernetesPaths.Collection("v1", "configmaps", @namespace)
                    + $"?watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}"
                    + $"&labelSelector={selector}&timeoutSeconds={watchTimeoutSeconds.ToString(CultureInfo.InvariantCulture)}";
                await foreach (var e in api.WatchAsync(path, null, ct))
                {
                    var type = e["type"]?.GetValue<string>();
                    var obj = e["object"] as JsonObject;
                    if (type == "ERROR")
                    {
                        WatchErrors.ThrowUnlessExpired(obj, $"watch configmaps in {@namespace}");
                        expired = true;
                        break;
                    }
                    resourceVersion = obj?["metadata"]?["resourceVersion"]?.GetValue<string>() ?? resourceVersion;
                    if (type is "ADDED" or "MODIFIED" && obj is not null && DeliveryOf(obj) is { } delivery && delivery != last)
                    {
                        last = delivery;
                        yield return delivery;
                    }
                }
                // The server ended the stream (its timeout): watch again from where it stopped.
            }
        }
    }

    private static string? DeliveryOf(JsonObject configMap) => configMap["data"]?["delivery"]?.GetValue<string>();

    private ApiTarget Target(string verb) => new(verb, "v1", "configmaps", @namespace, "ConfigMap", Name);

    private JsonObject Body(string delivery, string? resourceVersion) =>
        ConfigMapObjects.Of(Name, @namespace,
            new JsonObject { ["app.kubernetes.io/managed-by"] = "gitops-reconciler", [Label] = "true" },
            new JsonObject
            {
                ["delivery"] = delivery,
                ["receivedBy"] = identity,
                ["receivedAt"] = api.Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            },
            resourceVersion);
}
