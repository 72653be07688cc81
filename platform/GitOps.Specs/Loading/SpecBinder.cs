using System.Collections.Immutable;
using GitOps.Specs.Model;
using GitOps.Specs.Yaml;

namespace GitOps.Specs.Loading;

/// <summary>
/// Binds a schema-valid document tree to the spec records. Total: a value of an unexpected shape binds to the
/// field's default instead of throwing (the schema check has already reported it).
/// </summary>
internal static class SpecBinder
{
    public static SpecObject Bind(string kind, Metadata metadata, SpecOrigin origin, YMapping? spec) => kind switch
    {
        SpecKinds.Environment => new EnvironmentSpec(metadata, origin, Environment(spec)),
        SpecKinds.Model => new ModelSpec(metadata, origin, Model(spec)),
        SpecKinds.Experiment => new ExperimentSpec(metadata, origin, Experiment(spec)),
        SpecKinds.QualityGate => new QualityGateSpec(metadata, origin, QualityGate(spec)),
        SpecKinds.RolloutPolicy => new RolloutPolicySpec(metadata, origin, RolloutPolicy(spec)),
        _ => new PolicySpec(metadata, origin, Policy(spec)),
    };

    public static Metadata Metadata(YMapping? metadata) =>
        new(Str(metadata, "name") ?? "", StrMap(metadata, "labels"), StrMap(metadata, "annotations"));

    private static EnvironmentBody Environment(YMapping? s)
    {
        var cluster = Map(s, "cluster");
        var k8s = Map(cluster, "kubernetes");
        var local = Map(cluster, "local");
        var gateway = Map(s, "gateway");
        var promotion = Map(s, "promotion");
        return new EnvironmentBody
        {
            Cluster = new ClusterTarget(
                k8s is null ? null : new KubernetesTarget(Str(k8s, "context"), Bool(k8s, "inCluster") ?? false),
                local is null ? null : new LocalTarget(Str(local, "stateDir"))),
            Namespace = Str(s, "namespace") ?? "",
            Router = Str(s, "router") ?? TrafficRouters.GatewayApi,
            Gateway = gateway is null ? null : new GatewayRef(Str(gateway, "name") ?? "", Str(gateway, "namespace"), Bool(gateway, "grpcRoutes") ?? false),
            Prometheus = Map(s, "prometheus") is { } p ? new PrometheusTarget(Str(p, "url") ?? "", Bool(p, "rules") ?? false, Str(p, "runbookUrl")) : null,
            Grafana = Map(s, "grafana") is { } g ? new GrafanaTarget(Bool(g, "dashboards") ?? false, Str(g, "folder")) : null,
            Artifacts = Map(s, "artifacts") is { } a
                ? new ArtifactStore(Str(a, "uri") ?? "", SecretKey(Map(a, "tokenSecretRef")),
                    Map(a, "s3") is { } s3 ? new S3Endpoint(Str(s3, "region"), Str(s3, "endpoint"), Bool(s3, "forcePathStyle") ?? false) : null)
                : null,
            GpuPools = [.. Maps(s, "gpuPools").Select(GpuPool)],
            Promotion = promotion is null ? null : new Promotion(Str(promotion, "from") ?? "", Str(promotion, "soak")),
            SelfHeal = Bool(s, "selfHeal") ?? true,
            Policies = Strs(s, "policies"),
            ServingImage = Str(s, "servingImage"),
            TrainerImage = Str(s, "trainerImage"),
            PodSecurity = Str(s, "podSecurity") ?? PodSecurityLevels.Restricted,
            NetworkPolicy = Map(s, "networkPolicy") is { } np ? NetworkPolicy(np) : null,
            Serving = Map(s, "serving") is { } serving ? new EnvironmentServing
            {
                Auth = SecretKey(Map(Map(serving, "auth"), "secretRef")) is { } secret ? new ServingAuth(secret) : null,
                CacheRedis = Map(Map(serving, "cache"), "redis") is { } redis
                    ? new RedisEndpoint(Str(redis, "address") ?? "", SecretKey(Map(redis, "passwordSecretRef")))
                    : null,
            } : null,
        };
    }

