using System.Text.Json.Nodes;

namespace GitOps.Reconciler.Lifecycle;

/// <summary>
/// Port: the pods of an environment's training Jobs, which say what a Job's status cannot (an image that cannot be
/// pulled, a pod no node can take, the failed container's termination message). Read only while a Job is not
/// complete. A failure to read them is logged and the Jobs are classified from their status alone.
/// </summary>
public interface ITrainingPods
{
    Task<IReadOnlyList<JsonObject>> ReadAsync(string environment, string @namespace, CancellationToken ct);
}
