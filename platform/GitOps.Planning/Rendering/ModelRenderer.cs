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
            if (env.Spec.Router == TrafficRouters.GatewayApi && env.Spec.Gateway is { GrpcRoutes: true })
            {
                objects.Add(GrpcRoute(model, decision));
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

    /// <summary>An object rendered beside the models rather than from one model's serving or training: only the
    /// managed-by and environment labels, and the model label when it is about one model (<paramref name="model"/>,
    /// e.g. that model's alert rules), so that the shard converging the model owns it (<see cref="Shard"/>).</summary>
    public JsonObject EnvironmentObject(ManagedKind kind, string name, JsonObject spec, string? model = null)
    {
        var obj = new JsonObject
        {
            ["apiVersion"] = kind.ApiVersion,
            ["kind"] = kind.Kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = Ns,
                ["labels"] = Labels(model),
            },
            ["spec"] = spec,
        };
        return Stamp((JsonObject)CanonicalJson.SortInPlace(obj)!);
    }

    private JsonObject Labels(string? model, params (string Name, string Value)[] more)
    {
        var labels = new JsonObject
        {
            [ManagedLabels.ManagedBy] = ManagedLabels.ManagedByValue,
            [ManagedLabels.Environment] = EnvName,
        };
        if (model is not null)
        {
            labels[ManagedLabels.Model] = model;
        }
        foreach (var (label, value) in more)
        {
            labels[label] = value;
        }
        return labels;
    }

    /// <summary>
    /// A Grafana dashboard as a ConfigMap of the environment, labelled for the Grafana sidecar and annotated with its
    /// folder. The folder is part of the spec hash, so moving the dashboards to another folder re-applies them.
    /// </summary>
    public JsonObject DashboardConfigMap(GrafanaDashboard dashboard, string? folder, string? model = null)
    {
        var obj = new JsonObject
        {
            ["apiVersion"] = ManagedKinds.ConfigMap.ApiVersion,
            ["kind"] = ManagedKinds.ConfigMap.Kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = dashboard.Name,
                ["namespace"] = Ns,
                ["labels"] = Labels(model, (DashboardSet.SidecarLabel, DashboardSet.SidecarLabelValue)),
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

    /// <summary>The canonical text of a validated quantity.</summary>
    private static string Quantity(string text) => Quantities.Canonical(text)
        ?? throw new InvalidOperationException($"the quantity '{text}' reached rendering unvalidated; validate specs (SpecValidator) before rendering");

    private JsonObject Labels(string model, string version, string track) => new()
    {
        [ManagedLabels.ManagedBy] = ManagedLabels.ManagedByValue,
        [ManagedLabels.Environment] = EnvName,
        [ManagedLabels.Model] = model,
        [ManagedLabels.Version] = version,
        [ManagedLabels.Track] = track,
    };

    private JsonObject Selector(string model, string? track)
    {
        var selector = new JsonObject
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

    private JsonObject Meta(string name, string model, string version, string track) =>
        new() { ["name"] = name, ["namespace"] = Ns, ["labels"] = Labels(model, version, track) };

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
        var cm = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = Meta(ResourceNames.Of(model.Name, "model"), model.Name, version, TrackShared),
            ["data"] = new JsonObject { ["model.json"] = CanonicalJson.ToText(signature) },
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
        var envVars = new List<JsonObject>
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
        var container = new JsonObject
        {
            ["name"] = "trainer",
            ["image"] = image,
            // Set explicitly so the Job does not depend on the image's ENTRYPOINT.
            ["command"] = training.Builtin is not null ? new JsonArray(GitOpsExecutable)
                : training.Command.Length > 0 ? PodSpecJson.Strings(training.Command) : null,
            ["args"] = training.Builtin is not null ? new JsonArray("train") : null,
            ["resources"] = Resources(resources, pool),
            ["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "output", ["mountPath"] = TrainingContract.OutputMountPath }),
        };
        PodSpecJson.AddEnv(container, envVars);
        var gpu = pool is not null && resources.Gpus > 0;
        var podSpec = new JsonObject
        {
            ["restartPolicy"] = "Never",
            ["containers"] = new JsonArray(container),
            ["volumes"] = new JsonArray(new JsonObject { ["name"] = "output", ["emptyDir"] = new JsonObject() }),
            ["nodeSelector"] = gpu && !pool!.NodeSelector.IsEmpty ? PodSpecJson.Map(pool.NodeSelector) : null,
            ["tolerations"] = gpu && !pool!.Tolerations.IsEmpty ? Tolerations(pool) : null,
        };
        ArtifactToken.Mount(podSpec, env.Spec.Artifacts, [container]);
        PodSecurity.Harden(podSpec, runAsRoot: training.Image is not null && training.SecurityContext is { RunAsRoot: true });
        // A Job's pod template is immutable: its hash is part of the name, so changing the pool or the image
        // replaces the Job (create + delete) instead of planning an update the API server would reject.
        var templateHash = CanonicalJson.SortedHash(podSpec)[..6];
        var name = ResourceNames.Of(model.Name, "train", version, templateHash);
        var job = new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = Meta(name, model.Name, version, TrackTraining),
            ["spec"] = new JsonObject
            {
                ["backoffLimit"] = model.Spec.Training.Retries,
                ["activeDeadlineSeconds"] = (long)timeout.TotalSeconds,
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = Labels(model.Name, version, TrackTraining) },
                    ["spec"] = podSpec,
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

    private static JsonObject Env(string name, string value) => PodSpecJson.EnvVar(name, value);

    private static JsonArray Tolerations(GpuPool pool) => new([.. pool.Tolerations.Select(t => (JsonNode)new JsonObject
    {
        ["key"] = t.Key,
        ["operator"] = t.Operator,
        ["value"] = t.Value,
        ["effect"] = t.Effect,
        ["tolerationSeconds"] = t.TolerationSeconds,
    })]);

    private static JsonObject? Resources(ResourceRequest request, GpuPool? pool)
    {
        var requests = new JsonObject();
        var limits = new JsonObject();
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
            limits[pool.Resource] = Quantity(request.Gpus.ToString(CultureInfo.InvariantCulture));
        }
        if (requests.Count == 0 && limits.Count == 0)
        {
            return null;
        }
        return new JsonObject
        {
            ["requests"] = requests.Count == 0 ? null : requests,
            ["limits"] = limits.Count == 0 ? null : limits,
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
        var fetch = FetchModel(model, version, image);
        var podSpec = new JsonObject
        {
            ["initContainers"] = new JsonArray(fetch),
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "server",
                ["image"] = image,
                ["command"] = new JsonArray(GitOpsExecutable),
                ["args"] = PodSpecJson.Strings(args),
                ["ports"] = new JsonArray(
                    new JsonObject { ["name"] = "http", ["containerPort"] = Port, ["protocol"] = "TCP" },
                    new JsonObject { ["name"] = "grpc", ["containerPort"] = GrpcPort, ["protocol"] = "TCP" }),
                ["readinessProbe"] = new JsonObject
                {
                    ["httpGet"] = new JsonObject { ["path"] = "/v2/health/ready", ["port"] = "http" },
                },
                ["resources"] = Resources(effective.ServingResources, pool),
                ["volumeMounts"] = new JsonArray(
                    new JsonObject { ["name"] = "models", ["mountPath"] = "/models", ["readOnly"] = true },
                    new JsonObject { ["name"] = "model-config", ["mountPath"] = "/etc/gitops", ["readOnly"] = true }),
            }),
            ["volumes"] = new JsonArray(
                new JsonObject { ["name"] = "models", ["emptyDir"] = new JsonObject() },
                new JsonObject { ["name"] = "model-config", ["configMap"] = new JsonObject { ["name"] = ResourceNames.Of(model.Name, "model") } }),
            ["nodeSelector"] = gpu && !pool!.NodeSelector.IsEmpty ? PodSpecJson.Map(pool.NodeSelector) : null,
            ["tolerations"] = gpu && !pool!.Tolerations.IsEmpty ? Tolerations(pool) : null,
        };
        var deployment = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = Meta(ResourceNames.Of(model.Name, track), model.Name, version, track),
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["selector"] = new JsonObject { ["matchLabels"] = Selector(model.Name, track) },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["labels"] = podLabels,
                        ["annotations"] = new JsonObject
                        {
                            ["prometheus.io/scrape"] = "true",
                            ["prometheus.io/port"] = Port.ToString(CultureInfo.InvariantCulture),
                            ["prometheus.io/path"] = "/metrics",
                        },
                    },
                    ["spec"] = PodSecurity.Harden(ServingCacheArgs.Apply(ServingToken.Mount(ArtifactToken.Mount(podSpec, env.Spec.Artifacts, [fetch]), env.Spec.Serving?.Auth), effective.Cache, env.Spec.Serving)),
                },
            },
        };
        return Finish(deployment);
    }

    /// <summary>The init container that fetches the version's model.onnx from the artifact store into the
    /// <c>models</c> emptyDir, as the serving and batch pods get it.</summary>
    private JsonObject FetchModel(ModelSpec model, string version, string image) => new()
    {
        ["name"] = "fetch-model",
        ["image"] = image,
        ["command"] = new JsonArray(GitOpsExecutable),
        ["args"] = PodSpecJson.Strings(["artifacts", "fetch", "--uri", $"{ArtifactUri(model.Name, version)}/{TrainingContract.ModelFile}", "--out", ModelPath]),
        ["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "models", ["mountPath"] = "/models" }),
    };

    private JsonObject ModelService(ModelSpec model, string version, string? track, string? liveTrack = null)
    {
        var name = track is null ? ResourceNames.Of(model.Name) : ResourceNames.Of(model.Name, track);
        var selector = Selector(model.Name, track);
        if (liveTrack is not null)
        {
            selector[ManagedLabels.Track] = liveTrack;
        }
        var service = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = Meta(name, model.Name, version, track ?? TrackShared),
            ["spec"] = new JsonObject
            {
                ["selector"] = selector,
                ["ports"] = new JsonArray(
                    new JsonObject { ["name"] = "http", ["port"] = Port, ["targetPort"] = "http", ["protocol"] = "TCP" },
                    // Plain-text HTTP/2: the appProtocol tells meshes and gateways not to speak HTTP/1.1 to it.
                    new JsonObject { ["name"] = "grpc", ["port"] = GrpcPort, ["targetPort"] = "grpc", ["protocol"] = "TCP", ["appProtocol"] = "kubernetes.io/h2c" }),
            },
        };
        return Finish(service);
    }

    private JsonObject Autoscaler(ModelSpec model, string version, Autoscaling autoscaling)
    {
        var hpa = new JsonObject
        {
            ["apiVersion"] = "autoscaling/v2",
            ["kind"] = "HorizontalPodAutoscaler",
            ["metadata"] = Meta(ResourceNames.Of(model.Name, TrackStable), model.Name, version, TrackStable),
            ["spec"] = new JsonObject
            {
                ["scaleTargetRef"] = new JsonObject
                {
                    ["apiVersion"] = "apps/v1",
                    ["kind"] = "Deployment",
                    ["name"] = ResourceNames.Of(model.Name, TrackStable),
                },
                ["minReplicas"] = autoscaling.MinReplicas,
                ["maxReplicas"] = autoscaling.MaxReplicas,
                ["metrics"] = new JsonArray([.. AutoscalerMetrics(autoscaling)]),
            },
        };
        return Finish(hpa);
    }

    /// <summary>
    /// CPU utilisation and/or load per pod. The load metrics are the servers' own series as the custom metrics API
    /// serves them through prometheus-adapter: the in-flight gauge by its name, the request counter as a rate
    /// (<c>_total</c> becomes <c>_per_second</c>, the adapter's usual rule; docs/serving.md).
    /// </summary>
    private static IEnumerable<JsonNode> AutoscalerMetrics(Autoscaling autoscaling)
    {
        if (autoscaling.TargetCpuUtilization is { } cpu)
        {
            yield return new JsonObject
            {
                ["type"] = "Resource",
                ["resource"] = new JsonObject
                {
                    ["name"] = "cpu",
                    ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = cpu },
                },
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

    private static JsonObject PodsMetric(string name, double target) => new()
    {
        ["type"] = "Pods",
        ["pods"] = new JsonObject
        {
            ["metric"] = new JsonObject { ["name"] = name },
            ["target"] = new JsonObject
            {
                ["type"] = "AverageValue",
                ["averageValue"] = Quantity(target.ToString("0.###", CultureInfo.InvariantCulture)),
            },
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
        var pdb = new JsonObject
        {
            ["apiVersion"] = "policy/v1",
            ["kind"] = "PodDisruptionBudget",
            ["metadata"] = Meta(ResourceNames.Of(model.Name), model.Name, version, TrackShared),
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["matchLabels"] = Selector(model.Name, null) },
                // Integers, as the API server keeps them (int-or-string fields).
                ["minAvailable"] = effective.MinAvailable,
                ["maxUnavailable"] = effective.MinAvailable is null ? 1 : null,
            },
        };
        var obj = CanonicalJson.Sorted(pdb);
        // The field left unset is written as null, as budgets have always been rendered: leaving it out would change
        // the spec hash of every budget in every cluster and re-apply them all. Keys stay sorted:
        // maxUnavailable < minAvailable < selector.
        var spec = (JsonObject)obj["spec"]!;
        if (effective.MinAvailable is null)
        {
            spec.Insert(1, "minAvailable", null);
        }
        else
        {
            spec.Insert(0, "maxUnavailable", null);
        }
        return Stamp(obj);
    }

    /// <summary>Gateway API: a header match sending chosen requests to the canary (<c>setHeaderRoute</c>), then the
    /// weighted split with a <c>RequestMirror</c> filter copying a share of requests to the canary (<c>mirror</c>).</summary>
    private JsonObject HttpRoute(ModelSpec model, TrafficDecision decision)
    {
        var path = new JsonObject { ["type"] = "PathPrefix", ["value"] = $"/v2/models/{model.Name}" };
        var spec = new JsonObject { ["rules"] = RouteRules(model.Name, decision, Port, path) };
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
    }

    /// <summary>Gateway API mesh mode (<c>spec.gateway.grpcRoutes</c>): a GRPCRoute attached to the gRPC port of the
    /// model's Service, with the same header route, weights and mirror as its HTTPRoute, so gRPC clients of that
    /// Service in a mesh that implements it follow the canary (a Gateway cannot tell models apart in gRPC calls, which
    /// name the model in the message).</summary>
    private JsonObject GrpcRoute(ModelSpec model, TrafficDecision decision)
    {
        var spec = new JsonObject
        {
            ["rules"] = RouteRules(model.Name, decision, GrpcPort, path: null),
            ["parentRefs"] = new JsonArray
            {
                new JsonObject { ["group"] = "", ["kind"] = "Service", ["name"] = ResourceNames.Of(model.Name), ["port"] = GrpcPort },
            },
        };
        return Custom(ManagedKinds.GrpcRoute, ResourceNames.Of(model.Name), model.Name, decision.Stable!, spec);
    }

    /// <summary>The rules of a Gateway API route to <paramref name="port"/> of the track Services: the header route to
    /// the canary, then the weighted split (with its mirror); every match also has <paramref name="path"/> when given.</summary>
    private static JsonArray RouteRules(string model, TrafficDecision decision, int port, JsonObject? path)
    {
        var canaryService = ResourceNames.Of(model, TrackCanary);
        var weighted = decision.Canary is not null && !decision.Preview;
        var backends = new JsonArray
        {
            Backend(decision.LiveOnCanary ? canaryService : ResourceNames.Of(model, TrackStable), weighted ? 100 - decision.CanaryWeight : 100),
        };
        if (weighted)
        {
            backends.Add(Backend(canaryService, decision.CanaryWeight));
        }
        var primary = new JsonObject();
        if (path is not null)
        {
            primary["matches"] = new JsonArray { new JsonObject { ["path"] = path.DeepClone() } };
        }
        primary["backendRefs"] = backends;
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
            var match = new JsonObject
            {
                ["headers"] = new JsonArray { new JsonObject { ["name"] = header.Header, ["type"] = "Exact", ["value"] = header.Value } },
            };
            if (path is not null)
            {
                match["path"] = path.DeepClone();
            }
            rules.Add(new JsonObject
            {
                ["matches"] = new JsonArray { match },
                ["backendRefs"] = new JsonArray { Backend(canaryService, 100) },
            });
        }
        rules.Add(primary);
        return rules;

        JsonObject Backend(string service, int? w)
        {
            var backend = new JsonObject
            {
                ["group"] = "",
                ["kind"] = "Service",
                ["name"] = service,
                ["port"] = port,
            };
            if (w is { } weight)
            {
                backend["weight"] = weight;
            }
            return backend;
        }
    }

    /// <summary>Istio: a header <c>match</c> route to the canary, then the weighted routes with <c>mirror</c> and
    /// <c>mirrorPercentage</c>, once per port of the model's Service. A route without a port match would take the gRPC
    /// port's requests too and send them to the REST port of the destination, so each route matches its port and
    /// keeps it: gRPC clients of the model's Service follow the same weights, header route and mirror as REST ones.</summary>
    private JsonObject VirtualService(ModelSpec model, TrafficDecision decision)
    {
        var canaryHost = ResourceNames.Of(model.Name, TrackCanary);
        var liveHost = decision.LiveOnCanary ? canaryHost : ResourceNames.Of(model.Name, TrackStable);
        var weighted = decision.Canary is not null && !decision.Preview;
        (int Number, string Suffix)[] ports = [(Port, ""), (GrpcPort, "-grpc")];
        var http = new JsonArray();
        if (weighted && decision.HeaderRoute is { } header)
        {
            foreach (var (port, suffix) in ports)
            {
                http.Add(new JsonObject
                {
                    // Istio matches header names in lower case only.
                    ["match"] = new JsonArray
                    {
                        new JsonObject
                        {
                            ["headers"] = new JsonObject { [header.Header.ToLowerInvariant()] = new JsonObject { ["exact"] = header.Value } },
                            ["port"] = port,
                        },
                    },
                    ["name"] = "header-route" + suffix,
                    ["route"] = new JsonArray { Destination(canaryHost, port, 100) },
                });
            }
        }
        foreach (var (port, suffix) in ports)
        {
            var routes = new JsonArray { Destination(liveHost, port, weighted ? 100 - decision.CanaryWeight : 100) };
            if (weighted)
            {
                routes.Add(Destination(canaryHost, port, decision.CanaryWeight));
            }
            var primary = new JsonObject
            {
                ["match"] = new JsonArray { new JsonObject { ["port"] = port } },
                ["name"] = "primary" + suffix,
                ["route"] = routes,
            };
            if (weighted && decision.MirrorPercent > 0)
            {
                primary["mirror"] = new JsonObject { ["host"] = canaryHost, ["port"] = new JsonObject { ["number"] = port } };
                primary["mirrorPercentage"] = new JsonObject { ["value"] = decision.MirrorPercent };
            }
            http.Add(primary);
        }
        var spec = new JsonObject
        {
            ["hosts"] = new JsonArray { ResourceNames.Of(model.Name) },
            ["http"] = http,
        };
        return Custom(ManagedKinds.VirtualService, ResourceNames.Of(model.Name), model.Name, decision.Stable!, spec);

        static JsonObject Destination(string host, int port, int w) => new()
        {
            ["destination"] = new JsonObject { ["host"] = host, ["port"] = new JsonObject { ["number"] = port } },
            ["weight"] = w,
        };
    }

    private JsonObject Custom(ManagedKind kind, string name, string model, string version, JsonObject spec)
    {
        var obj = new JsonObject
        {
            ["apiVersion"] = kind.ApiVersion,
            ["kind"] = kind.Kind,
            ["metadata"] = Meta(name, model, version, TrackShared),
            ["spec"] = spec,
        };
        return Stamp((JsonObject)CanonicalJson.SortInPlace(obj)!);
    }

    /// <summary>An object built in code, in canonical form and stamped.</summary>
    private JsonObject Finish(JsonObject built) => Stamp(CanonicalJson.Sorted(built));

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
