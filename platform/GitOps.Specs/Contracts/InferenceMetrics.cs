namespace GitOps.Specs.Contracts;

/// <summary>
/// The names of the metrics the inference server exports (labels <c>model</c>, <c>version</c>, <c>track</c>). The
/// server registers them under these names and the alert rules, dashboards and analysis queries read them from here,
/// so renaming one renames it everywhere (the dashboard tests scrape a real registry to prove it).
/// </summary>
public static class InferenceMetrics
{
    /// <summary>Counter, with the HTTP status <c>code</c> (a gRPC status counts as its HTTP equivalent, so one error-rate
    /// query covers both) and the <see cref="ProtocolLabel"/>.</summary>
    public const string RequestsTotal = "gitops_inference_requests_total";
    /// <summary>Histogram with the bounds of <see cref="ServingHistograms.RequestDurationBounds"/> and the <see cref="ProtocolLabel"/>.</summary>
    public const string RequestDuration = "gitops_inference_request_duration_seconds";
    /// <summary>Histogram of rows per model run; its <c>_sum</c> counts rows.</summary>
    public const string BatchSize = "gitops_inference_batch_size";
    public const string InFlight = "gitops_inference_in_flight_requests";
    /// <summary>Histogram of the primary output score.</summary>
    public const string Score = "gitops_inference_score";
    public const string ModelInfo = "gitops_inference_model_info";
    public const string Ready = "gitops_inference_ready";
    public const string InjectedFaults = "gitops_inference_injected_faults_total";
    /// <summary>Counter of response cache lookups, with <c>result</c>: <c>hit</c>, <c>miss</c> or <c>error</c> (the store
    /// did not answer); exported only when the cache is on.</summary>
    public const string CacheRequests = "gitops_inference_cache_requests_total";
    /// <summary>Gauge: estimated bytes of the answers in the in-memory cache.</summary>
    public const string CacheBytes = "gitops_inference_cache_bytes";
    /// <summary>Gauge: answers in the in-memory cache.</summary>
    public const string CacheEntries = "gitops_inference_cache_entries";

    /// <summary>Label of the request series saying which endpoint answered: <see cref="RestProtocol"/> or <see cref="GrpcProtocol"/>.</summary>
    public const string ProtocolLabel = "protocol";
    public const string RestProtocol = "rest";
    public const string GrpcProtocol = "grpc";

    /// <summary>The series of a histogram named <paramref name="histogram"/>.</summary>
    public static string Bucket(string histogram) => histogram + "_bucket";

    public static string Sum(string histogram) => histogram + "_sum";

    public static string Count(string histogram) => histogram + "_count";
}
