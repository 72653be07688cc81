using System.Collections.Immutable;

namespace GitOps.Specs.Model;

/// <summary><c>kind: Model</c> — what to train, how to check it and how to serve and roll it out.</summary>
public sealed record ModelSpec(Metadata Metadata, SpecOrigin Origin, ModelBody Spec) : SpecObject(Metadata, Origin)
{
    public override string Kind => SpecKinds.Model;
}

public sealed record ModelBody
{
    public required string Owner { get; init; }
    public string? Description { get; init; }
    /// <summary><c>binaryClassification</c>, <c>regression</c> or <c>multiclassClassification</c>.</summary>
    public required string Task { get; init; }
    public ImmutableArray<TensorSpec> Inputs { get; init; } = [];
    public ImmutableArray<TensorSpec> Outputs { get; init; } = [];
    /// <summary>Name of the label column in the dataset.</summary>
    public string? Label { get; init; }
    public required TrainingSpec Training { get; init; }
    /// <summary>Names of <c>QualityGate</c>s a new version must pass against the champion.</summary>
    public ImmutableArray<string> Gates { get; init; } = [];
    public ServingSpec Serving { get; init; } = new();
    /// <summary>Name of the <c>RolloutPolicy</c> used to ship new versions.</summary>
    public string? Rollout { get; init; }
    /// <summary>Environments this model is served in.</summary>
    public ImmutableArray<string> Environments { get; init; } = [];
    /// <summary>Per-environment changes, merged over the model's own settings.</summary>
    public ImmutableSortedDictionary<string, ModelOverride> Overrides { get; init; } = ImmutableSortedDictionary<string, ModelOverride>.Empty;
    /// <summary>SLOs, drift and data-quality limits and business KPIs watched once the model is live; null: only the
    /// platform's own alerts apply.</summary>
    public MonitoringSpec? Monitoring { get; init; }
    /// <summary>Scheduled batch scoring with the served version; null: the model is only served online.</summary>
    public BatchSpec? Batch { get; init; }
}

public static class ModelTasks
{
    public const string BinaryClassification = "binaryClassification";
    public const string Regression = "regression";
    public const string MulticlassClassification = "multiclassClassification";
    public static readonly ImmutableArray<string> All = [BinaryClassification, Regression, MulticlassClassification];
}

/// <summary>A named input or output tensor. A dimension of -1 is dynamic (the batch dimension).</summary>
public sealed record TensorSpec(string Name, string Type, ImmutableArray<long> Shape);

