using System.Collections.Frozen;
using GitOps.Specs.Model;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using static GitOps.Specs.Schemas.SchemaDsl;

namespace GitOps.Specs;

/// <summary>
/// The JSON Schema (draft 2020-12 keywords that NJsonSchema enforces) of every spec kind. The loader validates each
/// document against its kind's schema; <c>gitops schema --out DIR</c> writes them for editors.
/// </summary>
public static class SpecSchemas
{
    private static readonly Lazy<FrozenDictionary<string, JObject>> Objects = new(BuildAll);
    private static readonly Lazy<FrozenDictionary<string, string>> Texts =
        new(() => Objects.Value.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToString(Formatting.Indented) + "\n", StringComparer.Ordinal));

    /// <summary>Kind → schema text (JSON, indented, ending with a newline).</summary>
    public static IReadOnlyDictionary<string, string> All => Texts.Value;

    /// <summary>File name a kind's schema is written to: <c>model.schema.json</c>.</summary>
    public static string FileName(string kind) => kind.ToLowerInvariant() + ".schema.json";

    internal static JObject Of(string kind) => Objects.Value[kind];

    private static FrozenDictionary<string, JObject> BuildAll() => new Dictionary<string, JObject>
    {
        [SpecKinds.Environment] = Document(SpecKinds.Environment, "A deployment target: cluster, namespace, GPU pools, traffic router and promotion.", EnvironmentSpec()),
        [SpecKinds.Model] = Document(SpecKinds.Model, "What to train, how to check it and how to serve and roll it out.", ModelSpec()),
        [SpecKinds.Experiment] = Document(SpecKinds.Experiment, "A hyperparameter search over a model's training.", ExperimentSpec()),
        [SpecKinds.QualityGate] = Document(SpecKinds.QualityGate, "CEL conditions a new version must meet against the champion before rollout.", QualityGateSpec()),
        [SpecKinds.RolloutPolicy] = Document(SpecKinds.RolloutPolicy, "How a new version reaches users, measured by Prometheus analysis.", RolloutPolicySpec()),
        [SpecKinds.Policy] = Document(SpecKinds.Policy, "Organisation guardrails as CEL rules over spec documents.", PolicySpec()),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static JObject Document(string kind, string description, JObject spec)
    {
        var o = Obj(description,
            R("apiVersion", Enum("API version of the document.", [SpecKinds.ApiVersion])),
            R("kind", Enum("Kind of the document.", [kind])),
            R("metadata", Obj("Name and labels of the document.",
                R("name", Name("Unique name among documents of this kind (DNS-1123 label).")),
                P("labels", Map("Labels; keys and values follow the Kubernetes label rules (GITOPS0222).", Str("Label value."))),
                P("annotations", Map("Annotations; keys follow the Kubernetes annotation rules, at most 256 KiB in all (GITOPS0223).", Str("Annotation value."))))),
            R("spec", spec));
        var schema = new JObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = kind,
        };
        foreach (var p in o.Properties())
        {
            schema[p.Name] = p.Value;
        }
        return schema;
    }

    private static JObject Duration(string description, string? @default = null) =>
        Str(description + " A duration such as 30s, 5m or 1h30m.", @default: @default);

    private static JObject EnvironmentSpec() => Obj("Environment settings.",
        R("cluster", OneKey("Where the environment runs: exactly one of kubernetes or local.",
            P("kubernetes", Obj("A Kubernetes cluster.",
                P("context", Str("kubeconfig context to use.", minLength: 1)),
                P("inCluster", Bool("Use the service account of the pod the reconciler runs in.", false)))),
            P("local", Obj("The embedded local driver (processes on this machine).",
                P("stateDir", Str("Folder for the local driver's state.", minLength: 1)))))),
        R("namespace", Name("Kubernetes namespace the environment's objects live in; its own on its cluster: two environments on one cluster never share one (GITOPS0227).")),
        P("router", Enum("Traffic router used for canaries.", TrafficRouters.All, TrafficRouters.GatewayApi)),
        P("gateway", Obj("Parent Gateway of the HTTPRoutes when router is gatewayApi.",
            R("name", Name("Gateway name.")),
            P("namespace", Name("Gateway namespace (defaults to the environment's namespace).")),
            P("grpcRoutes", Bool("Also render a GRPCRoute per model attached to the model's Service (Gateway API mesh mode), with the canary's weights and header route, so gRPC clients in a mesh that implements it follow canaries; needs the GRPCRoute CRD (Gateway API v1.1 or later).", false)))),
        P("prometheus", Obj("Prometheus used for rollout analysis.",
            R("url", Str("Base URL, e.g. http://prometheus:9090.", "^https?://", 8)),
            P("rules", Bool("Render PrometheusRule objects (monitoring.coreos.com/v1) with the platform's and each model's alert rules; needs the Prometheus operator's CRDs (docs/monitoring.md).", false)),
            P("runbookUrl", Str("Where alerts link their runbook: the URL of docs/runbooks.md as the team reads it, e.g. the repository's web view.", "^https?://", 8)))),
        P("grafana", Obj("Grafana dashboards of the platform and of each model served here (docs/monitoring.md).",
            P("dashboards", Bool("Render one ConfigMap per dashboard labelled grafana_dashboard: \"1\", which the Grafana sidecar (k8s-sidecar, as in the Grafana Helm chart) loads; each dashboard asks for a Prometheus data source through its datasource variable.", false)),
            P("folder", Str("Grafana folder the dashboards go in, as the ConfigMaps' grafana_folder annotation (set the sidecar's folderAnnotation to grafana_folder).", minLength: 1)))),
        P("artifacts", Obj("Where trained models are stored.",
            R("uri", Str("Artifact store URI: file://, a plain path (a mounted volume), http:// or https:// (GET to fetch, PUT to publish), or s3://bucket/prefix (AWS S3 or an S3-compatible server; credentials from the AWS standard chain: IRSA or Pod Identity, AWS_* variables, a profile).", minLength: 1)),
            P("s3", Obj("How to reach an s3:// store; given to training and serving pods as AWS_REGION, AWS_ENDPOINT_URL_S3 and GITOPS_S3_FORCE_PATH_STYLE.",
                P("region", Str("Bucket region, e.g. eu-west-1 (default: the AWS SDK's region chain).", "^[a-z0-9-]+$", 1)),
                P("endpoint", Str("Endpoint override for S3-compatible servers (MinIO, Ceph, a cloud's S3 gateway), e.g. https://minio.storage:9000.", "^https?://", 8)),
                P("forcePathStyle", Bool("Address objects as ENDPOINT/BUCKET/KEY instead of BUCKET.ENDPOINT/KEY (most S3-compatible servers need it).", false)))),
            P("tokenSecretRef", SecretKey("The Secret in the environment's namespace holding the bearer token of an http(s) store; it is mounted as a file into training pods and the model fetch of serving pods (GITOPS_ARTIFACTS_TOKEN_FILE), never put in an environment variable, the plan or the status.")))),
        P("gpuPools", Arr("GPU node pools workloads may request GPUs from.", Obj("A GPU node pool.",
            R("name", Name("Pool name, referenced by resources.pool.")),
            P("resource", Str("Extended resource name the device plugin advertises, with a domain prefix outside kubernetes.io (GITOPS0225).", @default: "nvidia.com/gpu", minLength: 1)),
            P("nodeSelector", Map("Node labels that select the pool's nodes; keys and values follow the Kubernetes label rules (GITOPS0222).", Str("Label value."))),
            P("tolerations", Arr("Tolerations added to pods on this pool.", Obj("A Kubernetes toleration.",
                R("key", Str("Taint key, a Kubernetes qualified name (GITOPS0224).", minLength: 1)),
                P("operator", Enum("Toleration operator.", ["Equal", "Exists"], "Equal")),
                P("value", Str("Taint value (with Equal).")),
                P("effect", Enum("Taint effect (all effects when omitted).", ["NoSchedule", "PreferNoSchedule", "NoExecute"])),
                P("tolerationSeconds", Int("How long pods stay bound after a NoExecute taint appears (only with effect NoExecute; forever when omitted)."))))),
            P("pricePerGpuHour", Num("Price of one GPU for one hour, in the organisation's currency.", 0, null, 0)),
            R("quota", Int("Most GPUs one workload may request from this pool.", 0, 4096))))),
        P("promotion", Obj("Where versions come from: this environment never trains; it deploys the exact artifact (same sha256) the source environment served as stable for the soak (docs/registry.md).",
            R("from", Name("Environment whose stable artifacts this one receives.")),
            P("soak", Duration("How long the source must have served a version as stable (by its deploy history) before it is received here; none means at once.")))),
        P("selfHeal", Bool("Re-apply objects edited by hand in the cluster.", true)),
        P("policies", Arr("Names of Policy documents in force here (besides those matching by environment).", Name("Policy name."), unique: true)),
        P("servingImage", Str("Image of the inference server run by serving Deployments.", minLength: 1)),
        P("trainerImage", Str("Image of the builtin trainer run by training Jobs.", minLength: 1)),
        P("podSecurity", Enum("Pod Security Standard the namespace enforces (pod-security.kubernetes.io/enforce). Every rendered pod is checked against it by plan and render (GITOPS0620); restricted refuses custom trainers that run as root (GITOPS0408).", PodSecurityLevels.All, PodSecurityLevels.Restricted)),
        P("networkPolicy", Obj("NetworkPolicies rendered per model (none when absent): serving pods admit only clients, Prometheus and the other track of the same model; training and serving pods reach only DNS and egress.",
            P("clients", Arr("Pods that send inference traffic: the gateway's pods, the mesh ingress, or client namespaces. Default: every pod of the Gateway's namespace (gatewayApi), of istio-system (istio), of the environment's namespace (replicas).", Peer("A client."))),
            P("prometheus", Peer("The Prometheus pods that scrape /metrics; scraping is not admitted when absent.")),
            P("dns", Peer("Where DNS answers; default the pods labelled k8s-app: kube-dns in kube-system, ports 53.")),
            P("egress", Arr("Endpoints trainers and model fetches reach besides DNS: the artifact store, dataset hosts (NetworkPolicies select IP blocks, not host names).", Peer("An endpoint."))),
            P("defaultDeny", Bool("Also render a policy that denies all traffic to and from every other pod of the namespace.", false)))),
        P("serving", Obj("Settings of the inference servers.",
            P("auth", Obj("Require 'Authorization: Bearer <token>' on inference endpoints (health and /metrics stay open).",
                R("secretRef", SecretKey("The Secret in the environment's namespace holding the token; it is mounted as a file, never put in an environment variable, the plan or the status.")))),
            P("cache", Obj("The response cache's shared store in this environment.",
                P("redis", Obj("The Redis that models with serving.cache.store: redis use; every replica of a version shares its answers there. With networkPolicy, list it under egress.",
                    R("address", Str("host:port of the Redis server, e.g. redis.ml-cache.svc.cluster.local:6379 (GITOPS0253).", minLength: 1)),
                    P("passwordSecretRef", SecretKey("The Secret holding the Redis password; mounted as a file into the server container, never an argument or environment variable.")))))))));

    private static JObject SecretKey(string description) => Obj(description,
        R("name", Name("Secret name.")),
        P("key", Str("Key of the token in the Secret.", "^[-._a-zA-Z0-9]+$", 1, 253, SecretKeyRef.DefaultKey)));

    private static JObject Peer(string description) => Obj(description + " Pods by namespace and labels, or an IP block.",
        P("namespace", Name("Namespace of the pods (matched by its kubernetes.io/metadata.name label); the environment's namespace when only podLabels are set.")),
        P("podLabels", Map("Labels of the pods.", Str("Label value."))),
        P("cidr", Str("IP block, e.g. 10.20.0.0/16 (exclusive with namespace and podLabels).", minLength: 1)),
        P("ports", Arr("TCP ports (all ports when empty).", Int("Port.", 1, 65535), unique: true)));

    private static JObject Resources(string description) => Obj(description,
        P("cpu", StrOrNum("CPU as a Kubernetes quantity, e.g. 500m or 2.")),
        P("memory", StrOrNum("Memory as a Kubernetes quantity, e.g. 512Mi or 2Gi.")),
        P("gpus", Int("Number of GPUs; needs pool.", 0, 1024, 0)),
        P("pool", Name("GPU pool of the environment the GPUs come from.")));

    private static JObject Serving(string description) => Obj(description,
        P("replicas", Int("Fixed number of pods (exclusive with autoscaling).", 0, 10_000)),
        P("autoscaling", Obj("Horizontal pod autoscaling of the stable pods, on CPU and/or on load per pod (custom metrics API).",
            R("minReplicas", Int("Fewest pods.", 1, 10_000)),
            R("maxReplicas", Int("Most pods.", 1, 10_000)),
            P("targetCpuUtilization", Int("Target average CPU utilisation, percent; 80 when no target is given at all.", 1, 100)),
            P("targetInFlightRequests", Num("Target average of requests being processed per pod (gitops_inference_in_flight_requests through prometheus-adapter).", 0.01)),
            P("targetRequestsPerSecond", Num("Target average infer requests per second per pod (gitops_inference_requests_per_second through prometheus-adapter).", 0.01)))),
        P("resources", Resources("Compute of each serving pod.")),
        P("batching", Obj("Server-side request batching.",
            R("maxBatchSize", Int("Largest batch.", 1, 65_536)),
            P("maxDelay", Duration("Longest a request waits for a batch to fill.", "5ms")))),
        P("cache", Obj("Answer repeated inputs from a cache keyed by model version and a hash of the input tensors; a version never sees another's answers (docs/serving.md#response-cache).",
            R("store", Enum("memory: each server keeps its own answers; redis: replicas share the environment's spec.serving.cache.redis; off: no cache (to turn a model's cache off in one environment).", CacheStores.All)),
            P("maxBytes", StrOrNum("Memory store: the bound on the cached answers, a quantity of at least 1Mi, e.g. 256Mi; default 64Mi; the least recently used go first (GITOPS0253).")),
            P("ttl", Duration("How long an answer is kept, at least 1s; absent: until evicted (memory) or one day (redis).")))),
        P("minAvailable", Int("Pods kept available during voluntary disruptions (PodDisruptionBudget).", 0, 10_000)));

    private static JObject Tensor(string description) => Obj(description,
        R("name", Str("Tensor (column) name.", minLength: 1)),
        R("type", Enum("Element type.", ["float32", "float64", "int32", "int64", "bool", "string"])),
        P("shape", Arr("Dimensions; -1 is dynamic (the batch dimension).", Int("Dimension.", -1, int.MaxValue))));

    private static JObject ModelSpec() => Obj("Model settings.",
        R("owner", Str("Team or person responsible for the model.", minLength: 1)),
        P("description", Str("What the model does.")),
        R("task", Enum("Learning task.", ModelTasks.All)),
        P("inputs", Arr("Input tensors (feature columns).", Tensor("An input tensor."))),
        P("outputs", Arr("Output tensors.", Tensor("An output tensor."))),
        P("label", Str("Name of the label column in the dataset.", minLength: 1)),
        R("training", Obj("How a version is trained: builtin trainer or custom image.",
            P("builtin", Obj("The builtin tabular trainer (exports ONNX).",
                R("algorithm", Enum("Training algorithm.", BuiltinAlgorithms.All)),
                P("seed", Int("Random seed, for reproducible training.", 0, int.MaxValue, 0)))),
            P("image", Str("Custom training image (Kubernetes only).", minLength: 1)),
            P("command", Arr("Command of the custom image.", Str("Argument."))),
            R("dataset", Obj("Training data, pinned by content hash.",
                R("uri", Str("Dataset URI. The builtin trainer fetches file://, http://, https://, s3:// or a plain path in the pod; other schemes (gs://, ...) are GITOPS0219. A custom trainer image fetches its own data, from any scheme.", minLength: 1)),
                R("sha256", Str("SHA-256 of the dataset content, 64 lowercase hex characters.", "^[0-9a-f]{64}$")))),
            P("hyperparameters", Map("Hyperparameters passed to the trainer, kept as written.", Scalar("Hyperparameter value."))),
            P("resources", Resources("Compute of the training Job.")),
            P("timeout", Duration("Longest a training Job may run.", "1h")),
            P("retries", Int("Retries of a failed training Job.", 0, 100, 2)),
            P("securityContext", Obj("How the custom trainer's container runs. By default it runs as user 65532, without privileges, on a read-only root filesystem (writable /output and /tmp).",
                P("runAsRoot", Bool("The custom image must run as root (user 0, writable root filesystem); refused in environments with podSecurity: restricted (GITOPS0408).", false)))),
            P("retrain", Obj("Train again on newer data without a commit, on a schedule or on drift. Each retrain resolves uriTemplate, pins the dataset's sha256 in a recorded fact and yields a new version that goes through gates and rollout (docs/retraining.md).",
                R("uriTemplate", Str("Dataset URI with placeholders filled at retrain time: {date} (UTC date, yyyy-MM-dd) or {date:FORMAT} with y M d H m s and - _ . /, e.g. s3://data/fraud/{date:yyyy-MM-dd}.csv (GITOPS0240).", minLength: 1)),
                P("schedule", Str("When to retrain: a duration since the last retrain (7d) or a five-field cron expression in UTC (0 3 * * 1) (GITOPS0241).", minLength: 1)),
                P("onDrift", Obj("Retrain when the served version's drift stays over a limit (read from the environment's Prometheus).",
                    R("metric", Enum("score: the predicted score's PSI; feature: an input feature's PSI.", DriftTriggerMetrics.All)),
                    P("feature", Str("With metric feature: the input watched; absent: any input.", minLength: 1)),
                    P("threshold", Num("PSI over which drift retrains; absent: the model's monitoring.drift limit.", 0, 10)),
                    P("for", Duration("How long drift stays over the threshold before a retrain.", "1h")))),
                P("minInterval", Duration("Shortest time after any retrain before drift may trigger another in the same environment (schedules keep their own times).", "1d")))))),
        P("gates", Arr("QualityGates a new version must pass.", Name("QualityGate name."), unique: true)),
        P("serving", Serving("How the model is served.")),
        P("rollout", Name("RolloutPolicy used to ship new versions.")),
        P("environments", Arr("Environments the model is served in.", Name("Environment name."), unique: true)),
        P("overrides", Map("Per-environment changes, by environment name.", Obj("Changes for one environment.",
            P("serving", Serving("Serving settings merged field by field over the model's.")),
            P("rollout", Name("RolloutPolicy used in this environment.")),
            P("gates", Arr("QualityGates used in this environment (replace the model's).", Name("QualityGate name."), unique: true)),
            P("trainingResources", Resources("Training resources in this environment (replace the model's)."))))),
        P("monitoring", Monitoring()),
        P("batch", Batch()));

    private static JObject Batch() => Obj("Scheduled batch scoring with the served version: a CronJob runs gitops score over a CSV or Parquet file (docs/batch-scoring.md).",
        R("schedule", Str("Five-field cron expression in UTC (minute hour day-of-month month day-of-week), e.g. 0 2 * * * (GITOPS0250).", minLength: 1)),
        R("input", Str("Rows to score: a .csv or .parquet file as a plain path, file://, http(s):// or s3:// URI; {date} or {date:FORMAT} is filled with the run's UTC date (GITOPS0251).", minLength: 1)),
        R("output", Str("Where the scores are written, same schemes, formats and placeholders as input; written whole or not at all (GITOPS0251).", minLength: 1)),
        P("onError", Enum("What a malformed row does: fail stops the run and writes nothing; skip leaves the row out, reports it and scores the rest.", BatchErrorModes.All, BatchErrorModes.Fail)),
        P("maxErrors", Int("With onError skip: the most malformed rows tolerated; one more fails the run (GITOPS0252). Absent: no limit.", 0, int.MaxValue)),
        P("batchSize", Int("Rows per model run.", 1, 65_536, BatchErrorModes.DefaultBatchSize)),
        P("keys", Arr("Input columns copied to the output beside the scores (ids); absent: a row column with the row number.", Str("Column name.", minLength: 1), unique: true)),
        P("environments", Arr("Environments the job runs in (each one the model is served in); absent: all of them.", Name("Environment name."), unique: true)));

    private static JObject Monitoring() => Obj("What to watch once the model is live; each part becomes alert rules routed by the model's owner (docs/monitoring.md).",
        P("slo", Obj("Objectives of the inference endpoint, alerted on by multi-window burn rate (fast: 1h and 5m at 14.4 times the budget rate; slow: 6h and 30m at 6 times).",
            P("availability", Num("Percent of requests answered without a 5xx, e.g. 99.9.", 50, 99.999)),
            P("latency", Obj("Percent of requests answered within a threshold.",
                R("threshold", Duration("Latency threshold, e.g. 200ms; measured at the request-duration histogram's bucket bound at or below it.")),
                P("objective", Num("Percent of requests that must be faster than the threshold, e.g. 99.", 50, 99.999, 99)))),
            P("window", Duration("Period the error budget is spent over.", "30d")))),
        P("drift", Obj("Population stability index (PSI) limits against the training profile: 0.1 is a moderate shift, 0.25 a large one.",
            P("threshold", Num("PSI over which any input feature's drift alerts.", 0, 10, 0.2)),
            P("features", Map("PSI limits of single features, by input name (replace threshold for that feature).", Num("PSI limit.", 0, 10))),
            P("score", Num("PSI over which the predicted score's drift alerts.", 0, 10, 0.2)),
            P("for", Duration("How long drift stays over its limit before it alerts.", "30m")))),
        P("dataQuality", Obj("Limits on bad inputs, as a share of rows, per feature.",
            P("missingRate", Num("Largest share of rows with a missing or NaN value, 0 to 1.", 0, 1, 0.01)),
            P("outOfRangeRate", Num("Largest share of rows outside the training range, 0 to 1.", 0, 1, 0.05)),
            P("for", Duration("How long a limit stays exceeded before it alerts.", "15m")))),
        P("kpis", Arr("Business KPIs as named PromQL queries, alerted on when they leave their range.", Obj("A KPI.",
            R("name", Name("KPI name, unique in the model.")),
            R("query", Str("PromQL returning one value; {{model}} {{namespace}} {{environment}} are filled in.", minLength: 1)),
            P("description", Str("What the KPI measures.")),
            P("alert", Obj("Alert when the KPI leaves its range (at least one of below and above).",
                P("below", Num("Alert when the KPI is below this value.")),
                P("above", Num("Alert when the KPI is above this value.")),
                P("for", Duration("How long the KPI stays out of range before it alerts.", "15m")),
                P("severity", Enum("page wakes someone; ticket waits for working hours.", ["page", "ticket"], "ticket"))))))));

    private static JObject ExperimentSpec() => Obj("Experiment settings.",
        R("model", Name("Model whose training is searched.")),
        R("search", Obj("The search space.",
            R("method", Enum("Search method.", ["grid", "random"])),
            R("parameters", Arr("Searched hyperparameters.", Obj("A hyperparameter: a list of values or a min..max range.",
                R("name", Str("Hyperparameter name.", minLength: 1)),
                P("values", Arr("Values to try.", Scalar("A value."), 1)),
                P("min", Num("Lower bound of the range.")),
                P("max", Num("Upper bound of the range.")),
                P("scale", Enum("How the range is sampled; a linear range whose min and max are whole numbers yields whole numbers.", ["linear", "log"], "linear"))), 1)),
            P("seed", Int("Seed of the random search: the same seed and space give the same trials.", 0, int.MaxValue, 0)))),
        R("objective", Obj("The metric to optimise.",
            R("metric", Str("Metric name, e.g. auc.", minLength: 1)),
            R("direction", Enum("Whether bigger or smaller is better.", ["maximize", "minimize"])))),
        P("maxTrials", Int("Most trials run.", 1, 10_000, 10)),
        P("parallelism", Int("Trials run at the same time.", 1, 1_000, 1)),
        P("earlyStopping", Obj("Stop unpromising trials early by the median stopping rule: a running trial whose best objective at a step is worse than the median of the completed trials' running averages up to that step is stopped.",
            P("rule", Enum("Early stopping rule.", ["median"], "median")),
            P("minTrials", Int("Completed trials needed before any trial is stopped.", 1, 10_000, 3)),
            P("startStep", Int("First reported step at which a trial may be stopped.", 1, 1_000_000, 1)))),
        P("promote", Enum("best registers the best trial as a candidate version; none only records results.", ["best", "none"], "none")));

    private static JObject QualityGateSpec() => Obj("Quality gate settings.",
        R("rules", Arr("Conditions a new version must meet.", Obj("A CEL condition.",
            R("name", Str("Rule name.", minLength: 1)),
            R("condition", Str("CEL over metrics, champion.metrics and model; true passes.", minLength: 1)),
            P("message", Str("Shown when the rule fails."))), 1)),
        P("onNoChampion", Enum("Outcome when there is no champion to compare with.", ["pass", "fail"], "pass")));

    private static JObject RolloutPolicySpec() => Obj("Rollout settings.",
        R("strategy", Enum("Rollout strategy.", RolloutStrategies.All)),
        P("steps", Arr("Canary steps, in order.", OneKey("One step: exactly one of its keys.",
            P("setWeight", Int("Percent of traffic sent to the canary.", 0, 100)),
            P("pause", Obj("Wait for duration, or indefinitely until promoted when empty.",
                P("duration", Duration("How long to wait.")))),
            P("analysis", Obj("Run analysis templates and wait for their verdict.",
                R("templates", Arr("Names of analysis templates of this policy.", Name("Template name."), 1, true)))),
            P("setHeaderRoute", Obj("Route requests with a header to the canary.",
                R("name", Name("Route name.")),
                R("header", Str("HTTP header name.", "^[A-Za-z0-9-]+$")),
                R("value", Str("Exact header value.")))),
            P("mirror", Obj("Mirror traffic to the canary.",
                R("percent", Int("Percent of traffic mirrored.", 0, 100))))))),
        P("analysis", Arr("Analysis templates: PromQL measured on an interval.", OneRequired(Obj("An analysis template: exactly one of query or kpi.",
            R("name", Name("Template name, referenced by analysis steps.")),
            P("query", Str("PromQL; placeholders {{model}} {{version}} {{namespace}} {{track}} {{environment}}.", minLength: 1)),
            P("kpi", Name("A business KPI of each model that uses this policy (spec.monitoring.kpis of the Model): its query is measured instead of a query of its own, with the same placeholders filled in (GITOPS0233 when a model lacks it).")),
            P("successCondition", Str("CEL over result; true is a successful measurement.", minLength: 1)),
            P("failureCondition", Str("CEL over result; true is a failed measurement.", minLength: 1)),
            P("interval", Duration("Time between measurements.", "1m")),
            P("count", Int("Measurements taken.", 1, 10_000, 5)),
            P("failureLimit", Int("Failed measurements tolerated.", 0, 10_000, 0)),
            P("inconclusiveLimit", Int("Inconclusive measurements tolerated.", 0, 10_000, 0)),
            P("errorLimit", Int("Consecutive query errors tolerated.", 0, 10_000, 4)),
            P("minSamples", Int("Fewer requests than this in the window counts as no data.", 0, int.MaxValue, 0)),
            P("onNoData", Enum("Outcome of a measurement without data.", ["inconclusive", "failed", "successful"], "inconclusive"))), "query", "kpi"))),
        P("onInconclusive", Enum("What an inconclusive analysis does.", ["pause", "abort", "promote"], "pause")),
        P("automaticRollback", Bool("Roll back automatically on failed analysis.", true)),
        P("progressDeadline", Duration("Longest a rollout waits for the new version's pods to become ready; then it rolls back.", "10m")),
        P("scaleDownDelay", Duration("blueGreen: how long the old version keeps running after the switch, for an instant rollback.", "30s")),
        P("backgroundAnalysis", Obj("Analysis measured for the whole rollout (canary: from startingStep on; blueGreen: on the preview, before the switch).",
            R("templates", Arr("Names of analysis templates of this policy.", Name("Template name."), 1, true)),
            P("startingStep", Int("0-based index of the canary step from which the analysis runs.", 0, 10_000, 0)))));

    private static JObject PolicySpec() => Obj("Policy settings.",
        P("match", Obj("Documents the rules apply to; empty lists match everything.",
            P("kinds", Arr("Kinds matched.", Enum("A kind.", SpecKinds.All), unique: true)),
            P("environments", Arr("Environments matched.", Name("Environment name."), unique: true)))),
        R("rules", Arr("CEL rules that must hold.", Obj("A CEL rule over object (the document).",
            R("name", Str("Rule name.", minLength: 1)),
            R("expression", Str("CEL expression that must be true.", minLength: 1)),
            R("message", Str("Shown when the rule does not hold.", minLength: 1)),
            P("severity", Enum("error blocks; warning only reports.", ["error", "warning"], "error"))), 1)));
}