    private static SecretKeyRef? SecretKey(YMapping? m) =>
        m is null ? null : new SecretKeyRef(Str(m, "name") ?? "", Str(m, "key") ?? SecretKeyRef.DefaultKey);

    private static NetworkPolicySettings NetworkPolicy(YMapping m) => new()
    {
        Clients = [.. Maps(m, "clients").Select(Peer)],
        Prometheus = Map(m, "prometheus") is { } p ? Peer(p) : null,
        Dns = Map(m, "dns") is { } d ? Peer(d) : null,
        Egress = [.. Maps(m, "egress").Select(Peer)],
        DefaultDeny = Bool(m, "defaultDeny") ?? false,
    };

    private static NetworkPeer Peer(YMapping p) => new()
    {
        Namespace = Str(p, "namespace"),
        PodLabels = StrMap(p, "podLabels"),
        Cidr = Str(p, "cidr"),
        Ports = [.. Scalars(p, "ports").Select(x => x.Value is long l ? (int)Math.Clamp(l, 0, 65535) : 0)],
    };

    private static GpuPool GpuPool(YMapping p) => new()
    {
        Name = Str(p, "name") ?? "",
        Resource = Str(p, "resource") ?? "nvidia.com/gpu",
        NodeSelector = StrMap(p, "nodeSelector"),
        Tolerations = [.. Maps(p, "tolerations").Select(t =>
            new Toleration(Str(t, "key") ?? "", Str(t, "operator") ?? "Equal", Str(t, "value"), Str(t, "effect"),
                t.Get("tolerationSeconds") is YScalar { Value: long seconds } ? seconds : null))],
        PricePerGpuHour = Decimal(p, "pricePerGpuHour") ?? 0m,
        Quota = Int(p, "quota") ?? 0,
    };

    private static ModelBody Model(YMapping? s)
    {
        var training = Map(s, "training");
        var builtin = Map(training, "builtin");
        var dataset = Map(training, "dataset");
        return new ModelBody
        {
            Owner = Str(s, "owner") ?? "",
            Description = Str(s, "description"),
            Task = Str(s, "task") ?? "",
            Inputs = [.. Maps(s, "inputs").Select(Tensor)],
            Outputs = [.. Maps(s, "outputs").Select(Tensor)],
            Label = Str(s, "label"),
            Training = new TrainingSpec
            {
                Builtin = builtin is null ? null : new BuiltinTrainer(Str(builtin, "algorithm") ?? "", Int(builtin, "seed") ?? 0),
                Image = Str(training, "image"),
                Command = Strs(training, "command"),
                Dataset = new DatasetRef(Str(dataset, "uri") ?? "", Str(dataset, "sha256") ?? ""),
                Hyperparameters = StrMap(training, "hyperparameters"),
                Resources = Resources(Map(training, "resources")) ?? new ResourceRequest(),
                Timeout = Str(training, "timeout") ?? "1h",
                Retries = Int(training, "retries") ?? 2,
                SecurityContext = Map(training, "securityContext") is { } sc ? new TrainerSecurity(Bool(sc, "runAsRoot") ?? false) : null,
                Retrain = Map(training, "retrain") is { } retrain ? Retrain(retrain) : null,
            },
            Gates = Strs(s, "gates"),
            Serving = Serving(Map(s, "serving")) ?? new ServingSpec(),
            Rollout = Str(s, "rollout"),
            Environments = Strs(s, "environments"),
            Overrides = Overrides(Map(s, "overrides")),
            Monitoring = Map(s, "monitoring") is { } monitoring ? Monitoring(monitoring) : null,
            Batch = Map(s, "batch") is { } batch ? Batch(batch) : null,
        };
    }

