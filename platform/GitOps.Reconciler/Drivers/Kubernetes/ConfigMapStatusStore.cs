using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Status;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// Keeps each environment's <see cref="EnvironmentStatus"/> in a ConfigMap <c>gitops-status-&lt;env&gt;</c>, written
/// with resourceVersion preconditions so two writers never silently overwrite each other. The ConfigMap does not
/// carry the managed-object labels: it is not part of any plan and is never pruned.
/// </summary>
public sealed class ConfigMapStatusStore(KubernetesApiConnection api, string @namespace, Shard? shard = null) : IEnvironmentStatusStore
{
    public const string NamePrefix = "gitops-status-";
    public const string StatusOfLabel = "ml.gitops/status-of";

    /// <summary>On the status of one shard of the environment: <c>2-of-3</c> (a label value cannot hold a slash).</summary>
    public const string ShardLabel = "ml.gitops/shard";

    private readonly Shard _shard = shard ?? Shard.Whole;

    /// <summary>Longest text kept per field: ConfigMaps are limited to 1 MiB in total.</summary>
    public const int MaxFieldLength = 64 * 1024;

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string ConfigMapName(string environment) => NamePrefix + environment;

    /// <summary>The status ConfigMap of <paramref name="shard"/> of the environment: <c>gitops-status-prod-shard-2-of-3</c>.</summary>
    public static string ConfigMapName(string environment, Shard shard) => ConfigMapName(environment) + shard.NameSuffix;

    /// <summary>Every status written for <paramref name="environment"/>: the whole environment's, and one per shard when
    /// several reconcilers share it, each with its shard (<c>2/3</c>; null for the whole), in name order.</summary>
    public async Task<IReadOnlyList<(string? Shard, EnvironmentStatus Status)>> ReadAllAsync(string environment, CancellationToken ct)
    {
        var path = KubernetesPaths.Collection("v1", "configmaps", @namespace)
            + $"?labelSelector={Uri.EscapeDataString($"{StatusOfLabel}={environment}")}";
        var response = await api.SendAsync(HttpMethod.Get, path, null, null, ct);
        if (!response.IsSuccess || response.Body is null)
        {
            throw ApiRefusal.Failure(new ApiTarget("list", "v1", "configmaps", @namespace), response, ApiRefusal.StateGrant);
        }
        return [.. (response.Body["items"] as JsonArray ?? []).OfType<JsonObject>()
            .OrderBy(cm => cm["metadata"]?["name"]?.GetValue<string>(), StringComparer.Ordinal)
            .Select(cm => (cm["metadata"]?["labels"]?[ShardLabel]?.GetValue<string>()?.Replace("-of-", "/", StringComparison.Ordinal),
                FromConfigMap(environment, cm)))];
    }

    /// <summary>This shard's status when the environment is not sharded; otherwise every status of a shard of the same
    /// count, merged in shard order (statuses left from an earlier shard count are not read).</summary>
    public async Task<EnvironmentStatus?> ReadWholeAsync(string environment, CancellationToken ct)
    {
        if (_shard.IsWhole)
        {
            return await ReadAsync(environment, ct);
        }
        var current = new List<(Shard Shard, string Text, EnvironmentStatus Status)>();
        foreach (var (text, status) in await ReadAllAsync(environment, ct))
        {
            if (text is not null && Shard.Parse(text, out _) is { } parsed && parsed.Count == _shard.Count)
            {
                current.Add((parsed, text, status));
            }
        }
        return ShardStatuses.Merge(environment, [.. current.OrderBy(s => s.Shard.Number).Select(s => (s.Text, s.Status))]);
    }

    public async Task<EnvironmentStatus?> ReadAsync(string environment, CancellationToken ct)
    {
        var path = KubernetesPaths.Item("v1", "configmaps", @namespace, ConfigMapName(environment, _shard));
        var response = await api.SendAsync(HttpMethod.Get, path, null, null, ct);
        if (response.StatusCode == 404)
        {
            return null;
        }
        if (!response.IsSuccess || response.Body is null)
        {
            throw Failure("get", ConfigMapName(environment, _shard), response);
        }
        return FromConfigMap(environment, response.Body);
    }

