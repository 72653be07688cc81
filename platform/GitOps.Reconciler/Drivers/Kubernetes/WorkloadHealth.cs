using System.Text.Json.Nodes;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>Where a Job or Deployment stands, read from its status the way <c>kubectl rollout status</c> and
/// <c>kubectl wait --for=condition=complete</c> read it.</summary>
public enum WorkloadState
{
    /// <summary>Job: the Complete condition is True.</summary>
    Complete,

    /// <summary>Job: the Failed (or FailureTarget) condition is True.</summary>
    Failed,

    /// <summary>Job: pods are active.</summary>
    Running,

    /// <summary>Job not started yet or suspended; Deployment rollout under way.</summary>
    Progressing,

    /// <summary>Deployment: every replica updated and available.</summary>
    Available,

    /// <summary>Deployment: the rollout exceeded its progress deadline, or replicas are unavailable after it.</summary>
    Degraded,
}

/// <summary>A workload's state with the reason (the condition reason where there is one) and a readable message.</summary>
public sealed record WorkloadHealth(WorkloadState State, string Reason, string Message)
{
    public bool IsTerminal => State is WorkloadState.Complete or WorkloadState.Failed;

    /// <summary>Health of a Job or Deployment; null for any other kind.</summary>
    public static WorkloadHealth? From(JsonObject obj) => obj["kind"]?.GetValue<string>() switch
    {
        "Job" => ForJob(obj),
        "Deployment" => ForDeployment(obj),
        _ => null,
    };

    public static WorkloadHealth ForJob(JsonObject job)
    {
        var status = job["status"] as JsonObject;
        if (Condition(status, "Failed") is { } failed && IsTrue(failed))
        {
            return new(WorkloadState.Failed, ReasonOf(failed, "Failed"), MessageOf(failed, "the Job failed"));
        }
        if (Condition(status, "FailureTarget") is { } target && IsTrue(target))
        {
            // Set before Failed while the Job's remaining pods terminate; the outcome is already decided.
            return new(WorkloadState.Failed, ReasonOf(target, "FailureTarget"), MessageOf(target, "the Job is failing"));
        }
        if (Condition(status, "Complete") is { } complete && IsTrue(complete))
        {
            return new(WorkloadState.Complete, ReasonOf(complete, "Completed"), MessageOf(complete, "the Job completed"));
        }
        var active = Int(status, "active");
        var succeeded = Int(status, "succeeded");
        var failedPods = Int(status, "failed");
        var counts = $"{active} active, {succeeded} succeeded, {failedPods} failed";
        if (job["spec"]?["suspend"] is JsonValue suspend && suspend.TryGetValue<bool>(out var isSuspended) && isSuspended
            || Condition(status, "Suspended") is { } suspended && IsTrue(suspended))
        {
            return new(WorkloadState.Progressing, "Suspended", $"the Job is suspended ({counts})");
        }
        if (active > 0)
        {
            return new(WorkloadState.Running, "PodsActive", counts);
        }
        return new(WorkloadState.Progressing, "Pending", $"no pod is running yet ({counts})");
    }

    public static WorkloadHealth ForDeployment(JsonObject deployment)
    {
        var status = deployment["status"] as JsonObject;
        var generation = Long(deployment["metadata"]?["generation"]) ?? 0;
        var observed = Long(status?["observedGeneration"]) ?? 0;
        if (observed < generation)
        {
            return new(WorkloadState.Progressing, "ObservedGenerationBehind",
                $"waiting for the controller to observe generation {generation} (observed {observed})");
        }
        if (Condition(status, "Progressing") is { } progressing && ReasonOf(progressing, "") == "ProgressDeadlineExceeded")
        {
            return new(WorkloadState.Degraded, "ProgressDeadlineExceeded", MessageOf(progressing, "the rollout exceeded its progress deadline"));
        }
        var desired = (int)(Long(deployment["spec"]?["replicas"]) ?? 1);
        var replicas = Int(status, "replicas");
        var updated = Int(status, "updatedReplicas");
        var available = Int(status, "availableReplicas");
        if (updated < desired)
        {
            return new(WorkloadState.Progressing, "RollingUpdate", $"{updated} of {desired} replicas updated");
        }
        if (replicas > updated)
        {
            return new(WorkloadState.Progressing, "OldReplicasTerminating", $"{replicas - updated} old replicas pending termination");
        }
        if (available < updated)
        {
            return new(WorkloadState.Progressing, "WaitingForAvailability", $"{available} of {updated} updated replicas available");
        }
        if (Condition(status, "Available") is { } avail && !IsTrue(avail))
        {
            return new(WorkloadState.Degraded, ReasonOf(avail, "MinimumReplicasUnavailable"), MessageOf(avail, "the Deployment is not available"));
        }
        return new(WorkloadState.Available, "Available", $"{available} of {desired} replicas available");
    }

    private static JsonObject? Condition(JsonObject? status, string type) =>
        (status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);

    private static bool IsTrue(JsonObject condition) => condition["status"]?.GetValue<string>() == "True";

    private static string ReasonOf(JsonObject condition, string fallback) => condition["reason"]?.GetValue<string>() ?? fallback;

    private static string MessageOf(JsonObject condition, string fallback) => condition["message"]?.GetValue<string>() ?? fallback;

    private static int Int(JsonObject? status, string name) => (int)(Long(status?[name]) ?? 0);

    // Parsed JSON holds numbers as JsonElement (any integer type reads), built JSON holds CLR values (only the
    // exact type reads): try both.
    private static long? Long(JsonNode? node) => node is JsonValue v
        ? v.TryGetValue<long>(out var l) ? l : v.TryGetValue<int>(out var i) ? i : v.TryGetValue<double>(out var d) ? (long)d : null
        : null;
}