    private static BatchSpec Batch(YMapping b) => new()
    {
        Schedule = Str(b, "schedule") ?? "",
        Input = Str(b, "input") ?? "",
        Output = Str(b, "output") ?? "",
        OnError = Str(b, "onError") ?? BatchErrorModes.Fail,
        MaxErrors = Int(b, "maxErrors"),
        BatchSize = Int(b, "batchSize") ?? BatchErrorModes.DefaultBatchSize,
        Keys = Strs(b, "keys"),
        Environments = Strs(b, "environments"),
    };

    private static RetrainSpec Retrain(YMapping r) => new()
    {
        UriTemplate = Str(r, "uriTemplate") ?? "",
        Schedule = Str(r, "schedule"),
        OnDrift = Map(r, "onDrift") is { } d
            ? new DriftTrigger(Str(d, "metric") ?? DriftTriggerMetrics.Score, Str(d, "feature"), Double(d, "threshold"), Str(d, "for") ?? "1h")
            : null,
        MinInterval = Str(r, "minInterval") ?? "1d",
    };

    private static MonitoringSpec Monitoring(YMapping m)
    {
        var slo = Map(m, "slo");
        var latency = Map(slo, "latency");
        var drift = Map(m, "drift");
        var quality = Map(m, "dataQuality");
        return new MonitoringSpec
        {
            Slo = slo is null ? null : new ServiceLevels(Double(slo, "availability"),
                latency is null ? null : new LatencyObjective(Str(latency, "threshold") ?? "", Double(latency, "objective") ?? 99),
                Str(slo, "window") ?? "30d"),
            Drift = drift is null ? null : new DriftLimits(Double(drift, "threshold") ?? 0.2,
                Map(drift, "features") is { } features
                    ? features.Entries.ToImmutableSortedDictionary(e => e.Key.Text,
                        e => Number(e.Value.Resolved) ?? 0.2, StringComparer.Ordinal)
                    : ImmutableSortedDictionary<string, double>.Empty,
                Double(drift, "score") ?? 0.2, Str(drift, "for") ?? "30m"),
            DataQuality = quality is null ? null : new DataQualityLimits(Double(quality, "missingRate") ?? 0.01,
                Double(quality, "outOfRangeRate") ?? 0.05, Str(quality, "for") ?? "15m"),
            Kpis = [.. Maps(m, "kpis").Select(k => new BusinessKpi(Str(k, "name") ?? "", Str(k, "query") ?? "", Str(k, "description"),
                Map(k, "alert") is { } a ? new KpiAlert(Double(a, "below"), Double(a, "above"), Str(a, "for") ?? "15m", Str(a, "severity") ?? "ticket") : null))],
        };
    }

    private static ImmutableSortedDictionary<string, ModelOverride> Overrides(YMapping? m)
    {
        if (m is null)
        {
            return ImmutableSortedDictionary<string, ModelOverride>.Empty;
        }
        var builder = ImmutableSortedDictionary.CreateBuilder<string, ModelOverride>(StringComparer.Ordinal);
        foreach (var entry in m.Entries)
        {
            var o = entry.Value.Resolved as YMapping;
            builder[entry.Key.Text] = new ModelOverride
            {
                Serving = Serving(Map(o, "serving")),
                Rollout = Str(o, "rollout"),
                Gates = o?.Get("gates") is YSequence ? Strs(o, "gates") : null,
                TrainingResources = Resources(Map(o, "trainingResources")),
            };
        }
        return builder.ToImmutable();
    }

    private static TensorSpec Tensor(YMapping t) =>
        new(Str(t, "name") ?? "", Str(t, "type") ?? "", [.. Scalars(t, "shape").Select(x => x.Value is long l ? l : -1L)]);

    private static ResourceRequest? Resources(YMapping? r) => r is null
        ? null
        : new ResourceRequest { Cpu = Str(r, "cpu"), Memory = Str(r, "memory"), Gpus = Int(r, "gpus") ?? 0, Pool = Str(r, "pool") };

