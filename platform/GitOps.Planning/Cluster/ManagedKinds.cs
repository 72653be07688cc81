using System.Collections.Immutable;

namespace GitOps.Planning.Cluster;

/// <summary>A Kubernetes resource type GitOps ML creates, with the REST plural the API server uses.</summary>
public sealed record ManagedKind(string ApiVersion, string Kind, string Plural, bool Namespaced = true)
{
    public string Group => ApiVersion.Contains('/') ? ApiVersion[..ApiVersion.IndexOf('/')] : "";
    public string Version => ApiVersion.Contains('/') ? ApiVersion[(ApiVersion.IndexOf('/') + 1)..] : ApiVersion;
}

/// <summary>Every kind the renderer may emit; the driver lists exactly these when it observes an environment.</summary>
public static class ManagedKinds
{
    public static readonly ManagedKind ConfigMap = new("v1", "ConfigMap", "configmaps");
    public static readonly ManagedKind Service = new("v1", "Service", "services");
    public static readonly ManagedKind Job = new("batch/v1", "Job", "jobs");
    public static readonly ManagedKind CronJob = new("batch/v1", "CronJob", "cronjobs");
    public static readonly ManagedKind Deployment = new("apps/v1", "Deployment", "deployments");
    public static readonly ManagedKind HorizontalPodAutoscaler = new("autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers");
    public static readonly ManagedKind PodDisruptionBudget = new("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets");
    public static readonly ManagedKind HttpRoute = new("gateway.networking.k8s.io/v1", "HTTPRoute", "httproutes");

    /// <summary>Rendered only where the environment asks for it (<c>spec.gateway.grpcRoutes</c>): a cluster without the
    /// CRD (Gateway API before v1.1) is only listed, and skipped as not served.</summary>
    public static readonly ManagedKind GrpcRoute = new("gateway.networking.k8s.io/v1", "GRPCRoute", "grpcroutes");
    public static readonly ManagedKind VirtualService = new("networking.istio.io/v1", "VirtualService", "virtualservices");
    public static readonly ManagedKind NetworkPolicy = new("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies");
    public static readonly ManagedKind PrometheusRule = new("monitoring.coreos.com/v1", "PrometheusRule", "prometheusrules");

    public static readonly ImmutableArray<ManagedKind> All =
        [ConfigMap, Service, Job, Deployment, HorizontalPodAutoscaler, PodDisruptionBudget, HttpRoute, VirtualService, NetworkPolicy, PrometheusRule, CronJob, GrpcRoute];

    public static ManagedKind? Find(string apiVersion, string kind) =>
        All.FirstOrDefault(k => k.ApiVersion == apiVersion && k.Kind == kind);
}

/// <summary>Labels and annotations every managed object carries.</summary>
public static class ManagedLabels
{
    public const string ManagedBy = "ml.gitops/managed-by";
    public const string ManagedByValue = "gitops";
    public const string Environment = "ml.gitops/environment";
    public const string Model = "ml.gitops/model";
    public const string Version = "ml.gitops/version";
    public const string Track = "ml.gitops/track";

    /// <summary>The <see cref="Track"/> of training Jobs and their pods.</summary>
    public const string TrainingTrack = "training";
    public const string SpecHashAnnotation = "ml.gitops/spec-hash";
    public const string CommitAnnotation = "ml.gitops/source-commit";
    public const string FieldManager = "gitops";
}
