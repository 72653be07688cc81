using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Monitoring;
using GitOps.Planning.Monitoring.Dashboards;
using GitOps.Planning.Security;
using GitOps.Rollouts.Persistence;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Planning.Rendering;

/// <summary>
/// Renders the desired Kubernetes objects of one environment from the specs of a commit and the registry facts.
/// Pure: no I/O, no clock. Same input, same output, byte for byte (objects are canonical JSON, sorted by key).
/// </summary>
public static class Renderer
{
    public static RenderResult Render(SpecSet specs, string environment, RegistryFacts facts, RenderContext context)
    {
        if (specs.Environment(environment) is not { } env)
        {
            return UnknownEnvironment(specs, environment);
        }
        var served = Served(specs, environment);
        var units = new ModelUnit[served.Count];
        // Models render independently; results are collected by index, so the output order never depends on scheduling.
        Parallel.For(0, served.Count, Plans.Parallelism.For(served.Count), i => units[i] = RenderModel(env, ModelInputs.Of(specs, env, served[i]), facts, context));
        var objects = new List<JsonObject>();
        var models = ImmutableArray.CreateBuilder<RenderedModel>();
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var unit in units)
        {
            objects.AddRange(unit.Objects);
            if (unit.Model is not null)
            {
                models.Add(unit.Model);
            }
            diagnostics.AddRange(unit.Diagnostics);
        }
        objects.AddRange(EnvironmentObjects(specs, env, context));
        var sorted = objects
            .Select(o => (Key: ObjectKeys.Of(o), Object: o))
            .OrderBy(p => p.Key)
            .ToList();
        diagnostics.AddRange(Collisions(sorted.Select(p => p.Key), environment));
        return new RenderResult(environment, env.Spec.Namespace, [.. sorted.Select(p => p.Object)], models.ToImmutable(),
            diagnostics.ToImmutable(), new RenderStats(served.Count, 0));
    }

    /// <summary>The objects of one model with what was decided for it and its pod-security findings.</summary>
    internal sealed record ModelUnit(ImmutableArray<JsonObject> Objects, RenderedModel? Model, ImmutableArray<Diagnostic> Diagnostics);

    internal static RenderResult UnknownEnvironment(SpecSet specs, string environment)
    {
        var known = string.Join(", ", specs.Environments.Select(e => e.Name));
        return new RenderResult(environment, "", [], [],
            [new Diagnostic(PlanningDiagnostics.UnknownEnvironment, Severity.Error, SourceSpan.StartOf("environments"),
                $"environment '{environment}' is not defined",
                known.Length == 0 ? "add environments/<name>/environment.yaml" : $"known environments: {known}")],
            new RenderStats(0, 0));
    }

    /// <summary>The models served in <paramref name="environment"/>, in the order of the spec set.</summary>
    internal static List<ModelSpec> Served(SpecSet specs, string environment) =>
        specs.Models.Where(m => m.Spec.Environments.Contains(environment)).ToList();

    /// <summary>What one model is rendered from in one environment: its spec, the spec with the environment's
    /// overrides applied, and its rollout policy. Worked out once per model and pass, for its hash and its render.</summary>
    internal sealed record ModelInputs(ModelSpec Model, EffectiveModel Effective, RolloutPolicySpec? Policy)
    {
        public static ModelInputs Of(SpecSet specs, EnvironmentSpec env, ModelSpec model)
        {
            var effective = EffectiveModel.Of(model, env.Name);
            return new ModelInputs(model, effective, effective.Rollout is null ? null : specs.RolloutPolicy(effective.Rollout));
        }
    }

    internal static ModelUnit RenderModel(EnvironmentSpec env, ModelInputs inputs, RegistryFacts facts, RenderContext context)
    {
        var model = inputs.Model;
        var result = new ModelRenderer(env, context.Commit).Render(model, inputs.Effective, inputs.Policy, facts.For(model.Name));
        return new ModelUnit(result.Objects, result.Model, [.. PodSecurityFindings.Of(result.Objects, env, model)]);
    }

    /// <summary>
    /// The hash of everything one model's objects depend on but the commit (whose annotation planning ignores): the
    /// model spec, the environment spec, the model's registry facts, its rollout policy and rollout state.
    /// </summary>
    internal static string InputHash(RenderCache cache, EnvironmentSpec env, ModelInputs inputs, RegistryFacts facts)
    {
        var (model, _, policy) = inputs;
        var modelFacts = facts.For(model.Name);
        var rollout = modelFacts.In(env.Name).Rollout;
        var text = string.Concat(
            model.Name, "\n",
            cache.HashOf(model.Spec), "\n",
            cache.HashOf(env.Spec), "\n",
            JsonSerializer.Serialize(modelFacts, SpecJson.Options), "\n",
            policy is null ? "" : cache.HashOf(policy.Spec), "\n",
            rollout is null ? "" : RolloutStateJson.Serialize(rollout));
        return CanonicalJson.Sha256Hex(text);
    }

    /// <summary>Objects rendered beside the models: the default-deny network policy, alert rules and dashboards (the
    /// platform's, and one of each per model, labelled with it). The ones that belong to no model only when
    /// <see cref="RenderContext.Shard"/> owns them.</summary>
    internal static List<JsonObject> EnvironmentObjects(SpecSet specs, EnvironmentSpec env, RenderContext context)
    {
        var objects = new List<JsonObject>();
        var renderer = new ModelRenderer(env, context.Commit);
        var platform = context.Shard.OwnsEnvironmentWide;
        if (platform && env.Spec.NetworkPolicy is { DefaultDeny: true })
        {
            objects.Add(renderer.EnvironmentObject(ManagedKinds.NetworkPolicy, NetworkPolicies.DefaultDenyName, NetworkPolicies.DefaultDeny()));
        }
        if (env.Spec.Prometheus is { Rules: true })
        {
            objects.AddRange(AlertRuleSet.ByModel(specs, env, leaderElection: env.Spec.Cluster.Local is null, platform)
                .Select(g => renderer.EnvironmentObject(ManagedKinds.PrometheusRule, g.Group.Name, AlertRuleSet.ToJson([g.Group]), g.Model)));
        }
        if (env.Spec.Grafana is { Dashboards: true } grafana)
        {
            objects.AddRange(DashboardSet.ByModel(specs, env, leaderElection: env.Spec.Cluster.Local is null, platform)
                .Select(d => renderer.DashboardConfigMap(d.Dashboard, grafana.Folder, d.Model)));
        }
        return objects;
    }

    /// <summary>An error for every object two models render under the same key; <paramref name="sorted"/> is in key order.</summary>
    internal static IEnumerable<Diagnostic> Collisions(IEnumerable<ResourceKey> sorted, string environment)
    {
        ResourceKey? previous = null;
        foreach (var key in sorted)
        {
            if (key == previous)
            {
                yield return new Diagnostic(PlanningDiagnostics.NameCollision, Severity.Error, SourceSpan.StartOf("models"),
                    $"two models render the same object {key} in environment '{environment}'", "rename one of the models");
            }
            previous = key;
        }
    }
}

/// <summary>Serializer settings used only to hash spec records (never to produce output).</summary>
internal static class SpecJson
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = false };
}

/// <summary>Identity of an object in its JSON form.</summary>
public static class ObjectKeys
{
    public static ResourceKey Of(JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject;
        return new ResourceKey(
            Text(obj["apiVersion"]) ?? "",
            Text(obj["kind"]) ?? "",
            Text(meta?["namespace"]),
            Text(meta?["name"]) ?? "");
    }

    public static string? Label(JsonObject obj, string label) => Text(obj["metadata"]?["labels"]?[label]);

    public static string? Annotation(JsonObject obj, string annotation) => Text(obj["metadata"]?["annotations"]?[annotation]);

    /// <summary>A scalar's text (a string as it is, anything else in its JSON form), or null when absent.</summary>
    internal static string? Text(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToString();
}