    private static ServingSpec? Serving(YMapping? s)
    {
        if (s is null)
        {
            return null;
        }
        var autoscaling = Map(s, "autoscaling");
        var batching = Map(s, "batching");
        var cache = Map(s, "cache");
        return new ServingSpec
        {
            Replicas = Int(s, "replicas"),
            Autoscaling = autoscaling is null
                ? null
                : new Autoscaling(Int(autoscaling, "minReplicas") ?? 1, Int(autoscaling, "maxReplicas") ?? 1,
                    Int(autoscaling, "targetCpuUtilization") ?? (Double(autoscaling, "targetInFlightRequests") is null && Double(autoscaling, "targetRequestsPerSecond") is null ? 80 : null))
                {
                    TargetInFlightRequests = Double(autoscaling, "targetInFlightRequests"),
                    TargetRequestsPerSecond = Double(autoscaling, "targetRequestsPerSecond"),
                },
            Resources = Resources(Map(s, "resources")),
            Batching = batching is null ? null : new Batching(Int(batching, "maxBatchSize") ?? 1, Str(batching, "maxDelay") ?? "5ms"),
            Cache = cache is null ? null : new ServingCache(Str(cache, "store") ?? CacheStores.Off) { MaxBytes = Str(cache, "maxBytes"), Ttl = Str(cache, "ttl") },
            MinAvailable = Int(s, "minAvailable"),
        };
    }

    private static ExperimentBody Experiment(YMapping? s)
    {
        var search = Map(s, "search");
        var objective = Map(s, "objective");
        var early = Map(s, "earlyStopping");
        return new ExperimentBody
        {
            Model = Str(s, "model") ?? "",
            Search = new SearchSpace(Str(search, "method") ?? "", [.. Maps(search, "parameters").Select(p =>
                new SearchParameter(Str(p, "name") ?? "",
                    p.Get("values") is YSequence ? Strs(p, "values") : [],
                    Double(p, "min"), Double(p, "max"), Str(p, "scale") ?? "linear"))], Int(search, "seed") ?? 0),
            Objective = new Objective(Str(objective, "metric") ?? "", Str(objective, "direction") ?? ""),
            MaxTrials = Int(s, "maxTrials") ?? 10,
            Parallelism = Int(s, "parallelism") ?? 1,
            EarlyStopping = early is null ? null : new EarlyStopping(Str(early, "rule") ?? "median", Int(early, "minTrials") ?? 3, Int(early, "startStep") ?? 1),
            Promote = Str(s, "promote") ?? "none",
        };
    }

    private static QualityGateBody QualityGate(YMapping? s) => new()
    {
        Rules = [.. Maps(s, "rules").Select(r => new GateRule(Str(r, "name") ?? "", Str(r, "condition") ?? "", Str(r, "message")))],
        OnNoChampion = Str(s, "onNoChampion") ?? "pass",
    };

    private static RolloutPolicyBody RolloutPolicy(YMapping? s) => new()
    {
        Strategy = Str(s, "strategy") ?? "",
        Steps = [.. Maps(s, "steps").Select(Step)],
        Analysis = [.. Maps(s, "analysis").Select(a => new AnalysisTemplate
        {
            Name = Str(a, "name") ?? "",
            Query = Str(a, "query") ?? "",
            Kpi = Str(a, "kpi"),
            SuccessCondition = Str(a, "successCondition"),
            FailureCondition = Str(a, "failureCondition"),
            Interval = Str(a, "interval") ?? "1m",
            Count = Int(a, "count") ?? 5,
            FailureLimit = Int(a, "failureLimit") ?? 0,
            InconclusiveLimit = Int(a, "inconclusiveLimit") ?? 0,
            ErrorLimit = Int(a, "errorLimit") ?? 4,
            MinSamples = Int(a, "minSamples") ?? 0,
            OnNoData = Str(a, "onNoData") ?? "inconclusive",
        })],
        OnInconclusive = Str(s, "onInconclusive") ?? "pause",
        AutomaticRollback = Bool(s, "automaticRollback") ?? true,
        ProgressDeadline = Str(s, "progressDeadline") ?? "10m",
        ScaleDownDelay = Str(s, "scaleDownDelay") ?? "30s",
        BackgroundAnalysis = Map(s, "backgroundAnalysis") is { } background
            ? new BackgroundAnalysis { Templates = Strs(background, "templates"), StartingStep = Int(background, "startingStep") ?? 0 }
            : null,
    };

