using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.Drivers.Kubernetes;

namespace GitOps.Reconciler.Lifecycle;

/// <summary>
/// Where one training Job stands, as one of a few outcomes a person can act on. <see cref="Message"/> says why, with
/// the tail of the failed pod's termination message when there is one.
/// </summary>
public sealed record TrainingRun(string Model, string Version, string Job, string Outcome, string Message)
{
    public const string Succeeded = "succeeded";
    public const string Running = "running";
    public const string Pending = "pending";
    public const string BackoffExhausted = "backoff_exhausted";
    public const string DeadlineExceeded = "deadline_exceeded";
    public const string ImagePullError = "image_pull_error";
    public const string Unschedulable = "unschedulable";
    public const string Failed = "failed";

    /// <summary>The run needs a person: it failed, or it cannot start (image, scheduling).</summary>
    public bool NeedsAttention => Outcome is not (Succeeded or Running or Pending);

    /// <summary>The run is over: Kubernetes will not try it again (a stuck pod is retried by the kubelet, not by us).</summary>
    public bool IsFinished => Outcome is Succeeded or BackoffExhausted or DeadlineExceeded or Failed;

    /// <summary>One line for status and logs: <c>fraud 9a75b5701b77 backoff_exhausted: ...</c>.</summary>
    public override string ToString() => $"{Model} {Version} {Outcome}: {Message}";
}

/// <summary>What classifying a training Job reads of the Job itself, read once (<see cref="Read"/>).</summary>
public sealed record TrainingJob(string Name, string Model, string Version, string Uid, WorkloadHealth Health,
    long? Failed, long? BackoffLimit, long? DeadlineSeconds)
{
    /// <summary>The same function on every call, so that a compactly kept Job keeps what it read
    /// (<see cref="CompactObject.Read{T}"/>).</summary>
    public static readonly Func<JsonObject, TrainingJob> Read = Of;

    /// <summary>Its pods must be read to classify it (it neither completed nor failed without them).</summary>
    public bool NeedsPods => Health.State != WorkloadState.Complete;

    public static TrainingJob Of(JsonObject job)
    {
        var name = ObjectKeys.Of(job).Name;
        return new TrainingJob(name, ObjectKeys.Label(job, ManagedLabels.Model) ?? name, ObjectKeys.Label(job, ManagedLabels.Version) ?? "-",
            job["metadata"]?["uid"]?.ToString() ?? "", WorkloadHealth.ForJob(job), Long(job["status"]?["failed"]),
            Long(job["spec"]?["backoffLimit"]), Long(job["spec"]?["activeDeadlineSeconds"]));
    }

    private static long? Long(JsonNode? node) => node is JsonValue v
        ? v.TryGetValue<long>(out var l) ? l : v.TryGetValue<int>(out var i) ? i : null
        : null;
}

/// <summary>
/// Classifies training Jobs from their status and their pods (pure). A failed Job says why through its condition
/// (<c>BackoffLimitExceeded</c>, <c>DeadlineExceeded</c>) and its last pod's termination message; a Job that
/// cannot start says so only through its pods: a container waiting on <c>ErrImagePull</c>/<c>ImagePullBackOff</c>,
/// or a pod the scheduler cannot place (no node has the GPU pool's labels or free GPUs).
/// </summary>
public static class TrainingRuns
{
    /// <summary>Most characters of a termination message kept (its end: where the error is).</summary>
    public const int MessageTail = 600;

    /// <summary>The labels the Job controller puts on its pods (the second is the older form).</summary>
    private static readonly string[] JobNameLabels = ["batch.kubernetes.io/job-name", "job-name"];

    private static readonly HashSet<string> ImagePullReasons = new(StringComparer.Ordinal)
    {
        "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable",
    };

    /// <summary>One run per training Job in <paramref name="observed"/>, sorted by model then Job.</summary>
    public static ImmutableArray<TrainingRun> Classify(IReadOnlyList<JsonObject> observed, IReadOnlyList<JsonObject> pods) =>
        Classify([.. observed.ReadEach("Job", TrainingJob.Read)], pods);

