using GitOps.Planning.Cluster;
using GitOps.Reconciler.Loop;
using GitOps.Specs.Contracts;
using Prometheus;

namespace GitOps.Reconciler.Metrics;

/// <summary>
/// The reconciler's Prometheus metrics, in a registry of their own so that two reconcilers in one process (tests,
/// benchmarks) never share counters. Names are documented in <c>docs/operations.md</c>.
/// </summary>
public sealed class ReconcilerMetrics
{
    private readonly Histogram _duration;
    private readonly Counter _outcomes;
    private readonly Counter _applied;
    private readonly Counter _pruned;
    private readonly Counter _drift;
    private readonly Histogram _fetchDuration;
    private readonly Counter _fetchErrors;
    private readonly Gauge _lastSuccess;
    private readonly Gauge _leader;
    private readonly Counter _pushes;
    private readonly Counter _trainingRuns;

    /// <param name="shard">A sharded reconciler's part (<c>--shard 2/3</c>): every series it exports carries
    /// <c>shard="2/3"</c>, so that the platform's alerts hold per shard. None when not sharded.</param>
    public ReconcilerMetrics(bool includeProcessMetrics = true, Shard? shard = null)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        if (shard is { IsWhole: false })
        {
            Registry.SetStaticLabels(new Dictionary<string, string> { ["shard"] = shard.ToString() });
        }
        if (includeProcessMetrics)
        {
            // process_working_set_bytes, GC and thread-pool gauges: the memory figure in docs/benchmarks.md.
            DotNetStats.Register(Registry);
        }
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _duration = factory.CreateHistogram(PlatformMetrics.ReconcileDuration,
            "Duration of one reconcile pass of an environment, from fetch to status written.",
            new HistogramConfiguration
            {
                LabelNames = ["environment"],
                Buckets = Histogram.ExponentialBuckets(0.01, 2, 14),
            });
        _outcomes = factory.CreateCounter(PlatformMetrics.ReconcileOutcomes,
            "Reconcile passes by environment and outcome (Applied, NoChange, Stalled, Refused, Retry).",
            new CounterConfiguration { LabelNames = ["environment", "outcome"] });
        _applied = factory.CreateCounter(PlatformMetrics.ObjectsApplied,
            "Objects created or updated by server-side apply.", new CounterConfiguration { LabelNames = ["environment"] });
        _pruned = factory.CreateCounter(PlatformMetrics.ObjectsPruned,
            "Managed objects deleted because Git no longer defines them.", new CounterConfiguration { LabelNames = ["environment"] });
        _drift = factory.CreateCounter(PlatformMetrics.DriftDetected,
            "Objects found changed in the cluster although their commit did not change.",
            new CounterConfiguration { LabelNames = ["environment"] });
        _fetchDuration = factory.CreateHistogram(PlatformMetrics.GitFetchDuration, "Duration of a Git fetch.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });
        _fetchErrors = factory.CreateCounter(PlatformMetrics.GitFetchErrors, "Git fetches that failed.");
        _lastSuccess = factory.CreateGauge(PlatformMetrics.LastSuccessfulSync,
            "Unix time of the last pass that ended Applied or NoChange.", new GaugeConfiguration { LabelNames = ["environment"] });
        _leader = factory.CreateGauge(PlatformMetrics.Leader, "1 while this replica holds the leader Lease, else 0.");
        _pushes = factory.CreateCounter(PlatformMetrics.WebhookPushes,
            "Push webhooks that made this replica fetch, by source: received (delivered here) or relayed (delivered to another replica).",
            new CounterConfiguration { LabelNames = ["source"] });
        _trainingRuns = factory.CreateCounter(PlatformMetrics.TrainingRuns,
            "Training Jobs by model and outcome (succeeded, backoff_exhausted, deadline_exceeded, image_pull_error, unschedulable, failed), each counted once.",
            new CounterConfiguration { LabelNames = ["model", "outcome"] });
        Rollouts = new RolloutMetrics(factory);
    }

    /// <summary>The rollouts' phase, weight, analysis and rollback metrics.</summary>
    public RolloutMetrics Rollouts { get; }

    /// <summary>The registry served on <c>/metrics</c>.</summary>
    public CollectorRegistry Registry { get; }

    public void RecordFetch(TimeSpan duration, bool succeeded)
    {
        _fetchDuration.Observe(duration.TotalSeconds);
        if (!succeeded)
        {
            _fetchErrors.Inc();
        }
    }

    public void RecordApply(string environment, int applied, int pruned)
    {
        _applied.WithLabels(environment).Inc(applied);
        _pruned.WithLabels(environment).Inc(pruned);
    }

    public void RecordDrift(string environment, int objects)
    {
        if (objects > 0)
        {
            _drift.WithLabels(environment).Inc(objects);
        }
    }

    public void RecordOutcome(ReconcileOutcome outcome, TimeSpan duration, DateTimeOffset now)
    {
        _duration.WithLabels(outcome.Environment).Observe(duration.TotalSeconds);
        _outcomes.WithLabels(outcome.Environment, outcome.Name).Inc();
        if (outcome.IsSuccess)
        {
            _lastSuccess.WithLabels(outcome.Environment).Set(now.ToUnixTimeMilliseconds() / 1000.0);
        }
    }

    public void RecordTrainingRun(string model, string outcome) => _trainingRuns.WithLabels(model, outcome).Inc();

    /// <summary>A push webhook made this replica fetch: delivered here, or relayed by another replica.</summary>
    public void RecordPush(bool relayed) => _pushes.WithLabels(relayed ? "relayed" : "received").Inc();

    public void SetLeader(bool isLeader) => _leader.Set(isLeader ? 1 : 0);

    /// <summary>The registry in Prometheus text format (what <c>/metrics</c> serves).</summary>
    public async Task<string> ExportAsync(CancellationToken ct)
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream, ct);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
