using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Specs.Model;
using GitOps.Testing;

namespace GitOps.Benchmarks.Planning;

/// <summary>
/// A repository at scale: <c>models</c> models served in three environments (dev: Gateway API, staging: Gateway API,
/// prod: Istio), half of them trained on GPUs, a third autoscaled, every one with a canary rollout policy and a gate.
/// </summary>
public static class PlanningScale
{
    public static readonly string[] Environments = ["dev", "staging", "prod"];

    public static SpecSet Repository(int models, Func<int, ModelSpec, ModelSpec>? edit = null)
    {
        var pool = new GpuPool
        {
            Name = "a100",
            NodeSelector = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("gpu", "a100")]),
            Tolerations = [new Toleration("nvidia.com/gpu", "Exists", null, "NoSchedule")],
            PricePerGpuHour = 3.67m,
            Quota = 8,
        };
        var objects = new List<SpecObject>();
        foreach (var env in Environments)
        {
            objects.Add(new EnvironmentSpec(Metadata.Named(env), SpecOrigin.InMemory($"environments/{env}/environment.yaml"), new EnvironmentBody
            {
                Cluster = new ClusterTarget(new KubernetesTarget(env, false), null),
                Namespace = $"ml-{env}",
                Router = env == "prod" ? TrafficRouters.Istio : TrafficRouters.GatewayApi,
                Gateway = new GatewayRef("ml-gateway", "gateway-system"),
                Artifacts = new ArtifactStore("https://artifacts.ml.example.com"),
                GpuPools = [pool],
                Promotion = env == "prod" ? new Promotion("staging", "24h") : null,
            }));
        }
        for (var i = 0; i < models; i++)
        {
            var name = $"model-{i:D4}";
            var model = new ModelSpec(Metadata.Named(name), SpecOrigin.InMemory($"models/{name}/model.yaml"), new ModelBody
            {
                Owner = $"team-{i % 17}",
                Task = ModelTasks.BinaryClassification,
                Label = "label",
                Inputs = [new TensorSpec("features", "float32", [-1, 16])],
                Outputs = [new TensorSpec("probability", "float32", [-1, 1])],
                Training = new TrainingSpec
                {
                    Builtin = new BuiltinTrainer(BuiltinAlgorithms.FastTree, i),
                    Dataset = new DatasetRef($"https://datasets.example.com/{name}.parquet", CanonicalJson.Sha256Hex(name)),
                    Hyperparameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                        [KeyValuePair.Create("learningRate", "0.1"), KeyValuePair.Create("numberOfTrees", (100 + i % 50).ToString())]),
                    Resources = i % 2 == 0 ? new ResourceRequest { Cpu = "4", Memory = "16Gi", Gpus = 1, Pool = "a100" } : new ResourceRequest { Cpu = "2", Memory = "4Gi" },
                    Timeout = "2h",
                },
                Gates = ["no-regression"],
                Serving = new ServingSpec
                {
                    Replicas = 2,
                    Autoscaling = i % 3 == 0 ? new Autoscaling(2, 8, 70) : null,
                    Resources = new ResourceRequest { Cpu = "500m", Memory = "1Gi" },
                    Batching = new Batching(16, "5ms"),
                },
                Rollout = "canary",
                Environments = [.. Environments],
            });
            objects.Add(edit is null ? model : edit(i, model));
        }
        objects.Add(new RolloutPolicySpec(Metadata.Named("canary"), SpecOrigin.InMemory("policies/rollouts.yaml"), new RolloutPolicyBody
        {
            Strategy = RolloutStrategies.Canary,
            Steps = [new RolloutStep { SetWeight = 10 }, new RolloutStep { Pause = "10m" }, new RolloutStep { SetWeight = 100 }],
        }));
        objects.Add(new QualityGateSpec(Metadata.Named("no-regression"), SpecOrigin.InMemory("policies/gates.yaml"), new QualityGateBody
        {
            Rules = [new GateRule("auc", "metrics.auc >= champion.metrics.auc - 0.005", null)],
        }));
        return SpecSet.From(objects);
    }

    /// <summary>Every model's current version trained and served as stable everywhere.</summary>
    public static RegistryFacts AllServed(SpecSet specs)
    {
        var facts = RegistryFacts.Empty;
        foreach (var m in specs.Models)
        {
            foreach (var env in m.Spec.Environments)
            {
                var v = ModelVersions.Compute(m, specs.Environment(env)!);
                facts = facts.WithTrained(m.Name, v).WithDeployment(m.Name, env, new DeploymentFacts(v, null));
            }
        }
        return facts;
    }

    /// <summary>The cluster after applying the repository: every desired object, with server-populated fields.</summary>
    public static IReadOnlyList<JsonObject> Converged(SpecSet specs, RegistryFacts facts)
    {
        IReadOnlyList<JsonObject> state = [];
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var env in Environments)
        {
            var render = Renderer.Render(specs, env, facts, new RenderContext("c0"));
            state = InMemoryApply.Apply(Planner.Plan(env, render.Objects, state), state, now);
        }
        return state;
    }

    /// <summary>The same repository with one model's learning rate changed (a new version: one training Job per environment).</summary>
    public static SpecSet WithOneModelChanged(int models) => Repository(models, (i, m) => i != 42 ? m : m with
    {
        Spec = m.Spec with { Training = m.Spec.Training with { Hyperparameters = m.Spec.Training.Hyperparameters.SetItem("learningRate", "0.05") } },
    });
}