    public async Task<EnvironmentStatus> SaveAsync(EnvironmentStatus status, CancellationToken ct)
    {
        var body = ToConfigMap(status, @namespace, _shard);
        var name = ConfigMapName(status.Environment, _shard);
        KubernetesResponse response;
        if (status.ResourceVersion is null)
        {
            response = await api.SendAsync(HttpMethod.Post, KubernetesPaths.Collection("v1", "configmaps", @namespace), body, "application/json", ct);
        }
        else
        {
            body["metadata"]!["resourceVersion"] = status.ResourceVersion;
            response = await api.SendAsync(HttpMethod.Put, KubernetesPaths.Item("v1", "configmaps", @namespace, name), body, "application/json", ct);
        }
        if (response.IsSuccess && response.Body is not null)
        {
            return FromConfigMap(status.Environment, response.Body);
        }
        if (response.StatusCode is 409 || response.StatusCode is 404 && status.ResourceVersion is not null)
        {
            throw new StatusConflictException(status.Environment, response.Body?["reason"]?.GetValue<string>() ?? $"HTTP {response.StatusCode}");
        }
        throw Failure(status.ResourceVersion is null ? "create" : "update", name, response);
    }

    private KubernetesApiException Failure(string verb, string name, KubernetesResponse response) =>
        ApiRefusal.Failure(new ApiTarget(verb, "v1", "configmaps", @namespace, "ConfigMap", name), response, ApiRefusal.StateGrant);

    /// <summary>Read, change, save; on a concurrent save, read again and re-apply the change (up to a few times).</summary>
    public async Task<EnvironmentStatus> UpdateAsync(string environment, Func<EnvironmentStatus, EnvironmentStatus> change, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await ReadAsync(environment, ct) ?? new EnvironmentStatus { Environment = environment };
            try
            {
                return await SaveAsync(change(current) with { Environment = environment, ResourceVersion = current.ResourceVersion }, ct);
            }
            catch (StatusConflictException) when (attempt < 5)
            {
                // Lost a race with another writer; the loop re-reads its version.
            }
        }
    }

    /// <summary>The ConfigMap that holds <paramref name="status"/> (the Local driver keeps the same object in its state folder).</summary>
    internal static JsonObject ToConfigMap(EnvironmentStatus status, string @namespace, Shard? shard = null)
    {
        shard ??= Shard.Whole;
        var labels = new JsonObject
        {
            ["app.kubernetes.io/managed-by"] = "gitops-reconciler",
            [StatusOfLabel] = status.Environment,
        };
        if (!shard.IsWhole)
        {
            labels[ShardLabel] = shard.LabelValue;
        }
        var data = new JsonObject { ["environment"] = status.Environment, ["outcome"] = status.Outcome };
        Put(data, "lastAppliedCommit", status.LastAppliedCommit);
        Put(data, "lastAttemptedCommit", status.LastAttemptedCommit);
        Put(data, "message", Truncate(status.Message));
        Put(data, "diagnostics", Truncate(status.DiagnosticsSummary));
        Put(data, "plan", Truncate(status.PlanSummary));
        Put(data, "rollouts", Truncate(status.RolloutSummary));
        Put(data, "held", Truncate(status.Held));
        Put(data, "training", Truncate(status.Training));
        Put(data, "experiments", Truncate(status.Experiments));
        Put(data, "retraining", Truncate(status.Retraining));
        Put(data, "lastAttemptTime", status.LastAttemptTime?.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture));
        Put(data, "lastAppliedTime", status.LastAppliedTime?.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture));
        return ConfigMapObjects.Of(ConfigMapName(status.Environment, shard), @namespace, labels, data);
    }

    internal static EnvironmentStatus FromConfigMap(string environment, JsonObject configMap)
    {
        var data = configMap["data"] as JsonObject ?? new JsonObject();
        string? Get(string key) => data[key]?.GetValue<string>();
        DateTimeOffset? Time(string key) =>
            DateTimeOffset.TryParse(Get(key), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
        return new EnvironmentStatus
        {
            Environment = environment,
            LastAppliedCommit = Get("lastAppliedCommit"),
            LastAttemptedCommit = Get("lastAttemptedCommit"),
            Outcome = Get("outcome") ?? "Unknown",
            Message = Get("message"),
            DiagnosticsSummary = Get("diagnostics"),
            PlanSummary = Get("plan"),
            RolloutSummary = Get("rollouts"),
            Held = Get("held"),
            Training = Get("training"),
            Experiments = Get("experiments"),
            Retraining = Get("retraining"),
            LastAttemptTime = Time("lastAttemptTime"),
            LastAppliedTime = Time("lastAppliedTime"),
            ResourceVersion = configMap["metadata"]?["resourceVersion"]?.GetValue<string>(),
        };
    }

    private static void Put(JsonObject data, string key, string? value)
    {
        if (value is not null)
        {
            data[key] = value;
        }
    }

    private static string? Truncate(string? text) =>
        text is null || text.Length <= MaxFieldLength ? text : text[..MaxFieldLength] + "\n… (truncated)";
}
