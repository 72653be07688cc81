using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Monitoring.Dashboards;
using GitOps.Rollouts.Rollout;
using GitOps.Rollouts.Traffic;
using GitOps.Specs;
using GitOps.Specs.Contracts;
using GitOps.Specs.Kubernetes;
using GitOps.Specs.Model;
using k8s;
using k8s.Models;

namespace GitOps.Planning.Rendering;

/// <summary>The objects of one model in one environment.</summary>
internal sealed record ModelRender(ImmutableArray<JsonObject> Objects, RenderedModel? Model);

/// <summary>
/// Decides what one model needs in one environment (training Job, stable/canary Deployments, Services, route,
/// autoscaler, disruption budget, ConfigMap) and builds the objects.
/// </summary>
internal sealed partial class ModelRenderer(EnvironmentSpec env, string commit)
{
    public const string DefaultServingImage = "gitops/server:0.1.0";
    public const string DefaultArtifactStore = ContainerPaths.DefaultArtifactStore;
    public const int Port = 8080;
    /// <summary>The server's gRPC port: rendered servers answer the Open Inference Protocol over gRPC too, as KServe's do.</summary>
    public const int GrpcPort = 8081;
    public const string TrackStable = "stable";
    public const string TrackCanary = "canary";
    public const string TrackTraining = ManagedLabels.TrainingTrack;
    public const string TrackShared = "shared";

    public const string GitOpsExecutable = ContainerPaths.GitOpsExecutable;
    private const string ModelPath = "/models/" + TrainingContract.ModelFile;

    /// <summary>Only serving pods carry it: Services and disruption budgets that span tracks select on it, so they
    /// never pick up a training pod of the same model (Service selectors cannot say "track in (stable, canary)").</summary>
    public const string RoleLabel = "ml.gitops/role";
    public const string RoleServing = "serving";

    private string Ns => env.Spec.Namespace;
    private string EnvName => env.Name;

    public ModelRender Render(ModelSpec model, EffectiveModel effective, RolloutPolicySpec? policy, ModelFacts facts)
    {
        // Rendering trusts validated specs: GPU pools, quantities and the training timeout are checked by
        // SemanticChecker (GITOPS0203, GITOPS0205, GITOPS0206), never again here under other IDs.
        var trainingPool = Pool(effective.TrainingResources);
        var servingPool = Pool(effective.ServingResources);
        if (!Durations.TryParse(model.Spec.Training.Timeout, out var timeout) || timeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"model '{model.Name}': the training timeout '{model.Spec.Training.Timeout}' reached rendering unvalidated; validate specs (SpecValidator) before rendering");
        }

        var inputs = ModelVersions.Inputs(model, env);
        var version = CanonicalJson.Hash(inputs)[..ModelVersions.Length];
        var deployed = facts.In(EnvName);
        var rolloutPolicy = policy is null ? RolloutPolicy.Direct : RolloutPolicy.From(policy, model);
        var known = deployed.Rollout;
        // A held version (rejected by its gates, or waiting for the registry) is trained but neither served nor trained again.
        var held = facts.HeldBack(version);
        var trained = held is null && (facts.IsTrained(version) || deployed.StableVersion == version || deployed.Canary?.Version == version
            || known?.Stable == version || known?.Canary == version);
        // Which version is stable, which is the canary and at what weight is the rollout machine's decision: the
        // reconciler hands over its state; without one (a plan from the cluster's objects) the machine is asked the
        // same question about what the cluster shows.
        var state = known ?? ObservedRollout.Project(deployed.StableVersion, deployed.Canary?.Version,
            deployed.Canary?.Weight ?? 0, rolloutPolicy, trained ? version : null);
        var byReplicas = env.Spec.Router == TrafficRouters.Replicas;
        var baseReplicas = effective.Autoscaling?.MinReplicas ?? effective.Replicas;
        var decision = TrafficDecision.For(state, rolloutPolicy, baseReplicas, routed: !byReplicas);
        var stable = decision.Stable;
        var canary = decision.Canary;

        var objects = new List<JsonObject>();
        var sharedVersion = stable ?? version;
        objects.Add(ModelConfigMap(model, sharedVersion, inputs));

        TrainingPlan? training = null;
        // An environment with promotion.from never trains: it receives the source's artifact after the soak.
        if (!trained && held is null && env.Spec.Promotion is null)
        {
            var (job, plan) = TrainingJob(model, version, effective.TrainingResources, trainingPool, timeout);
            objects.Add(job);
            training = plan;
        }

