using System.Net;
using System.Text;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Git;
using GitOps.Reconciler.Hosting;
using GitOps.Reconciler.Leadership;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Registry;
using GitOps.Reconciler.Tests.Support;
using GitOps.Reconciler.Webhooks;
using GitOps.Testing.FakeGitHub;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Tests.EndToEnd;

/// <summary>
/// A whole reconciler as <c>gitops reconcile</c> builds it — Git source on a real repository, Kubernetes driver,
/// ConfigMap status and Lease leader election over HTTP to the fake API server, HTTP endpoints on 127.0.0.1 — running
/// in the background until disposed (or killed).
/// </summary>
internal sealed class RunningReconciler : IAsyncDisposable
{
    public const string WebhookSecretValue = "e2e-webhook-secret";

    /// <summary>Unused by <c>file://</c> stores, which are all the end-to-end tests use.</summary>
    private static readonly HttpClient ArtifactsHttp = new();

    private readonly CancellationTokenSource _stop = new();
    private readonly string _cache;
    private Task _run = Task.CompletedTask;

    private RunningReconciler(ReconcilerApp app, KubernetesClusterDriver driver, string cache, ListLoggerProvider logs)
    {
        App = app;
        Driver = driver;
        _cache = cache;
        Logs = logs;
    }

    public ReconcilerApp App { get; }

    /// <summary>The cluster driver: <see cref="KubernetesClusterDriver.ReadsFromWatch"/> says when its watch has listed
    /// every kind, after which an outside change reaches the drift watch as an event.</summary>
    public KubernetesClusterDriver Driver { get; }
    public ListLoggerProvider Logs { get; }

    public static async Task<RunningReconciler> StartAsync(KubernetesApiConnection connection, string repository, string identity,
        TimeSpan? interval = null, int applyParallelism = 8, GitCredentials? credentials = null,
        TimeSpan? gitTimeout = null, TimeSpan? passTimeout = null, TimeSpan? driftDebounce = null, bool watchDrift = false,
        bool registry = false, bool relayPushes = false)
    {
        var cache = Directory.CreateTempSubdirectory("gitops-e2e-cache-").FullName;
        var logs = new ListLoggerProvider();
        var elector = new LeaseLeaderElector(connection, new LeaderElectionOptions
        {
            Namespace = ReconcilerRig.StatusNamespace,
            Identity = identity,
            LeaseDuration = TimeSpan.FromSeconds(10),
            RenewDeadline = TimeSpan.FromSeconds(8),
            RetryPeriod = TimeSpan.FromMilliseconds(100),
        }, TimeProvider.System);
        var driver = new KubernetesClusterDriver(connection);
        var facts = new ConfigMapRegistryFactStore(connection, ReconcilerRig.StatusNamespace);
        var app = new ReconcilerApp(
            new ReconcilerOptions
            {
                Environments = ["prod"],
                Branch = "main",
                Interval = interval ?? TimeSpan.FromMilliseconds(200),
                Listen = new IPEndPoint(IPAddress.Loopback, 0),
                WebhookSecret = WebhookSecret.FromValue(WebhookSecretValue, "test"),
                Backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)),
                ApplyParallelism = applyParallelism,
                // Stopping abandons the pass in flight, as a killed pod would: the tests are about what the next leader finds.
                ShutdownTimeout = TimeSpan.Zero,
                PassTimeout = passTimeout ?? TimeSpan.FromMinutes(10),
                DriftDebounce = driftDebounce ?? TimeSpan.FromSeconds(2),
            },
            new ReconcilerPorts(
                new GitSource(new GitSourceOptions
                {
                    Url = repository,
                    Branch = "main",
                    CacheDirectory = Path.Combine(cache, "repo"),
                    Credentials = credentials,
                    Timeout = gitTimeout ?? TimeSpan.FromMinutes(1),
                }),
                driver,
                new ConfigMapStatusStore(connection, ReconcilerRig.StatusNamespace),
                new LeaseLeadership(elector, identity),
                new ClusterRegistry(facts),
                watchDrift ? driver : null,
                Admission: registry ? new RegistryAdmission(RegistryStores.Opener(ArtifactsHttp, null), TimeProvider.System,
                    logs.CreateFactory().CreateLogger<RegistryAdmission>()) : null,
                Facts: registry ? facts : null,
                Pushes: relayPushes ? new ConfigMapPushRelay(connection, ReconcilerRig.StatusNamespace, identity) : null),
            TimeProvider.System, logs.CreateFactory(), RepositoryValidator.Validate);
        var running = new RunningReconciler(app, driver, cache, logs);
        running._run = Task.Run(() => app.RunAsync(running._stop.Token));
        await Eventually.TrueAsync(() => app.Address is not null || running._run.IsFaulted);
        return running;
    }

    public bool IsLeader => App.Metrics.ExportAsync(CancellationToken.None).GetAwaiter().GetResult().Contains("\ngitops_leader 1", StringComparison.Ordinal);

    /// <summary>Posts a signed push webhook for <c>main</c>; returns the HTTP status.</summary>
    public async Task<HttpStatusCode> PushWebhookAsync()
    {
        using var client = new HttpClient { BaseAddress = App.Address };
        var body = GitHubPushPayload.Create("main");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/github") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add(GitHubWebhookSignature.HeaderName, GitHubWebhookSignature.Compute(Encoding.UTF8.GetBytes(body), WebhookSecretValue));
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Stops the process abruptly from the cluster's point of view: work in flight is abandoned.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        try
        {
            Directory.Delete(_cache, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
