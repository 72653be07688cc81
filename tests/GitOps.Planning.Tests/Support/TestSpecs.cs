using System.Collections.Immutable;
using GitOps.Specs.Model;

namespace GitOps.Planning.Tests.Support;

/// <summary>Spec records built in code: a small realistic repository (staging and prod, two models).</summary>
internal static class TestSpecs
{
    public static readonly GpuPool A100 = new()
    {
        Name = "a100",
        Resource = "nvidia.com/gpu",
        NodeSelector = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [KeyValuePair.Create("cloud.google.com/gke-accelerator", "nvidia-tesla-a100")]),
        Tolerations = [new Toleration("nvidia.com/gpu", "Exists", null, "NoSchedule")],
        PricePerGpuHour = 3.67m,
        Quota = 8,
    };

    public static readonly GpuPool L4 = new()
    {
        Name = "l4",
        Resource = "nvidia.com/gpu",
        NodeSelector = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [KeyValuePair.Create("cloud.google.com/gke-accelerator", "nvidia-l4")]),
        Tolerations = [new Toleration("nvidia.com/gpu", "Exists", null, "NoSchedule")],
        PricePerGpuHour = 0.71m,
        Quota = 4,
    };

    public static EnvironmentSpec Environment(string name, string? router = null, Promotion? promotion = null,
        bool selfHeal = true, string? ns = null) =>
        new(Metadata.Named(name), SpecOrigin.InMemory($"environments/{name}/environment.yaml"), new EnvironmentBody
        {
            Cluster = new ClusterTarget(new KubernetesTarget(name, false), null),
            Namespace = ns ?? $"ml-{name}",
            Router = router ?? TrafficRouters.GatewayApi,
            Gateway = new GatewayRef("ml-gateway", "gateway-system"),
            Artifacts = new ArtifactStore("https://artifacts.ml.example.com"),
            GpuPools = [A100, L4],
            Promotion = promotion,
            SelfHeal = selfHeal,
        });

    public static ModelSpec Model(string name, string[] environments, Func<ModelBody, ModelBody>? edit = null)
    {
        var body = new ModelBody
        {
            Owner = "risk-team",
            Task = ModelTasks.BinaryClassification,
            Label = "is_fraud",
            Inputs = [new TensorSpec("features", "float32", [-1, 12])],
            Outputs = [new TensorSpec("probability", "float32", [-1, 1])],
            Training = new TrainingSpec
            {
                Builtin = new BuiltinTrainer(BuiltinAlgorithms.FastTree, 42),
                Dataset = new DatasetRef($"https://datasets.example.com/{name}/2026-01.parquet",
                    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
                Hyperparameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                    [KeyValuePair.Create("learningRate", "0.1"), KeyValuePair.Create("numberOfTrees", "200")]),
                Resources = new ResourceRequest { Cpu = "4", Memory = "16Gi", Gpus = 1, Pool = "a100" },
                Timeout = "2h",
                Retries = 2,
            },
            Gates = ["no-regression"],
            Serving = new ServingSpec
            {
                Replicas = 2,
                Resources = new ResourceRequest { Cpu = "500m", Memory = "1Gi" },
                Batching = new Batching(32, "5ms"),
            },
            Rollout = "canary-standard",
            Environments = [.. environments],
        };
        return new ModelSpec(Metadata.Named(name), SpecOrigin.InMemory($"models/{name}/model.yaml"), edit is null ? body : edit(body));
    }

    public static RolloutPolicySpec CanaryPolicy(string name = "canary-standard") =>
        new(Metadata.Named(name), SpecOrigin.InMemory("policies/rollouts.yaml"), new RolloutPolicyBody
        {
            Strategy = RolloutStrategies.Canary,
            Steps =
            [
                new RolloutStep { SetWeight = 10 },
                new RolloutStep { Analysis = ["error-rate"] },
                new RolloutStep { Pause = "10m" },
                new RolloutStep { SetWeight = 50 },
                new RolloutStep { Analysis = ["error-rate"] },
                new RolloutStep { SetWeight = 100 },
            ],
            Analysis =
            [
                new AnalysisTemplate
                {
                    Name = "error-rate",
                    Query = "sum(rate(gitops_requests_total{model=\"{{model}}\",track=\"{{track}}\",code=~\"5..\"}[2m]))",
                    SuccessCondition = "result < 0.01",
                },
            ],
        });

    public static QualityGateSpec Gate(string name = "no-regression") =>
        new(Metadata.Named(name), SpecOrigin.InMemory("policies/gates.yaml"), new QualityGateBody
        {
            Rules = [new GateRule("auc", "metrics.auc >= champion.metrics.auc - 0.005", null)],
        });

    /// <summary>staging (Gateway API) and prod (Istio, promoted from staging); fraud-detector in both, churn-predictor in staging.</summary>
    public static SpecSet Repository(params Func<ModelSpec, ModelSpec>[] edits)
    {
        var models = new List<ModelSpec>
        {
            Model("fraud-detector", ["staging", "prod"]),
            Model("churn-predictor", ["staging"], b => b with
            {
                Task = ModelTasks.Regression,
                Label = "churn_score",
                Training = b.Training with { Resources = new ResourceRequest { Cpu = "2", Memory = "4Gi" }, Timeout = "30m" },
                Serving = new ServingSpec { Replicas = 1 },
                Rollout = null,
                Gates = [],
            }),
        };
        var edited = models.Select(m => edits.Aggregate(m, (acc, e) => e(acc))).ToList();
        return SpecSet.From([
            Environment("staging"),
            Environment("prod", TrafficRouters.Istio, new Promotion("staging", "24h")),
            .. edited,
            CanaryPolicy(),
            Gate(),
        ]);
    }
}
