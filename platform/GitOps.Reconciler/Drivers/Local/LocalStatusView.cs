using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Status;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>One model of an environment as <c>gitops up</c> and <c>gitops status</c> show it.</summary>
public sealed record ModelStatusView(
    string Model,
    string? Version,
    string Training,
    int ReadyReplicas,
    int DesiredReplicas,
    string? Url,
    string? Problem,
    ImmutableArray<ModelInput> Inputs)
{
    /// <summary>A trained version that is not served and why: <c>9a75b5701b77 rejected: gates rejected: ... auc 0.81 &lt; 0.85</c>.</summary>
    public string? Held { get; init; }
}

/// <summary>An input tensor of a model, for the example request printed with its URL.</summary>
public sealed record ModelInput(string Name, string Type, ImmutableArray<long> Shape);

/// <summary>An environment, its last reconcile outcome and its models.</summary>
public sealed record EnvironmentStatusView(
    string Environment,
    string Outcome,
    string? Commit,
    string? Message,
    string? Proxy,
    string? Prometheus,
    string? PrometheusProblem,
    bool Running,
    ImmutableArray<ModelStatusView> Models)
{
    /// <summary>The file holding the bearer token the models require (<c>serving.auth</c>), for the example request;
    /// null when serving is open. A path, never the token.</summary>
    public string? TokenFile { get; init; }

    /// <summary>One line per experiment the reconciler runs in the environment (trials, best trial, candidate).</summary>
    public ImmutableArray<string> Experiments { get; init; } = [];

    /// <summary>One line per model with a retrain section: why it was retrained, why a due retrain waits, or when the
    /// next one is due.</summary>
    public ImmutableArray<string> Retraining { get; init; } = [];

    /// <summary>Every model trained, its replicas ready and reachable through its route.</summary>
    public bool AllServing => Models.Length > 0 && Models.All(m => m.Url is not null && m.DesiredReplicas > 0 && m.ReadyReplicas >= m.DesiredReplicas);
}

/// <summary>Builds <see cref="EnvironmentStatusView"/> from a local environment's objects and status (live or read from
/// the state folder), and from a Kubernetes environment's status ConfigMap.</summary>
public static class LocalStatusViews
{
    /// <summary>Where a local environment's serving token lives in <paramref name="state"/>, when it requires one.</summary>
    public static string? TokenFile(StateFolder state, GitOps.Specs.Model.EnvironmentBody spec) =>
        spec.Serving?.Auth?.SecretRef is { } secret ? Path.Combine(state.SecretsFolder, secret.Name, secret.Key) : null;

    /// <summary>What a state folder says about <paramref name="environment"/> (for <c>gitops status</c>).</summary>
    public static EnvironmentStatusView FromStateFolder(StateFolder state, string environment)
    {
        var objects = (StateFolder.ReadJson(state.ObjectsFile)?["objects"] as JsonArray ?? [])
            .OfType<JsonObject>().Select(e => e["object"]).OfType<JsonObject>().ToList();
        var status = StateFolder.ReadJson(Path.Combine(state.StatusFolder, environment + ".json")) is { } cm
            ? ConfigMapStatusStore.FromConfigMap(environment, cm) : null;
        var owner = UpLock.Owner(state);
        var running = UpLock.IsHeld(state);
        return Build(environment, objects, status, running ? owner?["proxy"]?.GetValue<string>() : null,
            running ? owner?["prometheus"]?.GetValue<string>() : null, owner?["prometheusProblem"]?.GetValue<string>(), running);
    }

    /// <summary>A Kubernetes environment: its status ConfigMap only (models are not read from the cluster here).</summary>
    public static EnvironmentStatusView FromStatus(EnvironmentStatus status) =>
        Build(status.Environment, [], status, null, null, null, running: true);

