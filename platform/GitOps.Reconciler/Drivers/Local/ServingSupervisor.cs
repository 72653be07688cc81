using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.Loop;
using GitOps.Specs;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>A ready inference server: where it listens and the labels of the pod it stands for.</summary>
public sealed record ServingEndpoint(string Namespace, string Owner, int Port, int Pid, ImmutableSortedDictionary<string, string> Labels);

/// <summary>
/// The Deployment controller of the Local driver, a supervisor: each serving Deployment runs <c>replicas</c>
/// processes of its pod (init containers first, then the server on a free loopback port), each checked on
/// <c>/v2/health/ready</c>; one that dies is started again after a backoff that grows while it keeps dying; a new
/// template rolls out by starting the new processes and draining the old ones once the new are ready; a removed
/// Deployment's processes are drained (SIGTERM, then SIGKILL after the grace period). Status is written the way the
/// Kubernetes Deployment controller writes it.
/// </summary>
public sealed class ServingSupervisor(
    LocalClusterDriver cluster,
    ProcessTable processes,
    PodCommand pods,
    StateFolder state,
    Backoff backoff,
    TimeProvider time,
    ILogger log) : IDisposable
{
    /// <summary>How long a drained server may take to finish the requests it accepted.</summary>
    public static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(10);

    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(1) };
    private readonly ConcurrentDictionary<string, OsProcesses.Started> _children = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _ready = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _busy = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int Crashes, DateTimeOffset NextStart, string Reason)> _crashes = new(StringComparer.Ordinal);

    public static string Owner(ResourceKey key) => $"Deployment/{key.Namespace}/{key.Name}";

    /// <summary>Ready servers, for the proxy and Prometheus.</summary>
    public IReadOnlyList<ServingEndpoint> Endpoints =>
    [
        .. processes.All
            .Where(r => r.Role == ProcessRole.Serving && _ready.GetValueOrDefault(r.Id) && r.IsAlive)
            .Select(r => new ServingEndpoint(NamespaceOf(r.Owner), r.Owner, r.Port, r.Pid, r.Labels)),
    ];

    /// <summary>One step for every Deployment: start, probe, restart, roll out, drain, report. Never blocks.</summary>
    public void Step(IReadOnlyList<JsonObject> deployments, IReadOnlyList<JsonObject> autoscalers)
    {
        var owners = new HashSet<string>(StringComparer.Ordinal);
        foreach (var deployment in deployments)
        {
            var key = ObjectStore.KeyOf(deployment);
            var owner = Owner(key);
            owners.Add(owner);
            StepDeployment(deployment, key, owner, autoscalers);
        }
        foreach (var orphan in processes.All.Where(r => r.Role == ProcessRole.Serving && !owners.Contains(r.Owner)))
        {
            Drain(orphan, "its Deployment was removed");
        }
    }

    private void StepDeployment(JsonObject deployment, ResourceKey key, string owner, IReadOnlyList<JsonObject> autoscalers)
    {
        var template = deployment["spec"]?["template"] as JsonObject ?? new JsonObject();
        var hash = CanonicalJson.Hash(template)[..10];
        var desired = Replicas(deployment, key, autoscalers);
        var now = time.GetUtcNow();
        var mine = processes.All.Where(r => r.Owner == owner).ToList();

        for (var replica = 0; replica < desired; replica++)
        {
            var id = $"{owner}#{hash}#{replica}";
            var record = mine.FirstOrDefault(r => r.Id == id);
            if (_busy.ContainsKey(id))
            {
                continue;
            }
            if (record is not null && record.IsAlive)
            {
                Probe(record);
                continue;
            }
            if (record is not null)
            {
                // It died: a crash loop backs off longer each time, as the kubelet does.
                var exit = _children.TryRemove(id, out var child) && child.Handle.WaitForExit(TimeSpan.FromSeconds(2)) ? $"exit code {child.Handle.ExitCode}" : "it stopped";
                var crashes = _crashes.GetValueOrDefault(id).Crashes + 1;
                var reason = $"{exit}: {TrainingJobs.LastLine(record.Log)}";
                _crashes[id] = (crashes, now + backoff.After(crashes), reason);
                _ready.TryRemove(id, out _);
                processes.Remove(id);
                log.LogWarning("{Deployment}: replica {Replica} (pid {Pid}) died ({Reason}); restarting in {Delay}", owner, replica, record.Pid, reason, Durations.Format(backoff.After(crashes)));
                continue;
            }
            if (_crashes.TryGetValue(id, out var crash) && now < crash.NextStart)
            {
                continue;
            }
            var podSpec = template["spec"] as JsonObject ?? new JsonObject();
            var labels = (template["metadata"]?["labels"] as JsonObject ?? []).ToImmutableSortedDictionary(
                kv => kv.Key, kv => kv.Value?.GetValue<string>() ?? "", StringComparer.Ordinal);
            var slot = replica;
            Launch(id, () => StartReplicaAsync(id, owner, key, slot, hash, podSpec, labels));
        }

        // Rolling update: what the new template replaces goes once every new replica is ready.
        var current = mine.Where(r => r.TemplateHash == hash && r.Replica < desired).ToList();
        var newReady = current.Count(r => _ready.GetValueOrDefault(r.Id));
        foreach (var stale in mine.Where(r => r.TemplateHash != hash || r.Replica >= desired))
        {
            if (newReady >= desired || !stale.IsAlive || stale.Replica >= desired && stale.TemplateHash == hash)
            {
                Drain(stale, "replaced by a new template or scaled down");
            }
        }
        WriteStatus(deployment, key, owner, hash, desired);
    }

    private async Task StartReplicaAsync(string id, string owner, ResourceKey key, int replica, string hash, JsonObject podSpec,
        ImmutableSortedDictionary<string, string> labels)
    {
        try
        {
            var podName = $"{key.Name}-{hash}-{replica}";
            var podFolder = Path.Combine(state.PodsFolder, podName);
            var logFile = Path.Combine(state.LogsFolder, podName + ".log");
            PodCommand.PrepareVolumes(podSpec, podFolder, name => cluster.Get(new ResourceKey("v1", "ConfigMap", key.Namespace, name)), state.SecretsFolder);
            foreach (var init in (podSpec["initContainers"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var (initCommand, initError) = pods.For(init, podFolder, port: null);
                if (initCommand is null)
                {
                    Crashed(id, initError!);
                    return;
                }
                var run = OsProcesses.Start(initCommand.FileName, initCommand.Arguments, initCommand.Environment, podFolder, logFile);
                await run.Handle.WaitForExitAsync();
                if (run.Handle.ExitCode != 0)
                {
                    Crashed(id, $"init container {init["name"]} failed (exit code {run.Handle.ExitCode}): {TrainingJobs.LastLine(logFile)}");
                    return;
                }
            }
            var container = (podSpec["containers"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault() ?? new JsonObject();
            var port = FreePort();
            var (command, error) = pods.For(container, podFolder, port);
            if (command is null)
            {
                Crashed(id, error!);
                return;
            }
            var child = OsProcesses.Start(command.FileName, command.Arguments, command.Environment, podFolder, logFile);
            _children[id] = child;
            processes.Put(new ProcessRecord
            {
                Id = id,
                Role = ProcessRole.Serving,
                Pid = child.Pid,
                StartTime = child.StartTime,
                Owner = owner,
                TemplateHash = hash,
                Replica = replica,
                Port = port,
                Log = logFile,
                Labels = labels,
                Started = time.GetUtcNow(),
            });
            log.LogInformation("{Deployment}: replica {Replica} started on 127.0.0.1:{Port} (pid {Pid}, log {Log})", owner, replica, port, child.Pid, logFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or SocketException)
        {
            Crashed(id, e.Message);
        }
    }

    /// <summary>Runs slow work for one replica off the step; the replica is left alone by later steps until it ends.</summary>
    private void Launch(string id, Func<Task> work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_busy.TryAdd(id, done.Task))
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (Exception e)
            {
                log.LogWarning(e, "{Replica}: unexpected failure", id);
            }
            finally
            {
                _busy.TryRemove(id, out _);
                done.SetResult();
            }
        });
    }

    private void Crashed(string id, string reason)
    {
        var crashes = _crashes.GetValueOrDefault(id).Crashes + 1;
        _crashes[id] = (crashes, time.GetUtcNow() + backoff.After(crashes), reason);
        log.LogWarning("{Replica}: cannot start: {Reason}", id, reason);
    }

    private void Probe(ProcessRecord record) => Launch(record.Id, () => ProbeAsync(record));

    private async Task ProbeAsync(ProcessRecord record)
    {
        try
        {
            using var response = await _probe.GetAsync($"http://127.0.0.1:{record.Port}/v2/health/ready");
            var ready = response.IsSuccessStatusCode;
            if (ready && !_ready.GetValueOrDefault(record.Id))
            {
                // Ready again: the crash loop is over.
                _crashes.TryRemove(record.Id, out _);
            }
            _ready[record.Id] = ready;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            _ready[record.Id] = false;
        }
    }

    private void Drain(ProcessRecord record, string why)
    {
        if (_busy.ContainsKey(record.Id))
        {
            return;
        }
        _ready[record.Id] = false;
        log.LogInformation("{Deployment}: draining replica {Replica} (pid {Pid}): {Why}", record.Owner, record.Replica, record.Pid, why);
        Launch(record.Id, () => DrainAsync(record));
    }

    private async Task DrainAsync(ProcessRecord record)
    {
        try
        {
            await OsProcesses.StopAsync(record.Pid, record.StartTime, DrainGrace, time, CancellationToken.None);
        }
        finally
        {
            processes.Remove(record.Id);
            _children.TryRemove(record.Id, out _);
            _ready.TryRemove(record.Id, out _);
            _crashes.TryRemove(record.Id, out _);
        }
    }

    /// <summary>Drains every serving process and waits for them (gitops down, shutdown).</summary>
    public async Task StopAllAsync(CancellationToken ct)
    {
        try
        {
            // Starts and probes under way finish first, so that no process is recorded after the drain began.
            await Task.WhenAll(_busy.Values.ToArray()).WaitAsync(DrainGrace * 2, time, ct);
        }
        catch (TimeoutException)
        {
            log.LogWarning("some replicas were still starting after {Grace}; draining what is recorded", DrainGrace * 2);
        }
        var stops = processes.All.Where(r => r.Role == ProcessRole.Serving).Select(DrainAsync).ToArray();
        await Task.WhenAll(stops);
    }

    private void WriteStatus(JsonObject deployment, ResourceKey key, string owner, string hash, int desired)
    {
        var mine = processes.All.Where(r => r.Owner == owner && r.IsAlive).ToList();
        var updated = mine.Where(r => r.TemplateHash == hash && r.Replica < desired).ToList();
        var ready = mine.Count(r => _ready.GetValueOrDefault(r.Id));
        var available = updated.Count(r => _ready.GetValueOrDefault(r.Id));
        var crash = Enumerable.Range(0, desired).Select(i => _crashes.GetValueOrDefault($"{owner}#{hash}#{i}"))
            .Where(c => c.Crashes > 0).OrderByDescending(c => c.Crashes).FirstOrDefault();
        var availableNow = available >= desired;
        var status = new JsonObject
        {
            ["observedGeneration"] = deployment["metadata"]?["generation"]?.DeepClone() ?? 1,
            ["replicas"] = mine.Count,
            ["updatedReplicas"] = updated.Count,
            ["readyReplicas"] = ready,
            ["availableReplicas"] = available,
            ["conditions"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = "Available",
                    ["status"] = availableNow ? "True" : "False",
                    ["reason"] = availableNow ? "MinimumReplicasAvailable" : crash.Crashes > 0 ? "CrashLoopBackOff" : "MinimumReplicasUnavailable",
                    ["message"] = availableNow
                        ? $"{available} of {desired} replicas ready"
                        : crash.Crashes > 0
                            ? $"{available} of {desired} replicas ready; a replica failed {crash.Crashes} time(s): {crash.Reason}"
                            : $"{available} of {desired} replicas ready",
                },
            },
        };
        cluster.UpdateStatus(key, status);
    }

    private static int Replicas(JsonObject deployment, ResourceKey key, IReadOnlyList<JsonObject> autoscalers)
    {
        if (deployment["spec"]?["replicas"] is JsonValue r && r.TryGetValue<int>(out var replicas))
        {
            return replicas;
        }
        // Left to an autoscaler: run its minimum (a local machine has no metrics server to scale on).
        var hpa = autoscalers.FirstOrDefault(h => h["spec"]?["scaleTargetRef"]?["name"]?.GetValue<string>() == key.Name
                                                 && h["metadata"]?["namespace"]?.GetValue<string>() == key.Namespace);
        return hpa?["spec"]?["minReplicas"] is JsonValue m && m.TryGetValue<int>(out var min) ? min : 1;
    }

    private static string NamespaceOf(string owner) => owner.Split('/') is { Length: 3 } parts ? parts[1] : "";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => _probe.Dispose();
}
