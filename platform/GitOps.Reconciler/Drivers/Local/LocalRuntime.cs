using System.Net;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Drivers.Local.Routing;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.WebConsole;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>Settings of a <see cref="LocalRuntime"/>.</summary>
public sealed record LocalRuntimeOptions
{
    public required StateFolder State { get; init; }

    /// <summary>What trainers and inference servers run (the running <c>gitops</c> by default).</summary>
    public GitOpsExecutable? Executable { get; init; }

    /// <summary>Where the proxy listens (port 0: any free port).</summary>
    public required IPEndPoint ProxyListen { get; init; }

    /// <summary>Where Prometheus listens; null runs without it.</summary>
    public IPEndPoint? PrometheusListen { get; init; }

    /// <summary>A dataset already on this machine, by sha256; null when there is none (the trainer fetches it).</summary>
    public Func<string, string?> Datasets { get; init; } = _ => null;

    /// <summary>Waits between failed training attempts and between restarts of a server that keeps dying.</summary>
    public Backoff Backoff { get; init; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    /// <summary>The web console the proxy serves under <c>/console/</c>; null (the default) does not serve it.</summary>
    public ConsoleSite? Console { get; init; }

    /// <summary>Time between steps of the controllers when nothing changed.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// Everything the Local driver runs besides the object store: the Job controller, the serving supervisor, the
/// proxy and Prometheus, stepped together every <see cref="LocalRuntimeOptions.Period"/> and whenever an object
/// changes. It starts by adopting the processes a previous <c>gitops up</c> left running (pid and start time),
/// and stops everything it runs on <see cref="StopAsync"/>.
/// </summary>
public sealed class LocalRuntime : IAsyncDisposable
{
    private readonly LocalRuntimeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _stepGate = new();

    private LocalRuntime(LocalRuntimeOptions options, LocalTrafficProxy proxy, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _time = time;
        _log = loggers.CreateLogger<LocalRuntime>();
        Proxy = proxy;
        Cluster = new LocalClusterDriver(options.State, time);
        Processes = new ProcessTable(options.State);
        var pods = new PodCommand(options.Executable ?? GitOpsExecutable.Current(), options.State);
        Jobs = new TrainingJobs(Cluster, Processes, pods, options.State, options.Datasets, options.Backoff, time, loggers.CreateLogger<TrainingJobs>());
        Serving = new ServingSupervisor(Cluster, Processes, pods, options.State, options.Backoff, time, loggers.CreateLogger<ServingSupervisor>());
        Prometheus = new PrometheusProcess(options.State, Processes, time, loggers.CreateLogger<PrometheusProcess>());
        Cluster.Changed += _ => Wake();
    }

    public LocalClusterDriver Cluster { get; }
    public ProcessTable Processes { get; }
    public TrainingJobs Jobs { get; }
    public ServingSupervisor Serving { get; }
    public LocalTrafficProxy Proxy { get; }
    public PrometheusProcess Prometheus { get; }

    /// <summary>Starts the proxy (an <see cref="IOException"/> when its port is taken) and Prometheus, and forgets
    /// recorded processes that no longer run.</summary>
    public static async Task<LocalRuntime> StartAsync(LocalRuntimeOptions options, CollectorRegistry metrics, ILoggerFactory loggers,
        TimeProvider time, CancellationToken ct)
    {
        options.State.Create();
        var proxy = await LocalTrafficProxy.StartAsync(options.ProxyListen, metrics, loggers, ct, options.Console);
        var runtime = new LocalRuntime(options, proxy, time, loggers);
        foreach (var gone in runtime.Processes.All.Where(r => !r.IsAlive && r.Role != ProcessRole.Training))
        {
            runtime.Processes.Remove(gone.Id);
        }
        if (options.PrometheusListen is { } listen)
        {
            await runtime.Prometheus.StartAsync(listen, new Uri(proxy.Address, "metrics"), ct);
        }
        runtime.Step();
        return runtime;
    }

    /// <summary>One step of every controller; then the proxy and Prometheus follow the servers that are ready.</summary>
    public void Step()
    {
        lock (_stepGate)
        {
            var objects = Cluster.Objects;
            var jobs = objects.Where(o => Kind(o) == "Job").ToList();
            Jobs.Step(jobs);
            var jobOwners = jobs.Select(j => TrainingJobs.Owner(ObjectStore.KeyOf(j))).ToHashSet(StringComparer.Ordinal);
            foreach (var orphan in Processes.All.Where(r => r.Role == ProcessRole.Training && !jobOwners.Contains(r.Owner)))
            {
                _log.LogInformation("{Owner}: the Job was removed; stopping its trainer (pid {Pid})", orphan.Owner, orphan.Pid);
                OsProcesses.ForceKill(orphan.Pid, orphan.StartTime);
                Processes.Remove(orphan.Id);
            }
            Serving.Step([.. objects.Where(o => Kind(o) == "Deployment")], [.. objects.Where(o => Kind(o) == "HorizontalPodAutoscaler")]);
            var endpoints = Serving.Endpoints;
            if (Proxy.Update(RouteTable.Build(Cluster.Objects, endpoints)))
            {
                _log.LogInformation("routes updated: {Routes}", string.Join("; ", Proxy.Current.Models.Select(m => $"{m.Path} -> {m.Destinations} server(s)")));
            }
            Prometheus.WriteTargets(endpoints);
            Prometheus.WriteRules([.. objects.Where(o => Kind(o) == ManagedKinds.PrometheusRule.Kind)]);
        }
    }

    /// <summary>Steps until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                Step();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.LogWarning("local controllers: {Error}", e.Message);
            }
            try
            {
                await _wake.WaitAsync(_options.Period, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Stops every process it runs: servers drained, trainers killed, Prometheus stopped.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        await Serving.StopAllAsync(ct);
        Jobs.StopAll();
        await Prometheus.StopAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        Serving.Dispose();
        _wake.Dispose();
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is already pending.
        }
    }

    private static string Kind(JsonObject o) => o["kind"]?.GetValue<string>() ?? "";
}
