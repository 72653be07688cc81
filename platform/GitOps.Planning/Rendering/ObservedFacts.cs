using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Specs.Kubernetes;

namespace GitOps.Planning.Rendering;

/// <summary>
/// Registry facts read back from managed objects when no registry is at hand (<c>gitops plan --live FILE</c>):
/// the version label of each stable Deployment is that environment's stable version; a canary Deployment and the
/// weight its route gives it are the rollout in progress; every served version, and every version whose training
/// Job succeeded, is trained.
/// </summary>
public static class ObservedFacts
{
    public static RegistryFacts From(IEnumerable<JsonObject> observed)
    {
        // Labels are read once per object, and facts are gathered in mutable builders: tens of thousands of live
        // objects would otherwise rebuild the immutable fact maps once each. No tree is kept past its own step.
        var managed = new List<ObjectFacts>();
        var weights = new Dictionary<(string Env, string Model), int>();
        // Of compactly kept objects only those that can carry a fact are read (ours, of a model, of a kind read here),
        // and what each carries is kept with it, so an object unchanged since the last pass is not built again.
        var read = observed is ObservedObjects compact
            ? compact.Items
                .Where(o => o.ManagedBy == ManagedLabels.ManagedByValue && o.Environment is not null && o.Model is not null
                            && o.Key.Kind is "Job" or "Deployment" or "HTTPRoute" or "VirtualService")
                .Select(o => o.Read(ReadFacts))
            : observed.Select(ReadFacts);
        foreach (var f in read.OfType<ObjectFacts>())
        {
            managed.Add(f);
            if (f.Weight is { } weight)
            {
                weights[(f.Env, f.Model)] = weight;
            }
        }
        var models = new Dictionary<string, (ImmutableSortedSet<string>.Builder Trained, Dictionary<string, DeploymentFacts> Environments)>();
        foreach (var (kind, env, model, version, track, trainedJob, _) in managed)
        {
            if (version is null || !trainedJob && kind != "Deployment")
            {
                continue;
            }
            if (!models.TryGetValue(model, out var facts))
            {
                facts = (ModelFacts.None.TrainedVersions.ToBuilder(), new Dictionary<string, DeploymentFacts>());
                models[model] = facts;
            }
            facts.Trained.Add(version);
            if (kind != "Deployment")
            {
                continue;
            }
            var current = facts.Environments.GetValueOrDefault(env) ?? DeploymentFacts.None;
            if (track == ModelRenderer.TrackStable)
            {
                facts.Environments[env] = current with { StableVersion = version };
            }
            else if (track == ModelRenderer.TrackCanary)
            {
                facts.Environments[env] = current with { Canary = new CanaryFacts(version, weights.GetValueOrDefault((env, model))) };
            }
        }
        var result = RegistryFacts.Empty.Models.ToBuilder();
        foreach (var (model, facts) in models)
        {
            var environments = ModelFacts.None.Environments.ToBuilder();
            environments.AddRange(facts.Environments);
            result[model] = new ModelFacts(facts.Trained.ToImmutable(), environments.ToImmutable());
        }
        return new RegistryFacts(result.ToImmutable());
    }

    /// <summary>What one object says about its model, or null when it is not ours or of no model.</summary>
    private sealed record ObjectFacts(string Kind, string Env, string Model, string? Version, string? Track, bool TrainedJob, int? Weight);

    private static readonly Func<JsonObject, ObjectFacts?> ReadFacts = FactsOf;

    private static ObjectFacts? FactsOf(JsonObject o)
    {
        if (o["metadata"]?["labels"] is not JsonObject labels
            || Text(labels, ManagedLabels.ManagedBy) != ManagedLabels.ManagedByValue
            || Text(labels, ManagedLabels.Environment) is not { } env
            || Text(labels, ManagedLabels.Model) is not { } model)
        {
            return null;
        }
        var kind = o["kind"]?.ToString() ?? "";
        return new ObjectFacts(kind, env, model, Text(labels, ManagedLabels.Version), Text(labels, ManagedLabels.Track),
            kind == "Job" && JobSucceeded(o), CanaryWeight(o, kind, model));
    }

    private static string? Text(JsonObject labels, string name) => ObjectKeys.Text(labels[name]);

    /// <summary>Whether a training Job counts as trained: a pod of it succeeded (<c>status.succeeded</c> &gt; 0).</summary>
    public static bool JobSucceeded(JsonObject job) =>
        (job["status"]?["succeeded"] is JsonValue v && v.TryGetValue<long>(out var n) ? n
        : long.TryParse(job["status"]?["succeeded"]?.ToString(), out var parsed) ? parsed : 0) > 0;

    private static int? CanaryWeight(JsonObject route, string kind, string model)
    {
        if (kind is not ("HTTPRoute" or "VirtualService"))
        {
            return null;
        }
        var canary = ResourceNames.Of(model, ModelRenderer.TrackCanary);
        // The weight is the weighted rule's: a header route sends all of its requests to the canary (weight 100)
        // whatever share of the other traffic it has, so rules that match on headers are passed over.
        IEnumerable<JsonNode?> refs = kind switch
        {
            "HTTPRoute" => (route["spec"]?["rules"] as JsonArray ?? []).Where(r => !MatchesHeaders(r?["matches"]))
                .SelectMany(r => r?["backendRefs"] as JsonArray ?? []),
            "VirtualService" => (route["spec"]?["http"] as JsonArray ?? []).Where(r => !MatchesHeaders(r?["match"]))
                .SelectMany(r => r?["route"] as JsonArray ?? []),
            _ => [],
        };
        foreach (var r in refs)
        {
            var name = kind == "HTTPRoute" ? r?["name"]?.ToString() : r?["destination"]?["host"]?.ToString();
            if (name == canary && r?["weight"] is JsonValue w && int.TryParse(w.ToString(), out var weight))
            {
                return weight;
            }
        }
        return null;
    }

    private static bool MatchesHeaders(JsonNode? matches) => matches is JsonArray list && list.Any(m => m?["headers"] is not null);
}
