using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;
using GitOps.Specs.Contracts;
using GitOps.Specs.Kubernetes;
using GitOps.Specs.Model;

namespace GitOps.Planning.Experiments;

/// <summary>A trial's training Job and what it holds of the GPU pool.</summary>
public sealed record TrialJob(PlannedTrial Trial, JsonObject Job, string Name, int Gpus, string? Pool);

/// <summary>
/// Renders a trial's training Job: exactly the Job the renderer draws for the model with the trial's
/// hyperparameters (same image, dataset, resources, GPU pool, timeout and retries; the artifacts go to the trial
/// version's folder), with three differences. It is labelled with the experiment and the trial; it is named after the
/// trial; and its <c>managed-by</c> label is <see cref="ManagedByValue"/>, so the reconciler, which prunes what it
/// manages and does not desire, leaves a running trial alone. It also asks the trainer for
/// <see cref="TrainingContract.ProgressSteps"/> intermediate reports.
/// </summary>
public static class TrialJobs
{
    public const string ExperimentLabel = "ml.gitops/experiment";
    public const string TrialLabel = "ml.gitops/trial";
    public const string ManagedByValue = "gitops-experiments";

    /// <summary>Steps at which a trial reports its metrics unless told otherwise.</summary>
    public const int DefaultProgressSteps = 4;

    public static TrialJob Render(SpecSet specs, EnvironmentSpec environment, ExperimentSpec experiment, PlannedTrial trial, string commit,
        int progressSteps = DefaultProgressSteps)
    {
        // Only the trial's model renders, and with no registry facts it is untrained: the result holds its Job.
        var render = Renderer.Render(specs with { Models = [trial.Model] }, environment.Name, RegistryFacts.Empty, new RenderContext(commit));
        var rendered = render.Objects.FirstOrDefault(o => o["kind"]?.GetValue<string>() == "Job")
            ?? throw new InvalidOperationException($"model '{trial.Model.Name}' rendered no training Job in environment '{environment.Name}'; plan trials only for models the environment serves");
        var plan = render.Models.Single().Training!;
        var job = (JsonObject)rendered.DeepClone();
        var name = ResourceNames.Of(trial.Name, trial.Version[..8]);
        job["metadata"]!["name"] = name;
        foreach (var labels in new[] { job["metadata"]!["labels"], job["spec"]?["template"]?["metadata"]?["labels"] }.OfType<JsonObject>())
        {
            labels[ManagedLabels.ManagedBy] = ManagedByValue;
            labels[ExperimentLabel] = experiment.Name;
            labels[TrialLabel] = trial.Name;
        }
        if (job["spec"]?["template"]?["spec"]?["containers"] is JsonArray { Count: > 0 } containers && containers[0] is JsonObject container)
        {
            var env = container["env"] as JsonArray ?? [];
            var sorted = env.OfType<JsonObject>().Select(e => (JsonObject)e.DeepClone())
                .Append(new JsonObject { ["name"] = TrainingContract.ProgressSteps, ["value"] = progressSteps.ToString(CultureInfo.InvariantCulture) })
                .OrderBy(e => e["name"]?.GetValue<string>(), StringComparer.Ordinal);
            container["env"] = new JsonArray([.. sorted]);
        }
        return new TrialJob(trial, job, name, plan.Gpus, plan.Pool);
    }

    /// <summary>The key of a trial's Job in the environment's namespace.</summary>
    public static ResourceKey Key(EnvironmentSpec environment, string name) => new("batch/v1", "Job", environment.Spec.Namespace, name);
}
