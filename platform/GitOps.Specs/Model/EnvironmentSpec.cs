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
    /// <summary>Grafana dashboards rendered as ConfigMaps for the Grafana sidecar; none when absent.</summary>
    public GrafanaTarget? Grafana { get; init; }
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
    /// <summary>The Pod Security Standard the namespace enforces: <c>restricted</c> (default), <c>baseline</c> or
    /// <c>privileged</c>. Rendered pods are checked against it, and a root trainer is refused under <c>restricted</c>.</summary>
    public string PodSecurity { get; init; } = PodSecurityLevels.Restricted;
    /// <summary>NetworkPolicies rendered per model; none when absent.</summary>
    public NetworkPolicySettings? NetworkPolicy { get; init; }
    /// <summary>Settings of the inference servers of this environment.</summary>
    public EnvironmentServing? Serving { get; init; }
}

/// <summary>The Kubernetes Pod Security Standards, least to most permissive.</summary>
public static class PodSecurityLevels
{
    public const string Restricted = "restricted";
    public const string Baseline = "baseline";
    public const string Privileged = "privileged";
    public static readonly ImmutableArray<string> All = [Restricted, Baseline, Privileged];
}

/// <summary>
/// Who may talk to the environment's pods. Serving pods admit <see cref="Clients"/> (the router), <see cref="Prometheus"/>
/// and the other track of the same model; training and serving pods reach DNS and <see cref="Egress"/>.
/// </summary>
public sealed record NetworkPolicySettings
{
    /// <summary>Senders of inference traffic: the gateway's or mesh ingress's pods, or client namespaces. Empty: derived
    /// from the router (the Gateway's namespace, or <c>istio-system</c> for Istio).</summary>
    public ImmutableArray<NetworkPeer> Clients { get; init; } = [];
    /// <summary>The Prometheus pods that scrape <c>/metrics</c>; no scraping is admitted when absent.</summary>
    public NetworkPeer? Prometheus { get; init; }
    /// <summary>Where DNS answers; default the <c>kube-dns</c> pods of <c>kube-system</c>.</summary>
    public NetworkPeer? Dns { get; init; }
    /// <summary>Endpoints trainers and model fetches reach besides DNS: the artifact store, dataset hosts.</summary>
    public ImmutableArray<NetworkPeer> Egress { get; init; } = [];
    /// <summary>Also render a policy denying all traffic to and from every pod of the namespace not otherwise admitted.</summary>
    public bool DefaultDeny { get; init; }

    /// <summary>Every peer with its spec path (<c>spec.networkPolicy.clients[0]</c>), for checks that point at it.</summary>
    public IEnumerable<(string Path, NetworkPeer Peer)> PeersWithPaths()
    {
        var peers = Clients.Select((p, i) => ($"spec.networkPolicy.clients[{i}]", p))
            .Concat(Egress.Select((p, i) => ($"spec.networkPolicy.egress[{i}]", p)));
        if (Prometheus is { } prometheus)
        {
            peers = peers.Append(("spec.networkPolicy.prometheus", prometheus));
        }
        if (Dns is { } dns)
        {
            peers = peers.Append(("spec.networkPolicy.dns", dns));
        }
        return peers;
    }
}

/// <summary>One side of a connection: pods (by namespace and labels) or an IP block, on some ports (all when empty).</summary>
public sealed record NetworkPeer
{
    public string? Namespace { get; init; }
    public ImmutableSortedDictionary<string, string> PodLabels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public string? Cidr { get; init; }
    public ImmutableArray<int> Ports { get; init; } = [];
}

public sealed record EnvironmentServing
{
    /// <summary>Requires a bearer token on inference endpoints.</summary>
    public ServingAuth? Auth { get; init; }
    /// <summary>The Redis that models with <c>serving.cache.store: redis</c> share in this environment.</summary>
    public RedisEndpoint? CacheRedis { get; init; }
}

/// <summary>A Redis server: <see cref="Address"/> is <c>host:port</c>; its password, if any, comes from a Secret mounted
/// as a file, never an argument or an environment variable.</summary>
public sealed record RedisEndpoint(string Address, SecretKeyRef? PasswordSecretRef = null)
{
    /// <summary>True for <c>host:port</c> with a port in 1–65535 and a host without spaces or commas (the server
    /// reads the address as a StackExchange.Redis configuration, where a comma starts an option).</summary>
    public static bool IsValidAddress(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || address.AsSpan(0, colon).IndexOfAny(" ,=\t") >= 0)
        {
            return false;
        }
        return int.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            && port is >= 1 and <= 65535;
    }
}

/// <summary>The token is read from a key of a Secret in the environment's namespace, mounted as a file.</summary>
public sealed record ServingAuth(SecretKeyRef SecretRef);

/// <summary>A key of a Secret in the environment's namespace. Only the names are in specs, plans and rendered objects;
/// the value reaches a pod as a file of a Secret volume.</summary>
public sealed record SecretKeyRef(string Name, string Key)
{
    public const string DefaultKey = "token";
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

/// <summary>The Gateway the models' HTTPRoutes attach to; with <see cref="GrpcRoutes"/> each model also gets a GRPCRoute
/// attached to its Service (Gateway API mesh mode), so gRPC clients in a mesh follow canaries.</summary>
public sealed record GatewayRef(string Name, string? Namespace, bool GrpcRoutes = false);

/// <summary>The Prometheus of an environment: analysis queries go to <see cref="Url"/>; with <see cref="Rules"/> the
/// renderer emits <c>PrometheusRule</c> objects, whose alerts link <see cref="RunbookUrl"/>.</summary>
public sealed record PrometheusTarget(string Url, bool Rules = false, string? RunbookUrl = null);

/// <summary>With <see cref="Dashboards"/> the renderer emits one ConfigMap per dashboard (the platform's and each
/// model's) labelled <c>grafana_dashboard: "1"</c> for the Grafana sidecar, in <see cref="Folder"/> when set.</summary>
public sealed record GrafanaTarget(bool Dashboards, string? Folder = null);

/// <summary>Where trained versions are published and fetched from; an http(s) store may take a bearer token from a Secret
/// (<see cref="TokenSecretRef"/>), mounted as a file into training and serving pods; an s3:// store takes its region,
/// endpoint and addressing style from <see cref="S3"/>.</summary>
public sealed record ArtifactStore(string Uri, SecretKeyRef? TokenSecretRef = null, S3Endpoint? S3 = null);

/// <summary>How to reach an s3:// artifact store; credentials come from the AWS standard chain, never from the spec.</summary>
public sealed record S3Endpoint(string? Region, string? Endpoint, bool ForcePathStyle);

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

/// <summary>A toleration of the pool's taints; <paramref name="TolerationSeconds"/> only with <c>NoExecute</c>.</summary>
public sealed record Toleration(string Key, string Operator, string? Value, string? Effect, long? TolerationSeconds = null);

/// <summary>Where versions come from before they reach this environment.</summary>
public sealed record Promotion(string From, string? Soak);
