using GitOps.Planning.Cluster;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>REST paths of namespaced resources: <c>api/v1/...</c> for the core group, <c>apis/group/version/...</c> otherwise.</summary>
public static class KubernetesPaths
{
    public static string Collection(string apiVersion, string plural, string @namespace)
    {
        var prefix = apiVersion.Contains('/') ? $"apis/{apiVersion}" : $"api/{apiVersion}";
        return $"{prefix}/namespaces/{Uri.EscapeDataString(@namespace)}/{plural}";
    }

    public static string Collection(ManagedKind kind, string @namespace) => Collection(kind.ApiVersion, kind.Plural, @namespace);

    public static string Item(ManagedKind kind, string @namespace, string name) =>
        $"{Collection(kind, @namespace)}/{Uri.EscapeDataString(name)}";

    public static string Item(string apiVersion, string plural, string @namespace, string name) =>
        $"{Collection(apiVersion, plural, @namespace)}/{Uri.EscapeDataString(name)}";
}
