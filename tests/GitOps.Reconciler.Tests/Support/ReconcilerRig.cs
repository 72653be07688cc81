using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Git;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.Notifications;
using GitOps.Reconciler.Registry;
using GitOps.Reconciler.Retraining;
using GitOps.Reconciler.Status;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;
using GitOps.Testing.FakeKubernetes;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Tests.Support;

/// <summary>
/// A reconcile pass wired as in production — real Kubernetes driver and ConfigMap status store over HTTP to the fake
/// API server — with a scripted Git source.
/// </summary>
internal sealed class ReconcilerRig : IAsyncDisposable
{
    public const string StatusNamespace = "gitops-system";

    private readonly Func<IRegistryFactStore, ListLoggerProvider, RetrainStep>? _retraining;

    private readonly int _applyParallelism;

    private ReconcilerRig(FakeCluster cluster, Func<ListLoggerProvider, IVersionAdmission>? admission,
        Func<IRegistryFactStore, ListLoggerProvider, RetrainStep>? retraining = null, int applyParallelism = 8)
    {
        Cluster = cluster;
        _applyParallelism = applyParallelism;
        _retraining = retraining;
        Git = new ScriptedGitSource();
        Status = new ConfigMapStatusStore(cluster.Connection, StatusNamespace);
        Metrics = new ReconcilerMetrics(includeProcessMetrics: false);
        Logs = new ListLoggerProvider();
        Admission = admission?.Invoke(Logs);
        Pass = NewPass();
    }

    public FakeCluster Cluster { get; }
    public ScriptedGitSource Git { get; }
    public ConfigMapStatusStore Status { get; }
    public ReconcilerMetrics Metrics { get; }
    public ListLoggerProvider Logs { get; }
    public ReconcilePass Pass { get; }

    /// <summary>Gates and the registry of record, when the test asks for them; null admits every trained version.</summary>
    public IVersionAdmission? Admission { get; }

    /// <summary>How many times a commit's files were validated (an unchanged or stalled commit is not validated again).</summary>
    public int Validations => _validations;

    private int _validations;

    /// <summary>A rig on a new fake cluster; <paramref name="started"/> sees the cluster before the admission is built;
    /// with <paramref name="retraining"/>, each pass retrains over the registry facts it is given.</summary>
    public static async Task<ReconcilerRig> StartAsync(Func<ListLoggerProvider, IVersionAdmission>? admission = null, Action<FakeCluster>? started = null,
        Func<IRegistryFactStore, ListLoggerProvider, RetrainStep>? retraining = null, FakeKubernetesApiServerOptions? server = null,
        RetryPolicy? retry = null, int applyParallelism = 8)
    {
        var cluster = await FakeCluster.StartAsync(retry, options: server);
        started?.Invoke(cluster);
        return new(cluster, admission, retraining, applyParallelism);
    }

    /// <summary>The registry facts store every pass of this rig uses.</summary>
    public IRegistryFactStore Facts => new ConfigMapRegistryFactStore(Cluster.Connection, StatusNamespace);

    /// <summary>A second pass instance over the same cluster and Git (what a restarted or other replica has).</summary>
    public ReconcilePass NewPass(IClusterDriver? driver = null, bool once = false, IGitSource? git = null, INotifier? notifier = null) => new(git ?? Git, driver ?? Cluster.Driver(), Status, new ClusterRegistry(Facts), Metrics,
        TimeProvider.System, new ReconcilePassSettings { Validate = files => { Interlocked.Increment(ref _validations); return RepositoryValidator.Validate(files); }, Backoff = new Backoff(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5)), ApplyParallelism = _applyParallelism, Once = once, Notifier = notifier ?? NoOpNotifier.Instance, Admission = Admission, TrainingPods = new KubernetesTrainingPods(Cluster.Connection), Retraining = _retraining?.Invoke(Facts, Logs) },
        Logs.CreateFactory().CreateLogger<ReconcilePass>());

    public async Task<ReconcileOutcome> RunAsync(string environment = "prod") =>
        (await Pass.RunAsync([environment], CancellationToken.None)).Single();

    public Task<EnvironmentStatus?> StatusAsync(string environment = "prod") => Status.ReadAsync(environment, CancellationToken.None);

    /// <summary>Every managed object of the environment in the fake server, sorted by key.</summary>
    public IReadOnlyList<JsonObject> Managed(string environment = "prod") =>
        [.. ManagedKinds.All
            .SelectMany(k => Cluster.Server.ListObjects(k.ApiVersion, k.Kind, SpecRepository.Namespace))
            .Where(o => o["metadata"]?["labels"]?[ManagedLabels.Environment]?.GetValue<string>() == environment)
            .OrderBy(o => $"{o["kind"]}/{o["metadata"]!["name"]}", StringComparer.Ordinal)];

    public IReadOnlyList<string> ManagedNames(string environment = "prod") =>
        [.. ManagedKinds.All
            .SelectMany(k => Cluster.Server.ListObjects(k.ApiVersion, k.Kind, SpecRepository.Namespace).Select(o => (Kind: k.Kind, Object: o)))
            .Where(p => p.Object["metadata"]?["labels"]?[ManagedLabels.Environment]?.GetValue<string>() == environment)
            .Select(p => $"{p.Kind}/{p.Object["metadata"]!["name"]}")
            .Order(StringComparer.Ordinal)];

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}