        if (stable is not null)
        {
            // blueGreen: the preview runs in the canary Deployment, and the switch sends live traffic to it while the
            // version switched away from stays in the stable Deployment; both stay exactly as they were, so the switch
            // and an abort within scaleDownDelay move only Services and routes, and no Deployment rolls.
            var stableSlot = decision.LiveOnCanary ? decision.PreviousStable ?? stable : stable;
            var second = decision.LiveOnCanary ? stable : canary ?? decision.PreviousStable;
            var secondReplicas = canary is not null ? decision.CanaryReplicas : decision.StableReplicas;
            var autoscaled = effective.Autoscaling is not null && !(byReplicas && canary is not null);
            objects.Add(ServingDeployment(model, stableSlot, TrackStable, autoscaled ? null : decision.StableReplicas, effective, servingPool));
            if (second is not null)
            {
                objects.Add(ServingDeployment(model, second, TrackCanary, secondReplicas, effective, servingPool));
            }
            // Without a router the shared Service is the traffic split; a blueGreen preview, the version kept after a
            // switch or a rolled-back canary must not get live traffic through it: it selects the live track only.
            var liveOnly = byReplicas && (decision.Preview || second is not null && (canary is null || decision.CanaryReplicas == 0));
            objects.Add(ModelService(model, sharedVersion, null, liveOnly ? (decision.LiveOnCanary ? TrackCanary : TrackStable) : null));
            if (!byReplicas || decision.Preview)
            {
                if (!byReplicas)
                {
                    objects.Add(ModelService(model, stableSlot, TrackStable));
                }
                if (second is not null)
                {
                    objects.Add(ModelService(model, second, TrackCanary));
                }
            }
            if (autoscaled)
            {
                objects.Add(Autoscaler(model, stable, effective.Autoscaling!));
            }
            var pdb = DisruptionBudget(model, stable, effective);
            if (pdb is not null)
            {
                objects.Add(pdb);
            }
            var route = env.Spec.Router switch
            {
                TrafficRouters.Istio => VirtualService(model, decision),
                TrafficRouters.Replicas => null,
                _ => HttpRoute(model, decision),
            };
            if (route is not null)
            {
                objects.Add(route);
            }
        }

        var batch = stable is not null && BatchRunsHere(model) ? BatchCronJob(model, stable, effective, servingPool) : null;
        if (batch is not null)
        {
            objects.Add(batch);
        }

        if (env.Spec.NetworkPolicy is { } network)
        {
            AddNetworkPolicies(objects, network, model.Name, sharedVersion, training is not null, stable is not null);
            if (batch is not null)
            {
                var (name, spec) = NetworkPolicies.Batch(env, network, model.Name);
                objects.Add(Custom(ManagedKinds.NetworkPolicy, name, model.Name, sharedVersion, spec));
            }
        }