    private static RolloutStep Step(YMapping step)
    {
        var pause = Map(step, "pause");
        var analysis = Map(step, "analysis");
        var header = Map(step, "setHeaderRoute");
        var mirror = Map(step, "mirror");
        return new RolloutStep
        {
            SetWeight = Int(step, "setWeight"),
            Pause = Str(pause, "duration"),
            PauseUntilPromoted = pause is not null && Str(pause, "duration") is null,
            Analysis = analysis is null ? null : Strs(analysis, "templates"),
            SetHeaderRoute = header is null ? null : new HeaderRoute(Str(header, "name") ?? "", Str(header, "header") ?? "", Str(header, "value") ?? ""),
            Mirror = mirror is null ? null : Int(mirror, "percent") ?? 0,
        };
    }

    private static PolicyBody Policy(YMapping? s)
    {
        var match = Map(s, "match");
        return new PolicyBody
        {
            Match = new PolicyMatch(Strs(match, "kinds"), Strs(match, "environments")),
            Rules = [.. Maps(s, "rules").Select(r => new PolicyRule(Str(r, "name") ?? "", Str(r, "expression") ?? "",
                Str(r, "message") ?? "", Str(r, "severity") ?? "error"))],
        };
    }

    // Accessors: total over any tree shape.

    private static YMapping? Map(YMapping? m, string key) => m?.Get(key) as YMapping;

    private static IEnumerable<YMapping> Maps(YMapping? m, string key) =>
        m?.Get(key) is YSequence s ? s.Items.Select(i => i.Resolved).OfType<YMapping>() : [];

    private static IEnumerable<YScalar> Scalars(YMapping? m, string key) =>
        m?.Get(key) is YSequence s ? s.Items.Select(i => i.Resolved).OfType<YScalar>() : [];

    /// <summary>The scalar text as written (numbers keep their spelling, e.g. <c>0.10</c>); null for null or non-scalars.</summary>
    private static string? Str(YMapping? m, string key) => m?.Get(key) is YScalar { Value: not null } s ? s.Text : null;

    private static ImmutableArray<string> Strs(YMapping? m, string key) =>
        [.. Scalars(m, key).Where(s => s.Value is not null).Select(s => s.Text)];

    private static ImmutableSortedDictionary<string, string> StrMap(YMapping? m, string key)
    {
        if (Map(m, key) is not { } map)
        {
            return ImmutableSortedDictionary<string, string>.Empty;
        }
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var entry in map.Entries)
        {
            if (entry.Value.Resolved is YScalar { Value: not null } v)
            {
                builder[entry.Key.Text] = v.Text;
            }
        }
        return builder.ToImmutable();
    }

    private static int? Int(YMapping? m, string key) => m?.Get(key) is YScalar { Value: long l }
        ? (int)Math.Clamp(l, int.MinValue, int.MaxValue)
        : null;

    private static double? Double(YMapping? m, string key) => Number(m?.Get(key));

    private static double? Number(YNode? node) => node is YScalar s
        ? s.Value switch { long l => l, double d => d, _ => null }
        : null;

    private static decimal? Decimal(YMapping? m, string key) => m?.Get(key) is YScalar s
        ? s.Value switch
        {
            long l => l,
            double d when double.IsFinite(d) && Math.Abs(d) < 1e15 => (decimal)d,
            _ => null,
        }
        : null;

    private static bool? Bool(YMapping? m, string key) => m?.Get(key) is YScalar { Value: bool b } ? b : null;
}
