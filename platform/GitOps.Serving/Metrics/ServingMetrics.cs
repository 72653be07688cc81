using System.Collections.Immutable;
using GitOps.Serving.Protocol;
using GitOps.Specs.Contracts;
using Prometheus;

namespace GitOps.Serving.Metrics;

/// <summary>Identity of the served model, carried as labels on every metric.</summary>
public sealed record ModelIdentity(string Name, string Version, string Track);

/// <summary>
/// The server's Prometheus metrics, in a registry of its own (several servers can live in one process).
/// Every series has <c>model</c>, <c>version</c> and <c>track</c> labels so that rollout analysis can
/// compare the canary with the stable track.
/// </summary>
public sealed class ServingMetrics
{
    public const string RequestsTotal = InferenceMetrics.RequestsTotal;
    public const string RequestDuration = InferenceMetrics.RequestDuration;
    public const string BatchSize = InferenceMetrics.BatchSize;
    public const string InFlight = InferenceMetrics.InFlight;
    public const string Score = InferenceMetrics.Score;
    public const string ModelInfo = InferenceMetrics.ModelInfo;
    public const string Ready = InferenceMetrics.Ready;
    public const string InjectedFaults = InferenceMetrics.InjectedFaults;
    public const string InjectedError = "error";
    /// <summary>Values of the <c>protocol</c> label of the request series.</summary>
    public const string Rest = InferenceMetrics.RestProtocol;
    public const string Grpc = InferenceMetrics.GrpcProtocol;
    public const string InjectedLatency = "latency";

    /// <summary>Default buckets for the score histogram: probabilities in steps of 0.05.</summary>
    public static readonly ImmutableArray<double> ProbabilityBuckets = [.. Histogram.LinearBuckets(0.05, 0.05, 19)];

    private static readonly string[] ModelLabels = ["model", "version", "track"];

    // Children by status code, one table per protocol: looked up on every request without allocating.
    private readonly Counter.Child[] _restRequestsByStatus = new Counter.Child[600];
    private readonly Counter.Child[] _grpcRequestsByStatus = new Counter.Child[600];
    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Histogram.Child _restDuration;
    // Created at the first gRPC request, so a server without gRPC exports no empty gRPC series.
    private Histogram.Child? _grpcDuration;
    private readonly Histogram.Child _batchSize;
    private readonly Gauge.Child _inFlight;
    private readonly Histogram.Child _score;
    private readonly Gauge.Child _ready;
    private readonly Counter _injected;
    private readonly string[] _labels;
    private Counter.Child[] _cache = [];

    public ServingMetrics(ModelIdentity model, string executionProvider, int threads, IReadOnlyList<double>? scoreBuckets = null)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _labels = [model.Name, model.Version, model.Track];