        var info = new RenderedModel(model.Name, version, stable, canary, decision.CanaryWeight, training, effective.Rollout, effective.Gates) { Held = held };
        return new ModelRender([.. objects], info);
    }

    private void AddNetworkPolicies(List<JsonObject> objects, NetworkPolicySettings network, string model, string version, bool training, bool serving)
    {
        if (training)
        {
            var (name, spec) = NetworkPolicies.Training(env, network, model);
            objects.Add(Custom(ManagedKinds.NetworkPolicy, name, model, version, spec));
        }
        if (serving)
        {
            var (name, spec) = NetworkPolicies.Serving(env, network, model);
            objects.Add(Custom(ManagedKinds.NetworkPolicy, name, model, version, spec));
        }
    }

    /// <summary>An object of the environment as a whole (no model): only the managed-by and environment labels.</summary>
    public JsonObject EnvironmentObject(ManagedKind kind, string name, JsonObject spec)
    {
        var obj = new JsonObject
        {
            ["apiVersion"] = kind.ApiVersion,
            ["kind"] = kind.Kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = Ns,
                ["labels"] = new JsonObject
                {
                    [ManagedLabels.ManagedBy] = ManagedLabels.ManagedByValue,
                    [ManagedLabels.Environment] = EnvName,
                },
            },
            ["spec"] = spec,
        };
        return Stamp((JsonObject)CanonicalJson.SortInPlace(obj)!);
    }

    /// <summary>
    /// A Grafana dashboard as a ConfigMap of the environment, labelled for the Grafana sidecar and annotated with its
    /// folder. The folder is part of the spec hash, so moving the dashboards to another folder re-applies them.
    /// </summary>
    public JsonObject DashboardConfigMap(GrafanaDashboard dashboard, string? folder)
    {
        var obj = new JsonObject
        {
            ["apiVersion"] = ManagedKinds.ConfigMap.ApiVersion,
            ["kind"] = ManagedKinds.ConfigMap.Kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = dashboard.Name,
                ["namespace"] = Ns,
                ["labels"] = new JsonObject
                {
                    [ManagedLabels.ManagedBy] = ManagedLabels.ManagedByValue,
                    [ManagedLabels.Environment] = EnvName,
                    [DashboardSet.SidecarLabel] = DashboardSet.SidecarLabelValue,
                },
            },
            ["data"] = DashboardSet.ConfigMapData(dashboard),
        };
        var stamped = Stamp((JsonObject)CanonicalJson.SortInPlace(obj)!);
        if (folder is not null)
        {
            var annotations = (JsonObject)stamped["metadata"]!["annotations"]!;
            var hash = annotations[ManagedLabels.SpecHashAnnotation]!.GetValue<string>();
            stamped["metadata"]!["annotations"] = CanonicalJson.Sort(new JsonObject
            {
                [DashboardSet.FolderAnnotation] = folder,
                [ManagedLabels.SpecHashAnnotation] = CanonicalJson.Sha256Hex(hash + "\n" + folder)[..16],
                [ManagedLabels.CommitAnnotation] = commit,
            });
        }
        return stamped;
    }

    private GpuPool? Pool(ResourceRequest resources) =>
        resources.Pool is null ? null : env.Spec.GpuPools.FirstOrDefault(p => p.Name == resources.Pool);

    private static ResourceQuantity Quantity(string text) => Quantities.TryParse(text, out ResourceQuantity q)
        ? q
        : throw new InvalidOperationException($"the quantity '{text}' reached rendering unvalidated; validate specs (SpecValidator) before rendering");

    private Dictionary<string, string> Labels(string model, string version, string track) => new(6)
    {
        [ManagedLabels.ManagedBy] = ManagedLabels.ManagedByValue,
        [ManagedLabels.Environment] = EnvName,
        [ManagedLabels.Model] = model,
        [ManagedLabels.Version] = version,
        [ManagedLabels.Track] = track,
    };

    private Dictionary<string, string> Selector(string model, string? track)
    {
        var selector = new Dictionary<string, string>(3)
        {
            [ManagedLabels.Environment] = EnvName,
            [ManagedLabels.Model] = model,
        };
        if (track is not null)
        {
            selector[ManagedLabels.Track] = track;
        }
        else
        {
            selector[RoleLabel] = RoleServing;
        }
        return selector;
    }

    private V1ObjectMeta Meta(string name, string model, string version, string track) =>
        new() { Name = name, NamespaceProperty = Ns, Labels = Labels(model, version, track) };

    private JsonObject ModelConfigMap(ModelSpec model, string version, JsonObject inputs)
    {
        var signature = new JsonObject
        {
            ["name"] = model.Name,
            ["task"] = model.Spec.Task,
            ["label"] = model.Spec.Label,
            ["inputs"] = inputs["inputs"]!.DeepClone(),
            ["outputs"] = inputs["outputs"]!.DeepClone(),
        };
        var cm = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Meta(ResourceNames.Of(model.Name, "model"), model.Name, version, TrackShared),
            Data = new Dictionary<string, string> { ["model.json"] = CanonicalJson.ToText(signature) },
        };
        return Finish(cm);
    }

    private (JsonObject Job, TrainingPlan Plan) TrainingJob(ModelSpec model, string version, ResourceRequest resources,
        GpuPool? pool, TimeSpan timeout)
    {
        var training = model.Spec.Training;
        var image = training.Builtin is not null ? env.Spec.TrainerImage ?? ModelVersions.DefaultTrainerImage : training.Image!;
        var hyperparameters = new JsonObject();
        foreach (var (k, v) in training.Hyperparameters)
        {
            hyperparameters[k] = TypedScalar(v);
        }
        // The trainer fetches the dataset itself, writes to a local emptyDir and publishes that folder to the
        // artifact store, where the serving pods' init container fetches model.onnx from.
        var envVars = new List<V1EnvVar>
        {
            Env(TrainingContract.DatasetUri, training.Dataset.Uri),
            Env(TrainingContract.DatasetSha256, training.Dataset.Sha256.ToLowerInvariant()),
            Env(TrainingContract.OutputDir, TrainingContract.OutputMountPath),
            Env(TrainingContract.ArtifactUri, ArtifactUri(model.Name, version)),
            Env(TrainingContract.Hyperparameters, CanonicalJson.ToText(hyperparameters)),
            Env(TrainingContract.ModelName, model.Name),
            Env(TrainingContract.ModelVersion, version),
            Env(TrainingContract.Seed, (training.Builtin?.Seed ?? 0).ToString(CultureInfo.InvariantCulture)),
            Env(TrainingContract.Task, model.Spec.Task),
        };
        if (training.Builtin is not null)
        {
            envVars.Add(Env(TrainingContract.Algorithm, training.Builtin.Algorithm));
        }
        if (model.Spec.Label is not null)
        {
            envVars.Add(Env(TrainingContract.Label, model.Spec.Label));
        }
        var container = new V1Container
        {
            Name = "trainer",
            Image = image,
            // Set explicitly so the Job does not depend on the image's ENTRYPOINT.
            Command = training.Builtin is not null ? [GitOpsExecutable]
                : training.Command.Length > 0 ? [.. training.Command] : null,
            Args = training.Builtin is not null ? ["train"] : null,
            Env = [.. envVars.OrderBy(e => e.Name, StringComparer.Ordinal)],
            Resources = Resources(resources, pool),
            VolumeMounts = [new V1VolumeMount { Name = "output", MountPath = TrainingContract.OutputMountPath }],
        };
        var podSpec = new V1PodSpec
        {
            RestartPolicy = "Never",
            Containers = [container],
            Volumes = [new V1Volume { Name = "output", EmptyDir = new V1EmptyDirVolumeSource() }],
            NodeSelector = pool is null || resources.Gpus <= 0 || pool.NodeSelector.IsEmpty ? null : new Dictionary<string, string>(pool.NodeSelector),
            Tolerations = pool is null || resources.Gpus <= 0 || pool.Tolerations.IsEmpty ? null : [.. pool.Tolerations.Select(ToToleration)],
        };
        ArtifactToken.Mount(podSpec, env.Spec.Artifacts, [container]);
        PodSecurity.Harden(podSpec, runAsRoot: training.Image is not null && training.SecurityContext is { RunAsRoot: true });
        // A Job's pod template is immutable: its hash is part of the name, so changing the pool or the image
        // replaces the Job (create + delete) instead of planning an update the API server would reject.
        var templateHash = CanonicalJson.Hash(Serialize(podSpec))[..6];
        var name = ResourceNames.Of(model.Name, "train", version, templateHash);
        var job = new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = Meta(name, model.Name, version, TrackTraining),
            Spec = new V1JobSpec
            {
                BackoffLimit = model.Spec.Training.Retries,
                ActiveDeadlineSeconds = (long)timeout.TotalSeconds,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = Labels(model.Name, version, TrackTraining) },
                    Spec = podSpec,
                },
            },
        };
        var gpus = pool is null ? 0 : resources.Gpus;
        var gpuHours = Math.Round(gpus * (decimal)timeout.TotalHours, 2);
        var plan = new TrainingPlan(name, version, gpus, pool?.Name, pool?.Resource ?? "nvidia.com/gpu",
            model.Spec.Training.Timeout, (long)timeout.TotalSeconds, model.Spec.Training.Retries, gpuHours,
            Math.Round(gpuHours * (pool?.PricePerGpuHour ?? 0m), 2));
        return (Finish(job), plan);
    }

    private static JsonNode? TypedScalar(string text)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return l;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return d;
        }
        return text switch
        {
            "true" => true,
            "false" => false,
            _ => text,
        };
    }

    /// <summary>The folder of one trained version in the environment's artifact store.</summary>
    private string ArtifactUri(string model, string version) => $"{StoreUri(env)}/{model}/{version}";

    /// <summary>The artifact store (registry of record) of <paramref name="environment"/>, without a trailing slash.</summary>
    public static string StoreUri(EnvironmentSpec environment) => (environment.Spec.Artifacts?.Uri ?? DefaultArtifactStore).TrimEnd('/');

    private static V1EnvVar Env(string name, string value) => new() { Name = name, Value = value };

    private static V1Toleration ToToleration(Toleration t) =>
        new() { Key = t.Key, OperatorProperty = t.Operator, Value = t.Value, Effect = t.Effect, TolerationSeconds = t.TolerationSeconds };

    private static V1ResourceRequirements? Resources(ResourceRequest request, GpuPool? pool)
    {
        var requests = new Dictionary<string, ResourceQuantity>();
        var limits = new Dictionary<string, ResourceQuantity>();
        if (request.Cpu is not null)
        {
            requests["cpu"] = Quantity(request.Cpu);
        }
        if (request.Memory is not null)
        {
            requests["memory"] = Quantity(request.Memory);
            limits["memory"] = Quantity(request.Memory);
        }
        if (pool is not null && request.Gpus > 0)
        {
            limits[pool.Resource] = new ResourceQuantity(request.Gpus.ToString(CultureInfo.InvariantCulture));
        }
        if (requests.Count == 0 && limits.Count == 0)
        {
            return null;
        }
        return new V1ResourceRequirements
        {
            Requests = requests.Count == 0 ? null : requests,
            Limits = limits.Count == 0 ? null : limits,
        };
    }

    private JsonObject ServingDeployment(ModelSpec model, string version, string track, int? replicas, EffectiveModel effective, GpuPool? pool)
    {
        var image = env.Spec.ServingImage ?? DefaultServingImage;
        // The server binds 127.0.0.1 unless told otherwise; in a pod it must listen on every interface.
        var args = new List<string>
        {
            "serve", "--model", ModelPath, "--name", model.Name, "--version", version,
            "--track", track, "--host", "0.0.0.0", "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--grpc-port", GrpcPort.ToString(CultureInfo.InvariantCulture),
        };
        if (effective.Batching is { } batching)
        {
            // The server takes the delay in milliseconds; the spec's duration was validated before rendering.
            var delayMs = Durations.TryParse(batching.MaxDelay, out var delay) ? delay.TotalMilliseconds : 0;
            args.AddRange(["--max-batch-size", batching.MaxBatchSize.ToString(CultureInfo.InvariantCulture),
                "--max-batch-delay", delayMs.ToString("R", CultureInfo.InvariantCulture)]);
        }
        var gpu = pool is not null && effective.ServingResources.Gpus > 0;
        var podLabels = Labels(model.Name, version, track);
        podLabels[RoleLabel] = RoleServing;
        var podSpec = new V1PodSpec
        {
            InitContainers = [FetchModel(model, version, image)],
            Containers =
            [
                new V1Container
                {
                    Name = "server",
                    Image = image,
                    Command = [GitOpsExecutable],
                    Args = args,
                    Ports =
                    [
                        new V1ContainerPort { Name = "http", ContainerPort = Port, Protocol = "TCP" },
                        new V1ContainerPort { Name = "grpc", ContainerPort = GrpcPort, Protocol = "TCP" },
                    ],
                    ReadinessProbe = new V1Probe
                    {
                        HttpGet = new V1HTTPGetAction { Path = "/v2/health/ready", Port = "http" },
                    },
                    Resources = Resources(effective.ServingResources, pool),
                    VolumeMounts =
                    [
                        new V1VolumeMount { Name = "models", MountPath = "/models", ReadOnlyProperty = true },
                        new V1VolumeMount { Name = "model-config", MountPath = "/etc/gitops", ReadOnlyProperty = true },
                    ],
                },
            ],
            Volumes =
            [
                new V1Volume { Name = "models", EmptyDir = new V1EmptyDirVolumeSource() },
                new V1Volume { Name = "model-config", ConfigMap = new V1ConfigMapVolumeSource { Name = ResourceNames.Of(model.Name, "model") } },
            ],
            NodeSelector = gpu && !pool!.NodeSelector.IsEmpty ? new Dictionary<string, string>(pool.NodeSelector) : null,
            Tolerations = gpu && !pool!.Tolerations.IsEmpty ? [.. pool.Tolerations.Select(ToToleration)] : null,
        };
        var deployment = new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Meta(ResourceNames.Of(model.Name, track), model.Name, version, track),
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = Selector(model.Name, track) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = podLabels,
                        Annotations = new Dictionary<string, string>
                        {
                            ["prometheus.io/scrape"] = "true",
                            ["prometheus.io/port"] = Port.ToString(CultureInfo.InvariantCulture),
                            ["prometheus.io/path"] = "/metrics",
                        },
                    },
                    Spec = PodSecurity.Harden(ServingCacheArgs.Apply(ServingToken.Mount(ArtifactToken.Mount(podSpec, env.Spec.Artifacts, podSpec.InitContainers), env.Spec.Serving?.Auth), effective.Cache, env.Spec.Serving)),
                },
            },
        };
        return Finish(deployment);
    }

    /// <summary>The init container that fetches the version's model.onnx from the artifact store into the
    /// <c>models</c> emptyDir, as the serving and batch pods get it.</summary>
    private V1Container FetchModel(ModelSpec model, string version, string image) => new()
    {
        Name = "fetch-model",
        Image = image,
        Command = [GitOpsExecutable],
        Args = ["artifacts", "fetch", "--uri", $"{ArtifactUri(model.Name, version)}/{TrainingContract.ModelFile}", "--out", ModelPath],
        VolumeMounts = [new V1VolumeMount { Name = "models", MountPath = "/models" }],
    };

    private JsonObject ModelService(ModelSpec model, string version, string? track, string? liveTrack = null)
    {
        var name = track is null ? ResourceNames.Of(model.Name) : ResourceNames.Of(model.Name, track);
        var selector = Selector(model.Name, track);
        if (liveTrack is not null)
        {
            selector[ManagedLabels.Track] = liveTrack;
        }
        var service = new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = Meta(name, model.Name, version, track ?? TrackShared),
            Spec = new V1ServiceSpec
            {
                Selector = selector,
                Ports =
                [
                    new V1ServicePort { Name = "http", Port = Port, TargetPort = "http", Protocol = "TCP" },
                    // Plain-text HTTP/2: the appProtocol tells meshes and gateways not to speak HTTP/1.1 to it.
                    new V1ServicePort { Name = "grpc", Port = GrpcPort, TargetPort = "grpc", Protocol = "TCP", AppProtocol = "kubernetes.io/h2c" },
                ],
            },
        };
        return Finish(service);
    }

    private JsonObject Autoscaler(ModelSpec model, string version, Autoscaling autoscaling)
    {
        var hpa = new V2HorizontalPodAutoscaler
        {
            ApiVersion = "autoscaling/v2",
            Kind = "HorizontalPodAutoscaler",
            Metadata = Meta(ResourceNames.Of(model.Name, TrackStable), model.Name, version, TrackStable),
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                ScaleTargetRef = new V2CrossVersionObjectReference
                {
                    ApiVersion = "apps/v1",
                    Kind = "Deployment",
                    Name = ResourceNames.Of(model.Name, TrackStable),
                },
                MinReplicas = autoscaling.MinReplicas,
                MaxReplicas = autoscaling.MaxReplicas,
                Metrics = [.. AutoscalerMetrics(autoscaling)],
            },
        };
        return Finish(hpa);
    }

    /// <summary>
    /// CPU utilisation and/or load per pod. The load metrics are the servers' own series as the custom metrics API
    /// serves them through prometheus-adapter: the in-flight gauge by its name, the request counter as a rate
    /// (<c>_total</c> becomes <c>_per_second</c>, the adapter's usual rule; docs/serving.md).
    /// </summary>
    private static IEnumerable<V2MetricSpec> AutoscalerMetrics(Autoscaling autoscaling)
    {
        if (autoscaling.TargetCpuUtilization is { } cpu)
        {
            yield return new V2MetricSpec
            {
                Type = "Resource",
                Resource = new V2ResourceMetricSource { Name = "cpu", Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = cpu } },
            };
        }
        if (autoscaling.TargetInFlightRequests is { } inFlight)
        {
            yield return PodsMetric(InferenceMetrics.InFlight, inFlight);
        }
        if (autoscaling.TargetRequestsPerSecond is { } rps)
        {
            yield return PodsMetric(RequestsPerSecond, rps);
        }
    }

    /// <summary>The request counter as prometheus-adapter's usual rule serves it: a rate, <c>_total</c> renamed <c>_per_second</c>.</summary>
    public static readonly string RequestsPerSecond = InferenceMetrics.RequestsTotal[..^"_total".Length] + "_per_second";

    private static V2MetricSpec PodsMetric(string name, double target) => new()
    {
        Type = "Pods",
        Pods = new V2PodsMetricSource
        {
            Metric = new V2MetricIdentifier { Name = name },
            Target = new V2MetricTarget { Type = "AverageValue", AverageValue = new ResourceQuantity(target.ToString("0.###", CultureInfo.InvariantCulture)) },
        },
    };

    /// <summary>With <c>minAvailable</c> set, it is used; otherwise a budget of one unavailable pod is rendered
    /// when at least two pods run, and none for a single pod (it would block every node drain).</summary>
    private JsonObject? DisruptionBudget(ModelSpec model, string version, EffectiveModel effective)
    {
        var minPods = effective.Autoscaling?.MinReplicas ?? effective.Replicas;
        if (effective.MinAvailable is null && minPods < 2)
        {
            return null;
        }
        var pdb = new V1PodDisruptionBudget
        {
            ApiVersion = "policy/v1",
            Kind = "PodDisruptionBudget",
            Metadata = Meta(ResourceNames.Of(model.Name), model.Name, version, TrackShared),
            Spec = new V1PodDisruptionBudgetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = Selector(model.Name, null) },
                MinAvailable = effective.MinAvailable is { } min ? min.ToString(CultureInfo.InvariantCulture) : null,
                MaxUnavailable = effective.MinAvailable is null ? "1" : null,
            },
        };
        var obj = Serialize(pdb);
        // IntOrString serialises as a string; the API server keeps integers, so render integers.
        var spec = (JsonObject)obj["spec"]!;
        foreach (var field in new[] { "minAvailable", "maxUnavailable" })
        {
            if (spec[field] is JsonValue v && v.TryGetValue<string>(out var s) && int.TryParse(s, CultureInfo.InvariantCulture, out var n))
            {
                spec[field] = n;
            }
        }
        return Stamp(obj);
    }

    /// <summary>Gateway API: a header match sending chosen requests to the canary (<c>setHeaderRoute</c>), then the
    /// weighted split with a <c>RequestMirror</c> filter copying a share of requests to the canary (<c>mirror</c>).</summary>
    private JsonObject HttpRoute(ModelSpec model, TrafficDecision decision)
    {
        var path = new JsonObject { ["type"] = "PathPrefix", ["value"] = $"/v2/models/{model.Name}" };
        var canaryService = ResourceNames.Of(model.Name, TrackCanary);
        var weighted = decision.Canary is not null && !decision.Preview;
        var backends = new JsonArray
        {
            Backend(decision.LiveOnCanary ? canaryService : ResourceNames.Of(model.Name, TrackStable), weighted ? 100 - decision.CanaryWeight : 100),
        };
        if (weighted)
        {
            backends.Add(Backend(canaryService, decision.CanaryWeight));
        }
        var primary = new JsonObject
        {
            ["matches"] = new JsonArray { new JsonObject { ["path"] = path.DeepClone() } },
            ["backendRefs"] = backends,
        };
        if (weighted && decision.MirrorPercent > 0)
        {
            var mirrored = Backend(canaryService, null);
            primary["filters"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = "RequestMirror",
                    ["requestMirror"] = new JsonObject { ["backendRef"] = mirrored, ["percent"] = decision.MirrorPercent },
                },
            };
        }
        var rules = new JsonArray();
        if (weighted && decision.HeaderRoute is { } header)
        {
            rules.Add(new JsonObject
            {
                ["matches"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["headers"] = new JsonArray { new JsonObject { ["name"] = header.Header, ["type"] = "Exact", ["value"] = header.Value } },
                        ["path"] = path.DeepClone(),
                    },
                },
                ["backendRefs"] = new JsonArray { Backend(canaryService, 100) },
            });
        }
        rules.Add(primary);
        var spec = new JsonObject { ["rules"] = rules };
        if (env.Spec.Gateway is { } gateway)
        {
            var parent = new JsonObject { ["name"] = gateway.Name };
            if (gateway.Namespace is not null)
            {
                parent["namespace"] = gateway.Namespace;
            }
            spec["parentRefs"] = new JsonArray { parent };
        }
        return Custom(ManagedKinds.HttpRoute, ResourceNames.Of(model.Name), model.Name, decision.Stable!, spec);

        static JsonObject Backend(string service, int? w)
        {
            var backend = new JsonObject
            {
                ["group"] = "",
                ["kind"] = "Service",
                ["name"] = service,
                ["port"] = Port,
            };
            if (w is { } weight)
            {
                backend["weight"] = weight;
            }
            return backend;
        }
    }

    /// <summary>Istio: a header <c>match</c> route to the canary, then the weighted routes with <c>mirror</c> and
    /// <c>mirrorPercentage</c>.</summary>
    private JsonObject VirtualService(ModelSpec model, TrafficDecision decision)
    {
        var canaryHost = ResourceNames.Of(model.Name, TrackCanary);
        var weighted = decision.Canary is not null && !decision.Preview;
        var routes = new JsonArray { Destination(decision.LiveOnCanary ? canaryHost : ResourceNames.Of(model.Name, TrackStable), weighted ? 100 - decision.CanaryWeight : 100) };
        if (weighted)
        {
            routes.Add(Destination(canaryHost, decision.CanaryWeight));
        }
        var primary = new JsonObject { ["name"] = "primary", ["route"] = routes };
        if (weighted && decision.MirrorPercent > 0)
        {
            primary["mirror"] = new JsonObject { ["host"] = canaryHost, ["port"] = new JsonObject { ["number"] = Port } };
            primary["mirrorPercentage"] = new JsonObject { ["value"] = decision.MirrorPercent };
        }
        var http = new JsonArray();
        if (weighted && decision.HeaderRoute is { } header)
        {
            http.Add(new JsonObject
            {
                // Istio matches header names in lower case only.
                ["match"] = new JsonArray
                {
                    new JsonObject { ["headers"] = new JsonObject { [header.Header.ToLowerInvariant()] = new JsonObject { ["exact"] = header.Value } } },
                },
                ["name"] = "header-route",
                ["route"] = new JsonArray { Destination(canaryHost, 100) },
            });
        }
        http.Add(primary);
        var spec = new JsonObject
        {
            ["hosts"] = new JsonArray { ResourceNames.Of(model.Name) },
            ["http"] = http,
        };
        return Custom(ManagedKinds.VirtualService, ResourceNames.Of(model.Name), model.Name, decision.Stable!, spec);

        static JsonObject Destination(string host, int w) => new()
        {
            ["destination"] = new JsonObject { ["host"] = host, ["port"] = new JsonObject { ["number"] = Port } },
            ["weight"] = w,
        };
    }

    private JsonObject Custom(ManagedKind kind, string name, string model, string version, JsonObject spec)
    {
        var labels = new JsonObject();
        foreach (var (k, v) in Labels(model, version, TrackShared))
        {
            labels[k] = v;
        }
        var obj = new JsonObject
        {
            ["apiVersion"] = kind.ApiVersion,
            ["kind"] = kind.Kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Ns, ["labels"] = labels },
            ["spec"] = spec,
        };
        return Stamp((JsonObject)CanonicalJson.SortInPlace(obj)!);
    }

    // KubernetesClient's own serializer options (camelCase, nulls omitted, quantity and int-or-string converters),
    // used to build the JSON tree directly instead of writing text and parsing it back.
    private static readonly System.Text.Json.JsonSerializerOptions KubernetesOptions = CaptureKubernetesOptions();

    private static System.Text.Json.JsonSerializerOptions CaptureKubernetesOptions()
    {
        System.Text.Json.JsonSerializerOptions? captured = null;
        KubernetesJson.AddJsonOptions(o => captured = o);
        return captured ?? throw new InvalidOperationException("KubernetesClient did not expose its JSON options");
    }

    private static JsonObject Serialize(object typed) => CanonicalJson.SerializeSorted(typed, KubernetesOptions);

    private JsonObject Finish(object typed) => Stamp(Serialize(typed));

    /// <summary>
    /// Adds the spec-hash (of the object without its annotations) and source-commit annotations. The object is
    /// sorted and has no annotations yet, so the annotations go in at their sorted place in <c>metadata</c>.
    /// </summary>
    private JsonObject Stamp(JsonObject obj)
    {
        var hash = SpecHash.Of(obj);
        var meta = (JsonObject)obj["metadata"]!;
        var annotations = new JsonObject
        {
            [ManagedLabels.SpecHashAnnotation] = hash,
            [ManagedLabels.CommitAnnotation] = commit,
        };
        var index = 0;
        foreach (var (key, _) in meta)
        {
            if (string.CompareOrdinal(key, "annotations") > 0)
            {
                break;
            }
            index++;
        }
        meta.Insert(index, "annotations", annotations);
        return obj;
    }
}

/// <summary>The <c>ml.gitops/spec-hash</c> annotation: 16 hex of the SHA-256 of the object's canonical JSON without annotations.</summary>
public static class SpecHash
{
    public static string Of(JsonObject obj) => CanonicalJson.HashWithoutAnnotations(obj)[..16];
}
