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
    public static RenderResult Render(SpecSet specs, string environment, RegistryFacts facts, RenderContext context,
        RenderCache? cache = null)
    {
        var env = specs.Environment(environment);
        if (env is null)
        {
            var known = string.Join(", ", specs.Environments.Select(e => e.Name));
            return new RenderResult(environment, "", [], [],
                [new Diagnostic(PlanningDiagnostics.UnknownEnvironment, Severity.Error, SourceSpan.StartOf("environments"),
                    $"environment '{environment}' is not defined",
                    known.Length == 0 ? "add environments/<name>/environment.yaml" : $"known environments: {known}")],
                new RenderStats(0, 0));
        }

        // Only the cache keys need it: without a cache, a cold process skips setting up the serializer for the spec
        // records (about 0.1 s the first time); with one, the environment's record is hashed once like every other.
        var envHash = cache is null ? "" : cache.HashOf(env.Spec);
        var objects = new List<JsonObject>();
        var models = ImmutableArray.CreateBuilder<RenderedModel>();
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var served = specs.Models.Where(m => m.Spec.Environments.Contains(environment)).ToList();
        var entries = new RenderCache.Entry[served.Count];
        var reusedFlags = new bool[served.Count];
        // Models render independently; results are collected by index, so the output order never depends on scheduling.
        Parallel.For(0, served.Count, Plans.Parallelism.For(served.Count), i =>
        {
            var model = served[i];
            var effective = EffectiveModel.Of(model, environment);
            var policy = effective.Rollout is null ? null : specs.RolloutPolicy(effective.Rollout);
            var modelFacts = facts.For(model.Name);
            var inputHash = cache is null ? "" : InputHash(cache, model, envHash, modelFacts, policy, environment);
            if (cache is not null && cache.TryGet(environment, model.Name, inputHash, out var hit))
            {
                reusedFlags[i] = true;
                var entry = hit.Commit == context.Commit ? hit : Restamp(hit, context.Commit);
                if (!ReferenceEquals(entry, hit))
                {
                    cache.Put(environment, model.Name, entry);
                }
                entries[i] = entry;
                return;
            }
            var result = new ModelRenderer(env, context.Commit).Render(model, effective, policy, modelFacts);
            var findings = PodSecurityFindings.Of(result.Objects, env, model).ToImmutableArray();
            entries[i] = new RenderCache.Entry(inputHash, context.Commit, result.Objects, result.Model, findings);
            cache?.Put(environment, model.Name, entries[i]);
        });
        foreach (var entry in entries)
        {
            objects.AddRange(entry.Objects);
            if (entry.Model is not null)
            {
                models.Add(entry.Model);
            }
            diagnostics.AddRange(entry.Diagnostics);
        }
        if (env.Spec.NetworkPolicy is { DefaultDeny: true })
        {
            objects.Add(new ModelRenderer(env, context.Commit).EnvironmentObject(ManagedKinds.NetworkPolicy,
                NetworkPolicies.DefaultDenyName, NetworkPolicies.DefaultDeny()));
        }
        if (env.Spec.Prometheus is { Rules: true })
        {
            // Alert rules are cheap to build and span the environment, so they are rendered outside the model cache.
            var renderer = new ModelRenderer(env, context.Commit);
            objects.AddRange(AlertRuleSet.For(specs, env, leaderElection: env.Spec.Cluster.Local is null)
                .Select(g => renderer.EnvironmentObject(ManagedKinds.PrometheusRule, g.Name, AlertRuleSet.ToJson([g]))));
        }
        if (env.Spec.Grafana is { Dashboards: true } grafana)
        {
            var renderer = new ModelRenderer(env, context.Commit);
            objects.AddRange(DashboardSet.For(specs, env, leaderElection: env.Spec.Cluster.Local is null)
                .Select(d => renderer.DashboardConfigMap(d, grafana.Folder)));
        }
        var reused = reusedFlags.Count(r => r);
        var rendered = served.Count - reused;

        var sorted = objects
            .Select(o => (Key: ObjectKeys.Of(o), Object: o))
            .OrderBy(p => p.Key)
            .ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Key == sorted[i - 1].Key)
            {
                diagnostics.Add(new Diagnostic(PlanningDiagnostics.NameCollision, Severity.Error,
                    SourceSpan.StartOf("models"),
                    $"two models render the same object {sorted[i].Key} in environment '{environment}'",
                    "rename one of the models"));
            }
        }
        return new RenderResult(environment, env.Spec.Namespace, [.. sorted.Select(p => p.Object)], models.ToImmutable(),
            diagnostics.ToImmutable(), new RenderStats(rendered, reused));
    }

    private static string InputHash(RenderCache cache, ModelSpec model, string envHash, ModelFacts facts, RolloutPolicySpec? policy, string environment)
    {
        var rollout = facts.In(environment).Rollout;
        var text = string.Concat(
            model.Name, "\n",
            cache.HashOf(model.Spec), "\n",
            envHash, "\n",
            JsonSerializer.Serialize(facts, SpecJson.Options), "\n",
            policy is null ? "" : cache.HashOf(policy.Spec), "\n",
            rollout is null ? "" : RolloutStateJson.Serialize(rollout));
        return CanonicalJson.Sha256Hex(text);
    }

    private static RenderCache.Entry Restamp(RenderCache.Entry entry, string commit)
    {
        var objects = entry.Objects.Select(o =>
        {
            var copy = (JsonObject)o.DeepClone();
            copy["metadata"]!["annotations"]![ManagedLabels.CommitAnnotation] = commit;
            return copy;
        }).ToImmutableArray();
        return entry with { Commit = commit, Objects = objects };
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
