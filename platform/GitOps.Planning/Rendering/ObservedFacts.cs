using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;

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
        var facts = RegistryFacts.Empty;
        var managed = observed.Where(o => ObjectKeys.Label(o, ManagedLabels.ManagedBy) == ManagedLabels.ManagedByValue).ToList();
        var weights = new Dictionary<(string Env, string Model), int>();
        foreach (var o in managed)
        {
            var env = ObjectKeys.Label(o, ManagedLabels.Environment);
            var model = ObjectKeys.Label(o, ManagedLabels.Model);
            if (env is null || model is null)
            {
                continue;
            }
            var weight = CanaryWeight(o, model);
            if (weight is not null)
            {
                weights[(env, model)] = weight.Value;
            }
        }
        foreach (var o in managed)
        {
            var env = ObjectKeys.Label(o, ManagedLabels.Environment);
            var model = ObjectKeys.Label(o, ManagedLabels.Model);
            var version = ObjectKeys.Label(o, ManagedLabels.Version);
            var track = ObjectKeys.Label(o, ManagedLabels.Track);
            var kind = o["kind"]?.ToString();
            if (env is null || model is null || version is null)
            {
                continue;
            }
            if (kind == "Job" && (o["status"]?["succeeded"]?.GetValue<long>() ?? 0) > 0)
            {
                facts = facts.WithTrained(model, version);
            }
            if (kind != "Deployment")
            {
                continue;
            }
            facts = facts.WithTrained(model, version);
            var current = facts.For(model).In(env);
            facts = track switch
            {
                ModelRenderer.TrackStable => facts.WithDeployment(model, env, current with { StableVersion = version }),
                ModelRenderer.TrackCanary => facts.WithDeployment(model, env,
                    current with { Canary = new CanaryFacts(version, weights.GetValueOrDefault((env, model))) }),
                _ => facts,
            };
        }
        return facts;
    }

    private static int? CanaryWeight(JsonObject route, string model)
    {
        var canary = ResourceNames.Of(model, ModelRenderer.TrackCanary);
        var kind = route["kind"]?.ToString();
        IEnumerable<JsonNode?> refs = kind switch
        {
            "HTTPRoute" => (route["spec"]?["rules"] as JsonArray ?? []).SelectMany(r => r?["backendRefs"] as JsonArray ?? []),
            "VirtualService" => (route["spec"]?["http"] as JsonArray ?? []).SelectMany(r => r?["route"] as JsonArray ?? []),
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
}