    /// <summary>One run per Job of <paramref name="jobs"/>, sorted by model then Job.</summary>
    public static ImmutableArray<TrainingRun> Classify(IReadOnlyList<TrainingJob> jobs, IReadOnlyList<JsonObject> pods)
    {
        var byJob = pods
            .Select(p => (Job: JobNameLabels.Select(l => ObjectKeys.Label(p, l)).FirstOrDefault(n => n is not null), Pod: p))
            .Where(p => p.Job is not null)
            .GroupBy(p => p.Job!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Pod)
                .OrderBy(p => p["metadata"]?["creationTimestamp"]?.ToString(), StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var runs = ImmutableArray.CreateBuilder<TrainingRun>();
        foreach (var job in jobs)
        {
            var (outcome, message) = Classify(job, byJob.GetValueOrDefault(job.Name) ?? []);
            runs.Add(new TrainingRun(job.Model, job.Version, job.Name, outcome, message));
        }
        return [.. runs.OrderBy(r => r.Model, StringComparer.Ordinal).ThenBy(r => r.Job, StringComparer.Ordinal)];
    }

    private static (string Outcome, string Message) Classify(TrainingJob job, IReadOnlyList<JsonObject> pods)
    {
        var health = job.Health;
        switch (health.State)
        {
            case WorkloadState.Complete:
                return (TrainingRun.Succeeded, health.Message);
            case WorkloadState.Failed:
                var outcome = health.Reason switch
                {
                    "BackoffLimitExceeded" => TrainingRun.BackoffExhausted,
                    "DeadlineExceeded" => TrainingRun.DeadlineExceeded,
                    _ => TrainingRun.Failed,
                };
                var what = outcome switch
                {
                    TrainingRun.BackoffExhausted => $"every attempt failed ({job.Failed} of {job.BackoffLimit + 1}): {health.Message}",
                    TrainingRun.DeadlineExceeded => $"the Job ran longer than training.timeout ({job.DeadlineSeconds}s): {health.Message}",
                    _ => $"{health.Reason}: {health.Message}",
                };
                var tail = pods.Select(TerminationMessage).LastOrDefault(m => m is not null);
                return (outcome, tail is null ? what : $"{what}; last message: {tail}");
        }
        foreach (var pod in pods.AsEnumerable().Reverse())
        {
            foreach (var container in Containers(pod))
            {
                if (container["state"]?["waiting"] is JsonObject waiting && waiting["reason"]?.GetValue<string>() is { } reason && ImagePullReasons.Contains(reason))
                {
                    var image = container["image"]?.GetValue<string>() ?? "?";
                    return (TrainingRun.ImagePullError, $"{reason}: image {image} cannot be pulled: {waiting["message"]?.GetValue<string>() ?? "no message"}; fix training.image (or the environment's trainerImage) or the registry credentials");
                }
            }
            var scheduled = (pod["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
                .FirstOrDefault(c => c["type"]?.GetValue<string>() == "PodScheduled");
            if (scheduled is not null && scheduled["status"]?.GetValue<string>() == "False" && scheduled["reason"]?.GetValue<string>() == "Unschedulable")
            {
                var selector = pod["spec"]?["nodeSelector"] is JsonObject s && s.Count > 0
                    ? $" (node selector {string.Join(", ", s.Select(kv => $"{kv.Key}={kv.Value}"))})" : "";
                return (TrainingRun.Unschedulable, $"no node can run the training pod{selector}: {scheduled["message"]?.GetValue<string>() ?? "unschedulable"}; " +
                    "add nodes to the GPU pool, free its GPUs, or fix the pool's nodeSelector in the environment");
            }
        }
        return health.State == WorkloadState.Running ? (TrainingRun.Running, health.Message) : (TrainingRun.Pending, health.Message);
    }

    private static IEnumerable<JsonObject> Containers(JsonObject pod) =>
        (pod["status"]?["initContainerStatuses"] as JsonArray ?? []).Concat(pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>();

    /// <summary>The end of the last termination message of a pod's containers (what the trainer wrote to
    /// <c>/dev/termination-log</c>, or its log's end with <c>FallbackToLogsOnError</c>).</summary>
    private static string? TerminationMessage(JsonObject pod)
    {
        foreach (var container in Containers(pod).Reverse())
        {
            var terminated = container["state"]?["terminated"] as JsonObject ?? container["lastState"]?["terminated"] as JsonObject;
            if (terminated?["message"]?.GetValue<string>() is { Length: > 0 } message)
            {
                var text = message.Trim().ReplaceLineEndings(" | ");
                return text.Length <= MessageTail ? text : "…" + text[^MessageTail..];
            }
            if (terminated?["reason"]?.GetValue<string>() is { } reason && terminated["exitCode"] is JsonNode code)
            {
                return $"{reason} (exit code {code})";
            }
        }
        return null;
    }
}
