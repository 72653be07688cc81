using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Lifecycle;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>Lists the training pods of an environment (the Job template's labels: managed-by, environment, track
/// <c>training</c>) with one request. Needs <c>get</c>/<c>list</c> on <c>pods</c>.</summary>
public sealed class KubernetesTrainingPods(KubernetesApiConnection api) : ITrainingPods
{
    public async Task<IReadOnlyList<JsonObject>> ReadAsync(string environment, string @namespace, CancellationToken ct)
    {
        var selector = $"{KubernetesClusterDriver.ManagedSelector(environment)},{ManagedLabels.Track}={ManagedLabels.TrainingTrack}";
        var path = $"{KubernetesPaths.Collection("v1", "pods", @namespace)}?labelSelector={Uri.EscapeDataString(selector)}";
        var response = await api.SendAsync(HttpMethod.Get, path, null, null, ct);
        if (!response.IsSuccess)
        {
            throw ApiRefusal.Failure(new ApiTarget("list", "v1", "pods", @namespace, "Pod", null), response);
        }
        return [.. (response.Body?["items"] as JsonArray ?? []).OfType<JsonObject>()];
    }
}
