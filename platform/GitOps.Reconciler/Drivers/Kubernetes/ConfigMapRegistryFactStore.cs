using System.Text.Json.Nodes;
using GitOps.Reconciler.Registry;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// Keeps each environment's registry facts in a ConfigMap <c>gitops-registry-&lt;env&gt;</c> (key <c>facts.json</c>)
/// next to the status ConfigMaps, written with resourceVersion preconditions. Like the status it carries no
/// managed-object labels: it is never part of a plan and never pruned.
/// </summary>
public sealed class ConfigMapRegistryFactStore(KubernetesApiConnection api, string @namespace) : IRegistryFactStore
{
    public const string NamePrefix = "gitops-registry-";
    public const string DataKey = "facts.json";
    public const string RegistryOfLabel = "ml.gitops/registry-of";

    public static string ConfigMapName(string environment) => NamePrefix + environment;

    public async Task<StoredFacts?> ReadAsync(string environment, CancellationToken ct)
    {
        var name = ConfigMapName(environment);
        var response = await api.SendAsync(HttpMethod.Get, KubernetesPaths.Item("v1", "configmaps", @namespace, name), null, null, ct);
        if (response.StatusCode == 404)
        {
            return null;
        }
        if (!response.IsSuccess || response.Body is not { } body)
        {
            throw Failure("get", name, response);
        }
        var text = body["data"]?[DataKey]?.GetValue<string>() ?? "";
        return new StoredFacts(DurableFacts.FromText(text), text, body["metadata"]?["resourceVersion"]?.GetValue<string>());
    }

    public async Task<bool> SaveAsync(string environment, string text, string? resourceVersion, CancellationToken ct)
    {
        var name = ConfigMapName(environment);
        var body = ConfigMapObjects.Of(name, @namespace,
            new JsonObject { ["app.kubernetes.io/managed-by"] = "gitops-reconciler", [RegistryOfLabel] = environment },
            new JsonObject { [DataKey] = text }, resourceVersion);
        var response = resourceVersion is null
            ? await api.SendAsync(HttpMethod.Post, KubernetesPaths.Collection("v1", "configmaps", @namespace), body, "application/json", ct)
            : await api.SendAsync(HttpMethod.Put, KubernetesPaths.Item("v1", "configmaps", @namespace, name), body, "application/json", ct);
        if (response.IsSuccess)
        {
            return true;
        }
        if (response.StatusCode is 409 || response.StatusCode is 404 && resourceVersion is not null)
        {
            return false;
        }
        throw Failure(resourceVersion is null ? "create" : "update", name, response);
    }

    private KubernetesApiException Failure(string verb, string name, KubernetesResponse response) =>
        ApiRefusal.Failure(new ApiTarget(verb, "v1", "configmaps", @namespace, "ConfigMap", name), response, ApiRefusal.StateGrant);
}
