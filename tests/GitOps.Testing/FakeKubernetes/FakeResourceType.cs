using GitOps.Planning.Cluster;

namespace GitOps.Testing.FakeKubernetes;

/// <summary>A REST resource the fake API server serves. <paramref name="BuiltIn"/> types omit kind/apiVersion on
/// list items (as the real server does for compiled-in types); custom resources keep them.</summary>
public sealed record FakeResourceType(string Group, string Version, string Kind, string Plural, bool BuiltIn = true)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The name the real server uses in messages: <c>deployments.apps</c>, <c>configmaps</c>.</summary>
    public string QualifiedResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public static readonly FakeResourceType Lease = new("coordination.k8s.io", "v1", "Lease", "leases");

    /// <summary>Pods, which tests seed by hand the way the Job controller and the kubelet would create them.</summary>
    public static readonly FakeResourceType Pod = new("", "v1", "Pod", "pods");

    /// <summary>Secrets, which tests seed by hand as a person with kubectl would.</summary>
    public static readonly FakeResourceType Secret = new("", "v1", "Secret", "secrets");

    public static FakeResourceType From(ManagedKind kind) =>
        new(kind.Group, kind.Version, kind.Kind, kind.Plural,
            BuiltIn: kind.Group is not ("gateway.networking.k8s.io" or "networking.istio.io"));

    /// <summary>Every <see cref="ManagedKinds"/> kind plus leases, pods and secrets (configmaps are managed already).</summary>
    public static IReadOnlyList<FakeResourceType> Defaults { get; } = [.. ManagedKinds.All.Select(From), Lease, Pod, Secret];
}
