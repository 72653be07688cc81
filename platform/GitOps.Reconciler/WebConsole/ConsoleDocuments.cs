using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Monitoring;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.Analysis;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Rollouts;
using GitOps.Specs.Contracts;

namespace GitOps.Reconciler.WebConsole;

/// <summary>
/// The documents of the console's JSON API, read from <see cref="ConsoleSources"/> on each request: environments
/// with their models (what <c>gitops status</c> shows, completed by the registry facts and the rollouts), an
/// environment's rollouts (what <c>gitops rollout status -o json</c> prints) and its drift per feature (from its Prometheus).
/// </summary>
public sealed class ConsoleDocuments(ConsoleSources sources, Func<Uri, PrometheusClient> prometheus, TimeProvider time)
{
    /// <summary><c>/console/api/environments</c>.</summary>
    public async Task<JsonObject> EnvironmentsAsync(CancellationToken ct)
    {
        var environments = new JsonArray();
        foreach (var env in sources.Environments())
        {
            environments.Add(await EnvironmentAsync(env, ct));
        }
        return new JsonObject
        {
            ["generatedAt"] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
            ["environments"] = environments,
        };
    }

    /// <summary><c>/console/api/environments/{env}/rollouts</c>; null when the environment is not served.</summary>
    public async Task<JsonObject?> RolloutsAsync(string environment, CancellationToken ct)
    {
        if (Find(environment) is not { } env)
        {
            return null;
        }
        var specs = sources.Specs();
        var rollouts = sources.Rollouts is { } store ? await store.ListAsync(new RolloutScope(env.Name, env.Namespace), ct) : [];
        var document = RolloutStatusJson.ToJson(rollouts.Select(r => (r, specs is null ? null : RolloutPolicies.Of(specs, r.Model, env.Name))));
        document["environment"] = env.Name;
        return document;
    }

    /// <summary><c>/console/api/environments/{env}/drift</c>; null when the environment is not served.</summary>
    public async Task<JsonObject?> DriftAsync(string environment, CancellationToken ct)
    {
        if (Find(environment) is not { } env)
        {
            return null;
        }
        var prometheusUrl = env.Prometheus;
        var document = new JsonObject
        {
            ["environment"] = env.Name,
            ["prometheus"] = prometheusUrl?.ToString(),
        };
        if (prometheusUrl is null)
        {
            document["problem"] = $"no Prometheus configured for environment {env.Name}: set spec.prometheus.url of the environment to see drift per feature";
            document["features"] = new JsonArray();
            return document;
        }
        var query = $"max by (model, version, feature) ({PromQl.Select(MonitoringMetrics.FeatureDriftPsi, PromQl.Eq("namespace", env.Namespace))})";
        var answer = await prometheus(prometheusUrl).QueryVectorAsync(query, time.GetUtcNow(), ct);
        document["query"] = query;
        document["problem"] = answer.Error;
        var specs = sources.Specs();
        document["features"] = new JsonArray([.. answer.Series
            .Select(s => (Model: s.Labels.GetValueOrDefault("model", ""), Version: s.Labels.GetValueOrDefault("version", ""),
                Feature: s.Labels.GetValueOrDefault("feature", ""), s.Value))
            .OrderBy(s => s.Model, StringComparer.Ordinal).ThenBy(s => s.Version, StringComparer.Ordinal).ThenBy(s => s.Feature, StringComparer.Ordinal)
            .Select(s =>
            {
                var limits = specs?.Model(s.Model)?.Spec.Monitoring?.Drift;
                double? threshold = limits is null ? null : limits.Features.TryGetValue(s.Feature, out var own) ? own : limits.Threshold;
                return (JsonNode)new JsonObject
                {
                    ["model"] = s.Model,
                    ["version"] = s.Version,
                    ["feature"] = s.Feature,
                    ["psi"] = Number(s.Value),
                    ["threshold"] = threshold,
                    ["over"] = threshold is { } t && s.Value > t,
                };
            })]);
        return document;
    }

    private ConsoleEnvironment? Find(string name) => sources.Environments().FirstOrDefault(e => e.Name == name);

    private async Task<(EnvironmentStatusView? View, string? Problem)> ReadViewAsync(ConsoleEnvironment env, CancellationToken ct)
    {
        try
        {
            return (await sources.Status(env.Name, ct), null);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or JsonException or InvalidOperationException)
        {
            return (null, $"cannot read the status of environment {env.Name}: {e.Message}");
        }
    }

    private async Task<JsonObject> EnvironmentAsync(ConsoleEnvironment env, CancellationToken ct)
    {
        var (view, problem) = await ReadViewAsync(env, ct);
        var facts = sources.Facts is { } store ? (await store.ReadAsync(env.Name, ct))?.Facts ?? RegistryFacts.Empty : RegistryFacts.Empty;
        var rollouts = sources.Rollouts is { } rolloutStore
            ? (await rolloutStore.ListAsync(new RolloutScope(env.Name, env.Namespace), ct)).ToDictionary(r => r.Model, StringComparer.Ordinal)
            : [];
        var shown = view?.Models.ToDictionary(m => m.Model, StringComparer.Ordinal) ?? [];
        // A Kubernetes environment's status names only models with a problem: the registry facts and the rollouts
        // name the others.
        var names = shown.Keys.Union(facts.Models.Keys).Union(rollouts.Keys).Order(StringComparer.Ordinal);
        var models = new JsonArray();
        foreach (var name in names)
        {
            var model = shown.GetValueOrDefault(name);
            var known = facts.For(name);
            var state = rollouts.GetValueOrDefault(name)?.State;
            models.Add(new JsonObject
            {
                ["model"] = name,
                ["serving"] = state?.Stable ?? model?.Version ?? known.In(env.Name).StableVersion,
                ["canary"] = state?.Canary,
                ["weight"] = state?.Canary is null ? null : state.Weight,
                ["phase"] = state is null ? null : JsonNamingPolicy.CamelCase.ConvertName(state.Phase.ToString()),
                ["trained"] = new JsonArray([.. known.TrainedVersions.Select(v => (JsonNode)JsonValue.Create(v))]),
                ["training"] = model?.Training,
                ["readyReplicas"] = model?.ReadyReplicas,
                ["desiredReplicas"] = model?.DesiredReplicas,
                ["url"] = model?.Url,
                ["problem"] = model?.Problem,
                ["held"] = model?.Held,
            });
        }
        return new JsonObject
        {
            ["name"] = env.Name,
            ["namespace"] = env.Namespace,
            ["outcome"] = view?.Outcome ?? "Unknown",
            ["commit"] = view?.Commit,
            ["message"] = view?.Message ?? problem,
            ["prometheus"] = env.Prometheus?.ToString() ?? view?.Prometheus,
            ["prometheusProblem"] = view?.PrometheusProblem,
            ["experiments"] = new JsonArray([.. (view?.Experiments ?? []).Select(x => (JsonNode)JsonValue.Create(x))]),
            ["models"] = models,
        };
    }

    private static JsonNode? Number(double value) =>
        double.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));
}
