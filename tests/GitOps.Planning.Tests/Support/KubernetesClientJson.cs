using System.Text.Json;
using k8s;

namespace GitOps.Planning.Tests.Support;

/// <summary>KubernetesClient's own serializer options (camelCase, nulls left out, its quantity and int-or-string converters).</summary>
internal static class KubernetesClientJson
{
    public static readonly JsonSerializerOptions Options = Capture();

    private static JsonSerializerOptions Capture()
    {
        JsonSerializerOptions? captured = null;
        KubernetesJson.AddJsonOptions(o => captured = o);
        return captured ?? throw new InvalidOperationException("KubernetesClient did not expose its JSON options");
    }
}
