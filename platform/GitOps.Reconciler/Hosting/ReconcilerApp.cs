using System.Collections.Immutable;
using System.Net;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Experiments;
using GitOps.Reconciler.Git;
using GitOps.Reconciler.Leadership;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.Notifications;
using GitOps.Reconciler.Registry;
using GitOps.Reconciler.Retraining;
using GitOps.Reconciler.Rollouts;
using GitOps.Reconciler.Status;
using GitOps.Reconciler.WebConsole;
using GitOps.Reconciler.Webhooks;
using GitOps.Specs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Hosting;

/// <summary>Settings of a reconciler process (what <c>gitops reconcile</c> parses).</summary>
public sealed record ReconcilerOptions
{
    public required ImmutableArray<string> Environments { get; init; }
    public required string Branch { get; init; }
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 8080);
    public WebhookSecret? WebhookSecret { get; init; }

    /// <summary>Serve the read-only web console under <c>/console/</c> (<c>--console</c>); null: not served.</summary>
    public ConsoleOptions? Console { get; init; }

    public Backoff Backoff { get; init; } = Backoff.Default;
    public int ApplyParallelism { get; init; } = 8;

    /// <summary>The part of the models this reconciler converges (<see cref="ReconcilePassSettings.Shard"/>).</summary>
    public Shard Shard { get; init; } = Shard.Whole;

    /// <summary>One pass and exit (<c>--once</c>): outcomes are not retried, and logs say so.</summary>
    public bool Once { get; init; }

    /// <summary>After SIGTERM, how long the pass in flight may take to finish (<c>--shutdown-timeout</c>).</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A pass running longer is stuck and its leader gives up the Lease (<c>--pass-timeout</c>).</summary>
    public TimeSpan PassTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a burst of hand edits is collected before the pass it triggers (<c>--drift-debounce</c>).</summary>
    public TimeSpan DriftDebounce { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Told of applied and stalled commits, deployments and rollbacks (GitHub, when configured).</summary>
    public INotifier Notifier { get; init; } = NoOpNotifier.Instance;
}

/// <summary>The I/O a reconciler is built from: production uses Git, the Kubernetes API and a Lease; tests use fakes.
/// Experiments run when <see cref="Admission"/> is a <see cref="RegistryAdmission"/> (their store) and <see cref="Facts"/>
/// is set (where a candidate of <c>promote: best</c> is recorded as trained). Retraining (<c>spec.training.retrain</c>)
/// runs when <see cref="Facts"/> (where generations are recorded) and <see cref="Datasets"/> are set. A push webhook
/// reaches every replica when <see cref="Pushes"/> is set (<see cref="RelayedPushes"/>).</summary>
public sealed record ReconcilerPorts(
    IGitSource Git,
    IClusterDriver Cluster,
    IEnvironmentStatusStore Status,
    ILeaderElector Leader,
    IRegistry Registry,
    IDriftSource? Drift = null,
    IVersionAdmission? Admission = null,
    ITrainingPods? TrainingPods = null,
    IRolloutStateStore? Rollouts = null,
    IRegistryFactStore? Facts = null,
    DatasetHasher? Datasets = null,
    IPushRelay? Pushes = null);

/// <summary>
/// A whole reconciler: the pass, the loop that schedules it and the HTTP endpoints, wired from
/// <see cref="ReconcilerPorts"/>. <c>gitops reconcile</c> and the end-to-end tests build it the same way.
/// </summary>
public sealed class ReconcilerApp
{
    private readonly ReconcilerOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ReconcilerPorts _ports;
    private readonly RecentDeliveries _deliveries = new();

