using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Loop;
using GitOps.Specs.Contracts;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>
/// The Job controller of the Local driver: each training Job runs its container as a process in its own working
/// folder with the Job's environment variables, is stopped at <c>activeDeadlineSeconds</c>, is retried with backoff
/// up to <c>backoffLimit</c> times, keeps one log per attempt, and gets its status written the way the Kubernetes Job
/// controller writes it (<c>active</c>, <c>succeeded</c>, <c>failed</c>, <c>Complete</c>/<c>Failed</c> conditions).
/// </summary>
public sealed class TrainingJobs(
    LocalClusterDriver cluster,
    ProcessTable processes,
    PodCommand pods,
    StateFolder state,
    Func<string, string?> datasets,
    Backoff backoff,
    TimeProvider time,
    ILogger log)
{
    private readonly Dictionary<string, OsProcesses.Started> _children = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _nextAttempt = new(StringComparer.Ordinal);

    public static string Owner(ResourceKey key) => $"Job/{key.Namespace}/{key.Name}";

    private static string ProcessId(string owner) => owner + "#trainer";

    /// <summary>One step for every Job: start, watch, time out, retry or finish. Never blocks.</summary>
    public void Step(IEnumerable<JsonObject> jobs)
    {
        foreach (var job in jobs)
        {
            var key = ObjectStore.KeyOf(job);
            var owner = Owner(key);
            var status = job["status"] as JsonObject ?? new JsonObject();
            if (IsFinished(status))
            {
                continue;
            }
            var now = time.GetUtcNow();
            var failed = Int(status["failed"]);
            var started = Time(status["startTime"]);
            var deadline = job["spec"]?["activeDeadlineSeconds"] is JsonValue d && d.TryGetValue<long>(out var seconds)
                ? started?.AddSeconds(seconds) : null;
            var record = processes.Find(ProcessId(owner));
            if (record is not null && record.IsAlive)
            {
                if (deadline is { } end && now >= end)
                {
                    OsProcesses.ForceKill(record.Pid, record.StartTime);
                    processes.Remove(record.Id);
                    _children.Remove(record.Id);
                    Finish(key, status, failed + 1, "Failed", "DeadlineExceeded", $"the Job was active longer than its timeout; log: {record.Log}");
                }
                else if (LastProgress(record.Log) is { } step && step.ToString() != status[ProgressField]?.GetValue<string>())
                {
                    WriteStatus(key, status, active: 1, failed, started, step.ToString());
                }
                continue;
            }
            if (record is not null && _children.TryGetValue(record.Id, out var exiting) && !exiting.Handle.HasExited)
            {
                // Gone from /proc's point of view (a zombie) but not reaped by .NET yet: its exit code is not known, and
                // reading it now would count a successful run as failed. A later step sees it.
                continue;
            }
            if (record is not null)
            {
                var succeeded = _children.Remove(record.Id, out var child)
                    ? child.Handle.HasExited && child.Handle.ExitCode == 0
                    : record.SuccessMarker is { } marker && File.Exists(marker);
                processes.Remove(record.Id);
                if (succeeded)
                {
                    log.LogInformation("{Job}: training succeeded", owner);
                    Finish(key, status, failed, "Complete", "Completed", $"trained; log: {record.Log}", succeeded: true);
                    continue;
                }
                failed++;
                var limit = Int(job["spec"]?["backoffLimit"], 6);
                var reason = LastLine(record.Log);
                log.LogWarning("{Job}: training attempt {Attempt} failed: {Reason}", owner, failed, reason);
                if (failed > limit)
                {
                    Finish(key, status, failed, "Failed", "BackoffLimitExceeded",
                        $"{failed} attempt(s) failed, the last with: {reason} (log: {record.Log})");
                    continue;
                }
                _nextAttempt[owner] = now + backoff.After(failed);
                WriteStatus(key, status, active: 0, failed, started);
                continue;
            }
            if (_nextAttempt.TryGetValue(owner, out var next) && now < next)
            {
                continue;
            }
            _nextAttempt.Remove(owner);
            StartAttempt(job, key, owner, status, failed, started ?? now);
        }
    }

    private void StartAttempt(JsonObject job, ResourceKey key, string owner, JsonObject status, int failed, DateTimeOffset started)
    {
        var podSpec = job["spec"]?["template"]?["spec"] as JsonObject ?? new JsonObject();
        var container = (podSpec["containers"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault() ?? new JsonObject();
        var attempt = failed + 1;
        var podFolder = Path.Combine(state.PodsFolder, key.Name, $"attempt-{attempt}");
        var logFile = Path.Combine(state.LogsFolder, key.Name, $"attempt-{attempt}.log");
        try
        {
            if (Directory.Exists(podFolder))
            {
                Directory.Delete(podFolder, recursive: true);
            }
            PodCommand.PrepareVolumes(podSpec, podFolder, name => cluster.Get(new ResourceKey("v1", "ConfigMap", key.Namespace, name)), state.SecretsFolder);
            var (command, error) = pods.For(container, podFolder, port: null);
            if (command is null)
            {
                Finish(key, status, failed + 1, "Failed", "Unsupported", error!);
                return;
            }
            var environment = command.Environment.ToBuilder();
            if (environment.TryGetValue(TrainingContract.DatasetSha256, out var sha) && datasets(sha) is { } cached)
            {
                // A dataset already on this machine with the expected digest: the trainer reads it instead of fetching.
                environment[TrainingContract.Dataset] = cached;
            }
            var marker = environment.TryGetValue(TrainingContract.ArtifactUri, out var artifact)
                         && artifact.StartsWith("file://", StringComparison.Ordinal)
                ? Path.Combine(artifact["file://".Length..], TrainingContract.ModelFile)
                : null;
            var child = OsProcesses.Start(command.FileName, command.Arguments, environment.ToImmutable(), podFolder, logFile);
            var id = ProcessId(owner);
            _children[id] = child;
            processes.Put(new ProcessRecord
            {
                Id = id,
                Role = ProcessRole.Training,
                Pid = child.Pid,
                StartTime = child.StartTime,
                Owner = owner,
                Log = logFile,
                Started = time.GetUtcNow(),
                SuccessMarker = marker,
            });
            log.LogInformation("{Job}: training attempt {Attempt} started (pid {Pid}, log {Log})", owner, attempt, child.Pid, logFile);
            WriteStatus(key, status, active: 1, failed, started);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            log.LogWarning("{Job}: cannot start training: {Error}", owner, e.Message);
            _nextAttempt[owner] = time.GetUtcNow() + backoff.After(failed + 1);
        }
    }

    private void WriteStatus(ResourceKey key, JsonObject status, int active, int failed, DateTimeOffset? started, string? progress = null)
    {
        var next = new JsonObject
        {
            ["active"] = active,
            ["failed"] = failed,
            ["succeeded"] = 0,
        };
        if (progress is not null)
        {
            next[ProgressField] = progress;
        }
        if (started is { } s)
        {
            next["startTime"] = Format(s);
        }
        cluster.UpdateStatus(key, next);
    }

    private void Finish(ResourceKey key, JsonObject status, int failed, string condition, string reason, string message, bool succeeded = false)
    {
        var now = Format(time.GetUtcNow());
        var next = new JsonObject
        {
            ["active"] = 0,
            ["failed"] = failed,
            ["succeeded"] = succeeded ? 1 : 0,
            ["startTime"] = status["startTime"]?.DeepClone() ?? now,
            ["conditions"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = condition,
                    ["status"] = "True",
                    ["reason"] = reason,
                    ["message"] = message,
                    ["lastTransitionTime"] = now,
                },
            },
        };
        if (succeeded)
        {
            next["completionTime"] = now;
        }
        cluster.UpdateStatus(key, next);
    }

    /// <summary>Stops every training process (used by <c>gitops down</c> and on shutdown).</summary>
    public void StopAll()
    {
        foreach (var record in processes.All.Where(r => r.Role == ProcessRole.Training))
        {
            OsProcesses.ForceKill(record.Pid, record.StartTime);
            processes.Remove(record.Id);
        }
        _children.Clear();
    }

    private static bool IsFinished(JsonObject status) =>
        (status["conditions"] as JsonArray ?? []).OfType<JsonObject>().Any(c =>
            c["type"]?.GetValue<string>() is "Complete" or "Failed" && c["status"]?.GetValue<string>() == "True");

    /// <summary>The status field where a running Job's newest step is kept (<c>3/7 fitting fastTree</c>). Only the
    /// local store has it: in a cluster the same lines are in the pod's log.</summary>
    public const string ProgressField = "progress";

    /// <summary>The newest <c>progress:</c> line in the tail of a running trainer's log, or null.</summary>
    public static TrainingProgress? LastProgress(string logFile)
    {
        try
        {
            using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            const int tail = 8192;
            stream.Seek(Math.Max(0, stream.Length - tail), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().Split('\n');
            return lines.Reverse().Select(l => TrainingProgress.Parse(l.TrimEnd('\r'))).FirstOrDefault(p => p is not null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The last non-empty line of a log: what a failed run said last.</summary>
    public static string LastLine(string logFile)
    {
        try
        {
            var last = File.ReadLines(logFile).LastOrDefault(l => !string.IsNullOrWhiteSpace(l));
            return last is null ? "no output" : last.Length > 300 ? last[..300] + "…" : last;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "no log";
        }
    }

    private static int Int(JsonNode? node, int fallback = 0) =>
        node is JsonValue v ? v.TryGetValue<int>(out var i) ? i : v.TryGetValue<long>(out var l) ? (int)l : fallback : fallback;

    private static DateTimeOffset? Time(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s)
        && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
