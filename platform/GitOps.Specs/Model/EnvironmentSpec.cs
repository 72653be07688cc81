using System.Collections.Immutable;

namespace GitOps.Specs.Model;

/// <summary><c>kind: Environment</c> — a deployment target (cluster + namespace) with its GPU pools and rules.</summary>
public sealed record EnvironmentSpec(Metadata Metadata, SpecOrigin Origin, EnvironmentBody Spec) : SpecObject(Metadata, Origin)
{
    public override string Kind => SpecKinds.Environment;
}

public sealed record EnvironmentBody
{
    public required ClusterTarget Cluster { get; init; }
    public required string Namespace { get; init; }
    /// <summary><c>gatewayApi</c> (default), <c>istio</c>, <c>replicas</c> or <c>local</c>.</summary>
    public string Router { get; init; } = TrafficRouters.GatewayApi;
    /// <summary>Parent Gateway for <c>HTTPRoute</c>s when the router is <c>gatewayApi</c>.</summary>
    public GatewayRef? Gateway { get; init; }
    public PrometheusTarget? Prometheus { get; init; }
    public ArtifactStore? Artifacts { get; init; }
    public ImmutableArray<GpuPool> GpuPools { get; init; } = [];
    public Promotion? Promotion { get; init; }
    /// <summary>Re-apply objects edited by hand in the cluster.</summary>
    public bool SelfHeal { get; init; } = true;
    /// <summary>Names of <c>Policy</c> documents in force here (in addition to those matching by environment).</summary>
    public ImmutableArray<string> Policies { get; init; } = [];
    /// <summary>Image of the inference server run by serving Deployments.</summary>
    public string? ServingImage { get; init; }
    /// <summary>Image of the builtin trainer run by training Jobs.</summary>
    public string? TrainerImage { get; init; }
}

public static class TrafficRouters
{
    public const string GatewayApi = "gatewayApi";
    public const string Istio = "istio";
    public const string Replicas = "replicas";
    public const string Local = "local";
    public static readonly ImmutableArray<string> All = [GatewayApi, Istio, Replicas, Local];
}

/// <summary>Exactly one of <see cref="Kubernetes"/> or <see cref="Local"/>.</summary>
public sealed record ClusterTarget(KubernetesTarget? Kubernetes, LocalTarget? Local);

public sealed record KubernetesTarget(string? Context, bool InCluster);

public sealed record LocalTarget(string? StateDir);

public sealed record GatewayRef(string Name, string? Namespace);

public sealed record PrometheusTarget(string Url);

public sealed record ArtifactStore(string Uri);

public sealed record GpuPool
{
    public required string Name { get; init; }
    /// <summary>Extended resource name, e.g. <c>nvidia.com/gpu</c>.</summary>
    public string Resource { get; init; } = "nvidia.com/gpu";
    public ImmutableSortedDictionary<string, string> NodeSelector { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public ImmutableArray<Toleration> Tolerations { get; init; } = [];
    /// <summary>Price of one GPU for one hour, in the organisation's currency.</summary>
    public decimal PricePerGpuHour { get; init; }
    /// <summary>Most GPUs one workload may request from this pool.</summary>
    public int Quota { get; init; }
}

public sealed record Toleration(string Key, string Operator, string? Value, string? Effect);

/// <summary>Where versions come from before they reach this environment.</summary>
public sealed record Promotion(string From, string? Soak);
