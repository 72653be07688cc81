using System.Text.Json.Nodes;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>The ConfigMaps the reconciler writes for itself (status, registry facts, push relay): one shape.</summary>
internal static class ConfigMapObjects
{
    /// <summary>ConfigMap <paramref name="name"/> with <paramref name="labels"/> and <paramref name="data"/>; with
    /// <paramref name="resourceVersion"/> an update that the server refuses (409) if the object changed since it was read.</summary>
    public static JsonObject Of(string name, string @namespace, JsonObject labels, JsonObject data, string? resourceVersion = null)
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = @namespace, ["labels"] = labels };
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = metadata, ["data"] = data };
    }
}
