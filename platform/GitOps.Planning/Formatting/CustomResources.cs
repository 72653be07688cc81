using k8s;
using k8s.Models;

namespace GitOps.Planning.Formatting;

/// <summary>
/// Typed forms of the routing objects KubernetesClient has no model for, so rendered manifests load back through
/// <c>KubernetesYaml.LoadAllFromString(text, CustomResources.TypeMap)</c> into typed objects.
/// </summary>
public static class CustomResources
{
    public static readonly IDictionary<string, Type> TypeMap = new Dictionary<string, Type>
    {
        ["gateway.networking.k8s.io/v1/HTTPRoute"] = typeof(HttpRouteResource),
        ["gateway.networking.k8s.io/v1/GRPCRoute"] = typeof(GrpcRouteResource),
        ["networking.istio.io/v1/VirtualService"] = typeof(VirtualServiceResource),
        ["monitoring.coreos.com/v1/PrometheusRule"] = typeof(PrometheusRuleResource),
    };
}

/// <summary>A Gateway API <c>HTTPRoute</c>; the spec is kept as plain data.</summary>
public sealed class HttpRouteResource : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "gateway.networking.k8s.io/v1";
    public string Kind { get; set; } = "HTTPRoute";
    public V1ObjectMeta Metadata { get; set; } = new();
    public Dictionary<string, object?> Spec { get; set; } = [];
}

/// <summary>A Gateway API <c>GRPCRoute</c>; the spec is kept as plain data.</summary>
public sealed class GrpcRouteResource : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "gateway.networking.k8s.io/v1";
    public string Kind { get; set; } = "GRPCRoute";
    public V1ObjectMeta Metadata { get; set; } = new();
    public Dictionary<string, object?> Spec { get; set; } = [];
}

/// <summary>An Istio <c>VirtualService</c>; the spec is kept as plain data.</summary>
public sealed class VirtualServiceResource : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "networking.istio.io/v1";
    public string Kind { get; set; } = "VirtualService";
    public V1ObjectMeta Metadata { get; set; } = new();
    public Dictionary<string, object?> Spec { get; set; } = [];
}

/// <summary>A Prometheus operator <c>PrometheusRule</c>; the spec (rule groups) is kept as plain data.</summary>
public sealed class PrometheusRuleResource : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "monitoring.coreos.com/v1";
    public string Kind { get; set; } = "PrometheusRule";
    public V1ObjectMeta Metadata { get; set; } = new();
    public Dictionary<string, object?> Spec { get; set; } = [];
}