        _requests = factory.CreateCounter(RequestsTotal, "Inference requests by HTTP status code (gRPC statuses as their HTTP equivalent) and protocol (rest or grpc).",
            new CounterConfiguration { LabelNames = [.. ModelLabels, "code", InferenceMetrics.ProtocolLabel] });
        _duration = factory.CreateHistogram(RequestDuration, "Inference request duration, from receipt until the answer is ready, by protocol.",
            new HistogramConfiguration { LabelNames = [.. ModelLabels, InferenceMetrics.ProtocolLabel], Buckets = Histogram.ExponentialBuckets(0.0001, 2, 18) });
        _restDuration = _duration.WithLabels([.. _labels, Rest]);
        _batchSize = factory.CreateHistogram(BatchSize, "Rows per model run (requests merged by dynamic batching).",
            new HistogramConfiguration { LabelNames = ModelLabels, Buckets = Histogram.ExponentialBuckets(1, 2, 11) }).WithLabels(_labels);
        _inFlight = factory.CreateGauge(InFlight, "Inference requests being processed.",
            new GaugeConfiguration { LabelNames = ModelLabels }).WithLabels(_labels);
        _score = factory.CreateHistogram(Score, "Distribution of the primary output score (model-aware canary analysis and drift).",
            new HistogramConfiguration { LabelNames = ModelLabels, Buckets = [.. scoreBuckets ?? ProbabilityBuckets] }).WithLabels(_labels);
        _ready = factory.CreateGauge(Ready, "1 when the model is warmed up and accepting requests.",
            new GaugeConfiguration { LabelNames = ModelLabels }).WithLabels(_labels);
        _injected = factory.CreateCounter(InjectedFaults, "Faults injected on purpose (fault injection options of gitops serve), by kind: error or latency.",
            new CounterConfiguration { LabelNames = [.. ModelLabels, "kind"] });
        factory.CreateGauge(ModelInfo, "The served model and the execution provider it runs on.",
            new GaugeConfiguration { LabelNames = [.. ModelLabels, "execution_provider", "threads"] })
            .WithLabels([.. _labels, executionProvider, threads.ToString(System.Globalization.CultureInfo.InvariantCulture)]).Set(1);
    }

    public CollectorRegistry Registry { get; }

    /// <param name="protocol"><see cref="Rest"/> or <see cref="Grpc"/>.</param>
    public void RecordRequest(string protocol, int statusCode, TimeSpan duration)
    {
        var grpc = protocol == Grpc;
        var child = statusCode is >= 100 and < 600
            ? (grpc ? _grpcRequestsByStatus : _restRequestsByStatus)[statusCode] ??= RequestCounter(protocol, statusCode)
            : RequestCounter(protocol, statusCode);
        child.Inc();
        var durations = grpc
            ? _grpcDuration ??= _duration.WithLabels([.. _labels, Grpc])
            : _restDuration;
        durations.Observe(duration.TotalSeconds);
    }

    /// <summary>Registers the response cache's series; <paramref name="memory"/> adds its size gauges.</summary>
    public void TrackCache(Caching.MemoryResponseCacheStore? memory)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        var requests = factory.CreateCounter(InferenceMetrics.CacheRequests, "Response cache lookups by result: hit, miss, or error (the store did not answer; the request was computed).",
            new CounterConfiguration { LabelNames = [.. ModelLabels, "result"] });
        _cache = [.. Enum.GetValues<Caching.CacheResult>().Select(r => requests.WithLabels([.. _labels, r.ToString().ToLowerInvariant()]))];
        if (memory is null)
        {
            return;
        }
        var bytes = factory.CreateGauge(InferenceMetrics.CacheBytes, "Estimated bytes of the answers in the in-memory response cache.",
            new GaugeConfiguration { LabelNames = ModelLabels }).WithLabels(_labels);
        var entries = factory.CreateGauge(InferenceMetrics.CacheEntries, "Answers in the in-memory response cache.",
            new GaugeConfiguration { LabelNames = ModelLabels }).WithLabels(_labels);
        Registry.AddBeforeCollectCallback(() =>
        {
            bytes.Set(memory.Bytes);
            entries.Set(memory.Count);
        });
    }

    public void RecordCache(Caching.CacheResult result) => _cache[(int)result].Inc();

    private Counter.Child RequestCounter(string protocol, int statusCode) =>
        _requests.WithLabels([.. _labels, statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), protocol]);

    public void RecordInjectedFault(string kind) => _injected.WithLabels([.. _labels, kind]).Inc();

    public void RecordBatch(int rows) => _batchSize.Observe(rows);

    public void SetReady(bool ready) => _ready.Set(ready ? 1 : 0);

    public void RequestStarted() => _inFlight.Inc();

    public void RequestFinished() => _inFlight.Dec();

    /// <summary>Observes one score per row: the row's only value, or its last one (the positive class).</summary>
    public void RecordScores(Tensor output)
    {
        var rows = output.Shape.Length == 0 ? 1 : (int)output.Shape[0];
        if (rows == 0)
        {
            return;
        }
        var perRow = output.Data.Length / rows;
        for (var r = 0; r < rows; r++)
        {
            var index = r * perRow + perRow - 1;
            var value = output.Data switch
            {
                float[] f => f[index],
                double[] d => d[index],
                _ => double.NaN,
            };
            if (double.IsFinite(value))
            {
                _score.Observe(value);
            }
        }
    }
}
