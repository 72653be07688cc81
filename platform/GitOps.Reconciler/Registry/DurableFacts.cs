using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.Retraining;

namespace GitOps.Reconciler.Registry;

/// <summary>
/// The registry facts that must outlive the objects they were first seen on, and how they combine with what the
/// cluster shows (pure). Trained versions only accumulate; an environment's stable version is the one its stable
/// Deployment serves, or the one last seen when that Deployment is gone (deleted by hand: it is recreated, not
/// retrained). A canary is a rollout in progress and is always read from the cluster, never kept.
/// </summary>
public static class DurableFacts
{
    /// <summary>What the cluster shows, completed by what was stored: observed stable versions win.</summary>
    public static RegistryFacts Combine(RegistryFacts stored, RegistryFacts observed)
    {
        var models = observed.Models;
        foreach (var (name, kept) in stored.Models)
        {
            var seen = observed.For(name);
            var environments = seen.Environments;
            foreach (var (environment, deployment) in kept.Environments)
            {
                var now = seen.In(environment);
                if (now.StableVersion is null && deployment.StableVersion is not null)
                {
                    environments = environments.SetItem(environment, now with { StableVersion = deployment.StableVersion });
                }
            }
            models = models.SetItem(name, new ModelFacts(seen.TrainedVersions.Union(kept.TrainedVersions), environments));
        }
        return new RegistryFacts(models) { Retrains = stored.Retrains.SetItems(observed.Retrains) };
    }

    /// <summary>The stored form: <c>{"models":{"fraud":{"trained":["v1"],"stable":{"prod":"v1"}}}}</c>, keys sorted,
    /// so equal facts are equal text; each model's last retrain generation, if any, under <c>"retrain"</c>.</summary>
    public static string ToText(RegistryFacts facts)
    {
        var models = new JsonObject();
        foreach (var (name, model) in facts.Models)
        {
            var stable = new JsonObject();
            foreach (var (environment, deployment) in model.Environments)
            {
                if (deployment.StableVersion is { } version)
                {
                    stable[environment] = version;
                }
            }
            if (model.TrainedVersions.IsEmpty && stable.Count == 0)
            {
                continue;
            }
            models[name] = new JsonObject
            {
                ["trained"] = new JsonArray([.. model.TrainedVersions.Select(v => (JsonNode)JsonValue.Create(v))]),
                ["stable"] = stable,
            };
        }
        var root = new JsonObject { ["models"] = models };
        if (!facts.Retrains.IsEmpty)
        {
            root["retrain"] = new JsonObject(facts.Retrains.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)RetrainJson.ToJson(r.Value))));
        }
        return root.ToJsonString();
    }

    /// <summary>Reads <see cref="ToText"/>'s form; unreadable text reads as no facts (they are learnt again from the cluster).</summary>
    public static RegistryFacts FromText(string text)
    {
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return RegistryFacts.Empty;
        }
        var facts = RegistryFacts.Empty;
        foreach (var (name, node) in root?["models"] as JsonObject ?? [])
        {
            foreach (var version in (node?["trained"] as JsonArray ?? []).OfType<JsonValue>())
            {
                if (version.TryGetValue<string>(out var v))
                {
                    facts = facts.WithTrained(name, v);
                }
            }
            foreach (var (environment, stable) in node?["stable"] as JsonObject ?? [])
            {
                if (stable is JsonValue value && value.TryGetValue<string>(out var v))
                {
                    facts = facts.WithDeployment(name, environment, new DeploymentFacts(v, null));
                }
            }
        }
        foreach (var (name, node) in root?["retrain"] as JsonObject ?? [])
        {
            if (node is JsonObject generation && RetrainJson.FromJson(generation) is { } g)
            {
                facts = facts.WithRetrain(name, g);
            }
        }
        return facts;
    }
}