public sealed record TrainingSpec
{
    /// <summary>The builtin tabular trainer; exclusive with <see cref="Image"/>.</summary>
    public BuiltinTrainer? Builtin { get; init; }
    /// <summary>A custom training image (Kubernetes only); exclusive with <see cref="Builtin"/>.</summary>
    public string? Image { get; init; }
    public ImmutableArray<string> Command { get; init; } = [];
    public required DatasetRef Dataset { get; init; }
    /// <summary>Hyperparameters as their YAML scalar text, sorted by name.</summary>
    public ImmutableSortedDictionary<string, string> Hyperparameters { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public ResourceRequest Resources { get; init; } = new();
    /// <summary>Duration such as <c>2h</c>; becomes the Job's <c>activeDeadlineSeconds</c>.</summary>
    public string Timeout { get; init; } = "1h";
    /// <summary>Becomes the Job's <c>backoffLimit</c>.</summary>
    public int Retries { get; init; } = 2;
    /// <summary>How the custom trainer's container runs; absent: as a non-root user under the restricted profile.</summary>
    public TrainerSecurity? SecurityContext { get; init; }
    /// <summary>Training again on newer data, on a schedule or on drift; null: only a commit retrains.</summary>
    public RetrainSpec? Retrain { get; init; }
}

/// <summary>A custom trainer image that must run as root says so; only environments below <c>restricted</c> accept it.</summary>
public sealed record TrainerSecurity(bool RunAsRoot);

public sealed record BuiltinTrainer(string Algorithm, int Seed);

public static class BuiltinAlgorithms
{
    public const string FastTree = "fastTree";
    public const string LightGbm = "lightGbm";
    public const string SdcaLogisticRegression = "sdcaLogisticRegression";
    public const string Sdca = "sdca";
    public const string FastForest = "fastForest";
    public static readonly ImmutableArray<string> All = [FastTree, LightGbm, SdcaLogisticRegression, Sdca, FastForest];
}

public sealed record DatasetRef(string Uri, string Sha256);

/// <summary>Compute for a Job or a serving pod. <see cref="Gpus"/> come from <see cref="Pool"/>.</summary>
public sealed record ResourceRequest
{
    /// <summary>Kubernetes quantity, e.g. <c>500m</c> or <c>2</c>.</summary>
    public string? Cpu { get; init; }
    /// <summary>Kubernetes quantity, e.g. <c>2Gi</c>.</summary>
    public string? Memory { get; init; }
    public int Gpus { get; init; }
    /// <summary>Name of a GPU pool of the environment; required when <see cref="Gpus"/> &gt; 0.</summary>
    public string? Pool { get; init; }
}

/// <summary>Serving settings. Every field is optional so that overrides can set only what they change.</summary>
public sealed record ServingSpec
{
    public int? Replicas { get; init; }
    public Autoscaling? Autoscaling { get; init; }
    public ResourceRequest? Resources { get; init; }
    public Batching? Batching { get; init; }
    /// <summary>The servers' response cache for repeated inputs; none when absent.</summary>
    public ServingCache? Cache { get; init; }
    /// <summary>Minimum pods kept available during voluntary disruptions.</summary>
    public int? MinAvailable { get; init; }
}

/// <summary>
/// Horizontal pod autoscaling of the stable pods: on CPU and/or on load per pod, read from the servers' own metrics
/// through the custom metrics API (prometheus-adapter; docs/serving.md#autoscaling-on-load). CPU is 80% when no target
/// is given at all.
/// </summary>
public sealed record Autoscaling(int MinReplicas, int MaxReplicas, int? TargetCpuUtilization)
{
    /// <summary>Average <c>gitops_inference_in_flight_requests</c> per pod to aim for.</summary>
    public double? TargetInFlightRequests { get; init; }

    /// <summary>Average infer requests per second per pod to aim for (<c>gitops_inference_requests_per_second</c>).</summary>
    public double? TargetRequestsPerSecond { get; init; }
}

public sealed record Batching(int MaxBatchSize, string MaxDelay);

/// <summary>
/// The inference servers' response cache (docs/serving.md#response-cache): answers to repeated inputs, keyed by model
/// version and a hash of the input tensors, kept in each server's memory (<c>memory</c>, bounded by
/// <see cref="MaxBytes"/>) or in the environment's Redis shared by every replica (<c>redis</c>); <c>off</c> lets an
/// environment's override turn a model's cache off.
/// </summary>
public sealed record ServingCache(string Store)
{
    /// <summary>Memory store: the bound on the cached answers, a Kubernetes quantity such as 64Mi.</summary>
    public string? MaxBytes { get; init; }
    /// <summary>How long an answer is kept, e.g. 10m; absent: until evicted (memory) or a day (Redis).</summary>
    public string? Ttl { get; init; }
}

public static class ServingCacheLimits
{
    public const string DefaultMaxBytes = "64Mi";
    public const decimal MinBytes = 1024 * 1024;
}

public static class CacheStores
{
    public const string Off = "off";
    public const string Memory = "memory";
    public const string Redis = "redis";
    public static readonly ImmutableArray<string> All = [Off, Memory, Redis];
}

/// <summary>What an environment changes of a model: serving settings, rollout policy, gates.</summary>
public sealed record ModelOverride
{
    public ServingSpec? Serving { get; init; }
    public string? Rollout { get; init; }
    public ImmutableArray<string>? Gates { get; init; }
    /// <summary>Overrides of training resources (e.g. another GPU pool in this environment).</summary>
    public ResourceRequest? TrainingResources { get; init; }
}