    public ReconcilerApp(ReconcilerOptions options, ReconcilerPorts ports, TimeProvider time, ILoggerFactory loggers,
        Func<IEnumerable<SourceFile>, LoadResult> validate)
    {
        _options = options;
        _loggers = loggers;
        _ports = ports;
        Metrics = new ReconcilerMetrics(shard: options.Shard);
        Trigger = new ReconcileTrigger();
        Health = new ReconcilerHealth();
        Pass = new ReconcilePass(ports.Git, ports.Cluster, ports.Status, ports.Registry, Metrics, time,
            new ReconcilePassSettings
            {
                Validate = validate,
                Backoff = options.Backoff,
                ApplyParallelism = options.ApplyParallelism,
                Shard = options.Shard,
                Once = options.Once,
                KubernetesOnly = true,
                Notifier = options.Notifier,
                Admission = ports.Admission,
                TrainingPods = ports.TrainingPods,
                Rollouts = ports.Rollouts is { } store
                    ? new RolloutController(store, Metrics.Rollouts, time, loggers.CreateLogger<RolloutController>(),
                        history: ports.Admission is RegistryAdmission registry
                            ? new DeployHistoryWriter(registry.OpenStore, loggers.CreateLogger<DeployHistoryWriter>())
                            : null)
                    : null,
                Experiments = ports.Admission is RegistryAdmission admission && ports.Facts is { } facts
                    ? new ExperimentPass(ports.Cluster, admission.OpenStore, admission, facts, time, loggers.CreateLogger<ExperimentPass>())
                    : null,
                Retraining = ports.Facts is { } retrainFacts && ports.Datasets is { } datasets
                    ? new RetrainStep(retrainFacts, datasets, time, loggers.CreateLogger<RetrainStep>())
                    : null,
            },
            loggers.CreateLogger<ReconcilePass>());
        Drift = ports.Drift is { } source
            ? new DriftWatch(source, Trigger, time, options.DriftDebounce, loggers.CreateLogger<DriftWatch>())
            : null;
        Loop = new ReconcileLoop(Pass, ports.Leader, Trigger, Metrics, Health, time,
            new ReconcileLoopSettings
            {
                Environments = options.Environments,
                Interval = options.Interval,
                ShutdownTimeout = options.ShutdownTimeout,
                PassTimeout = options.PassTimeout,
            },
            loggers.CreateLogger<ReconcileLoop>(), Drift);
        Health.WatchPasses(Loop.Watchdog);
        Relayed = ports.Pushes is { } relay
            ? new RelayedPushes(relay, _deliveries, Trigger, Metrics, time, loggers.CreateLogger<RelayedPushes>())
            : null;
    }

    public ReconcilerMetrics Metrics { get; }
    public ReconcileTrigger Trigger { get; }
    public ReconcilerHealth Health { get; }
    public ReconcilePass Pass { get; }
    public ReconcileLoop Loop { get; }

    /// <summary>Hand edits noticed as they happen; null when the cluster driver cannot watch.</summary>
    public DriftWatch? Drift { get; }

    /// <summary>Pushes other replicas received; null without a relay.</summary>
    public RelayedPushes? Relayed { get; }

    /// <summary>Where the HTTP endpoints listen, once <see cref="RunAsync"/> has started them.</summary>
    public Uri? Address { get; private set; }

    /// <summary>Serves the HTTP endpoints and runs the loop until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var host = ReconcilerHost.Build(new ReconcilerHostOptions
        {
            Listen = _options.Listen,
            Branch = _options.Branch,
            WebhookSecret = _options.WebhookSecret,
            Console = _options.Console is { } console ? new ConsoleSite(console, ConsoleSources()) : null,
            Deliveries = _deliveries,
            Relay = _ports.Pushes,
        }, Metrics, Trigger, Health, _loggers);
        await host.StartAsync(ct);
        using var stopRelay = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var relayed = Relayed?.RunAsync(stopRelay.Token) ?? Task.CompletedTask;
        try
        {
            Address = ReconcilerHost.BoundAddress(host);
            _loggers.CreateLogger<ReconcilerApp>().LogInformation("Serving /healthz /readyz /metrics /webhook/github{Console} on {Address}", _options.Console is null ? "" : " /console/", Address);
            await Loop.RunAsync(ct);
        }
        finally
        {
            await stopRelay.CancelAsync();
            await relayed;
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(stopping.Token);
            await host.DisposeAsync();
        }
    }

    /// <summary>What the web console reads: the status ConfigMaps, rollouts and registry facts this reconciler keeps,
    /// and the specs of the last good commit. A shard reads every shard's status of the environment, so the console
    /// shows the whole environment whichever shard's pod serves it.</summary>
    public ConsoleSources ConsoleSources() => new()
    {
        Environments = () => ConsoleEnvironment.From(Pass.LastGoodSpecs, _options.Environments),
        Status = async (environment, ct) => await _ports.Status.ReadWholeAsync(environment, ct) is { } status
            ? LocalStatusViews.FromStatus(status)
            : LocalStatusViews.Build(environment, [], null, null, null, null, running: true),
        Rollouts = _ports.Rollouts,
        Facts = _ports.Facts,
        Specs = () => Pass.LastGoodSpecs,
    };

    /// <summary>One pass over every environment, without HTTP endpoints or leader election.</summary>
    public Task<ImmutableArray<ReconcileOutcome>> RunOnceAsync(CancellationToken ct) => Loop.RunOnceAsync(ct);
}