    public static EnvironmentStatusView Build(string environment, IReadOnlyList<JsonObject> objects, EnvironmentStatus? status,
        string? proxy, string? prometheus, string? prometheusProblem, bool running)
    {
        var mine = objects.Where(o => Label(o, ManagedLabels.Environment) == environment && Label(o, ManagedLabels.Model) is not null).ToList();
        var models = ImmutableArray.CreateBuilder<ModelStatusView>();
        var held = LinesByModel(status?.Held);
        var failedTraining = LinesByModel(status?.Training);
        foreach (var group in mine.GroupBy(o => Label(o, ManagedLabels.Model)!).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var deployments = group.Where(o => Kind(o) == "Deployment").ToList();
            var stable = deployments.FirstOrDefault(d => Label(d, ManagedLabels.Track) == "stable");
            var job = group.Where(o => Kind(o) == "Job").OrderByDescending(o => o["metadata"]?["creationTimestamp"]?.ToString(), StringComparer.Ordinal).FirstOrDefault();
            var training = job is null ? (stable is null ? "-" : "trained") : JobText(job);
            var version = stable is not null ? Label(stable, ManagedLabels.Version) : job is not null ? Label(job, ManagedLabels.Version) : null;
            var desired = deployments.Sum(d => Int(d["spec"]?["replicas"]) ?? 1);
            var ready = deployments.Sum(d => Int(d["status"]?["readyReplicas"]) ?? 0);
            var route = group.Any(o => Kind(o) == "HTTPRoute");
            string? problem = null;
            if (job is not null && Condition(job, "Failed") is { } failed)
            {
                problem = failed["message"]?.GetValue<string>();
            }
            foreach (var d in deployments)
            {
                if (Condition(d, "Available") is { } available && available["status"]?.GetValue<string>() == "False"
                    && available["reason"]?.GetValue<string>() == "CrashLoopBackOff")
                {
                    problem = available["message"]?.GetValue<string>();
                }
            }
            problem ??= failedTraining.GetValueOrDefault(group.Key);
            var url = route && proxy is not null ? $"{proxy.TrimEnd('/')}/v2/models/{group.Key}/infer" : null;
            models.Add(new ModelStatusView(group.Key, version, training, ready, desired, url, problem, Inputs(group)) { Held = held.GetValueOrDefault(group.Key) });
        }
        // A Kubernetes environment's status names models only through these lines.
        foreach (var model in held.Keys.Union(failedTraining.Keys).Where(k => models.All(m => m.Model != k)).Order(StringComparer.Ordinal))
        {
            models.Add(new ModelStatusView(model, null, failedTraining.ContainsKey(model) ? "failed" : "-", 0, 0, null, failedTraining.GetValueOrDefault(model), [])
            {
                Held = held.GetValueOrDefault(model),
            });
        }
        return new EnvironmentStatusView(environment, status?.Outcome ?? "Pending", status?.LastAttemptedCommit, status?.Message,
            proxy, prometheus, prometheusProblem, running, models.ToImmutable())
        {
            Experiments = [.. (status?.Experiments ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)],
            Retraining = [.. (status?.Retraining ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)],
        };
    }

    /// <summary>Status lines of the form <c>MODEL VERSION STATE: REASON</c> (held versions, training runs) by model,
    /// without the model name.</summary>
    private static Dictionary<string, string> LinesByModel(string? lines)
    {
        var byModel = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in (lines ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0)
            {
                byModel[line[..space]] = line[(space + 1)..];
            }
        }
        return byModel;
    }

    private static string JobText(JsonObject job)
    {
        var status = job["status"] as JsonObject;
        if (Condition(job, "Complete") is not null)
        {
            return "trained";
        }
        if (Condition(job, "Failed") is { } failed)
        {
            return $"failed ({failed["reason"]?.GetValue<string>()})";
        }
        var attempt = (Int(status?["failed"]) ?? 0) + 1;
        var since = status?["startTime"]?.GetValue<string>() is { } start
                    && DateTimeOffset.TryParse(start, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? $" since {t.UtcDateTime:HH:mm:ss}" : "";
        var step = status?[TrainingJobs.ProgressField]?.GetValue<string>() is { Length: > 0 } p ? " " + p : "";
        return (Int(status?["active"]) ?? 0) > 0 ? $"training{step} (attempt {attempt}{since})" : attempt > 1 ? $"retrying (attempt {attempt})" : "pending";
    }

    private static ImmutableArray<ModelInput> Inputs(IEnumerable<JsonObject> objects)
    {
        var config = objects.FirstOrDefault(o => Kind(o) == "ConfigMap")?["data"]?["model.json"]?.GetValue<string>();
        if (config is null)
        {
            return [];
        }
        try
        {
            return [.. (JsonNode.Parse(config)?["inputs"] as JsonArray ?? []).OfType<JsonObject>().Select(i => new ModelInput(
                i["name"]?.GetValue<string>() ?? "",
                i["type"]?.GetValue<string>() ?? "float32",
                [.. (i["shape"] as JsonArray ?? []).Select(s => s is JsonValue v && v.TryGetValue<long>(out var n) ? n : -1)]))];
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }

    private static JsonObject? Condition(JsonObject obj, string type) =>
        (obj["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
        .FirstOrDefault(c => c["type"]?.GetValue<string>() == type && (type == "Available" || c["status"]?.GetValue<string>() == "True"));

    private static string? Label(JsonObject o, string name) => o["metadata"]?["labels"]?[name]?.GetValue<string>();

    private static string Kind(JsonObject o) => o["kind"]?.GetValue<string>() ?? "";

    private static int? Int(JsonNode? node) =>
        node is JsonValue v ? v.TryGetValue<int>(out var i) ? i : v.TryGetValue<long>(out var l) ? (int)l : null : null;
}
