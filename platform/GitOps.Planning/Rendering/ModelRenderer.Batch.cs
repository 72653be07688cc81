using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Specs.Contracts;
using GitOps.Specs.Kubernetes;
using GitOps.Specs.Model;
using k8s.Models;

namespace GitOps.Planning.Rendering;

/// <summary>The batch scoring CronJob of a Model with <c>spec.batch</c> (docs/batch-scoring.md).</summary>
internal sealed partial class ModelRenderer
{
    /// <summary>The <see cref="GitOps.Planning.Cluster.ManagedLabels.Track"/> of batch scoring CronJobs, their Jobs and pods.</summary>
    public const string TrackBatch = "batch";

    /// <summary>Exit codes of <c>gitops score</c> that no retry can change: 1 (the output was written without the
    /// malformed rows) and 2 (the input or the settings must change).</summary>
    private static readonly List<int> FinalScoreExitCodes = [(int)ExitCode.Findings, (int)ExitCode.Usage];

    /// <summary>True when the model declares <c>spec.batch</c> for this environment. A local environment runs no
    /// CronJobs (there is no scheduler): there <c>gitops score</c> is run by hand.</summary>
    private bool BatchRunsHere(ModelSpec model) =>
        model.Spec.Batch is { } batch && env.Spec.Cluster.Local is null
        && (batch.Environments.IsEmpty || batch.Environments.Contains(EnvName));

    /// <summary>
    /// A CronJob that runs <c>gitops score</c> with the environment's stable version, its model fetched by the same
    /// init container as the serving pods, under the same restricted security context, one run at a time.
    /// </summary>
    private JsonObject BatchCronJob(ModelSpec model, string version, EffectiveModel effective, GpuPool? pool)
    {
        var batch = model.Spec.Batch!;
        var image = env.Spec.ServingImage ?? DefaultServingImage;
        var args = new List<string>
        {
            "score", "--model", ModelPath, "--name", model.Name, "--version", version,
            "--input", batch.Input, "--out", batch.Output,
            "--batch-size", batch.BatchSize.ToString(CultureInfo.InvariantCulture), "--on-error", batch.OnError,
        };
        if (batch.MaxErrors is { } maxErrors)
        {
            args.AddRange(["--max-errors", maxErrors.ToString(CultureInfo.InvariantCulture)]);
        }
        if (!batch.Keys.IsEmpty)
        {
            args.AddRange(["--keys", string.Join(',', batch.Keys)]);
        }
        // One JSON line in the pod's log is the run's record: a CronJob's pod is never scraped.
        args.AddRange(["--output", "json"]);
        var gpu = pool is not null && effective.ServingResources.Gpus > 0;
        var score = new V1Container
        {
            Name = "score",
            Image = image,
            Command = [GitOpsExecutable],
            Args = args,
            Resources = Resources(effective.ServingResources, pool),
            VolumeMounts = [new V1VolumeMount { Name = "models", MountPath = "/models", ReadOnlyProperty = true }],
        };
        var podSpec = new V1PodSpec
        {
            RestartPolicy = "Never",
            InitContainers = [FetchModel(model, version, image)],
            Containers = [score],
            Volumes = [new V1Volume { Name = "models", EmptyDir = new V1EmptyDirVolumeSource() }],
            NodeSelector = gpu && !pool!.NodeSelector.IsEmpty ? new Dictionary<string, string>(pool.NodeSelector) : null,
            Tolerations = gpu && !pool!.Tolerations.IsEmpty ? [.. pool.Tolerations.Select(ToToleration)] : null,
        };
        // The score container reads and writes the store too (s3:// inputs and outputs): it gets the same settings.
        PodSecurity.Harden(ArtifactToken.Mount(podSpec, env.Spec.Artifacts, [.. podSpec.InitContainers, score]));
        var cronJob = new V1CronJob
        {
            ApiVersion = "batch/v1",
            Kind = "CronJob",
            Metadata = Meta(ResourceNames.Of(model.Name, TrackBatch), model.Name, version, TrackBatch),
            Spec = new V1CronJobSpec
            {
                Schedule = batch.Schedule.Trim(),
                TimeZone = "Etc/UTC",
                ConcurrencyPolicy = "Forbid",
                SuccessfulJobsHistoryLimit = 3,
                FailedJobsHistoryLimit = 3,
                JobTemplate = new V1JobTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = Labels(model.Name, version, TrackBatch) },
                    Spec = new V1JobSpec
                    {
                        BackoffLimit = 2,
                        // A pod lost to its node or the OOM killer is retried; a run that ended in exit code 1 or 2
                        // fails the Job at once, since running it again gives the same answer.
                        PodFailurePolicy = new V1PodFailurePolicy
                        {
                            Rules =
                            [
                                new V1PodFailurePolicyRule
                                {
                                    Action = "FailJob",
                                    OnExitCodes = new V1PodFailurePolicyOnExitCodesRequirement
                                    {
                                        ContainerName = score.Name,
                                        OperatorProperty = "In",
                                        Values = FinalScoreExitCodes,
                                    },
                                },
                            ],
                        },
                        Template = new V1PodTemplateSpec
                        {
                            Metadata = new V1ObjectMeta { Labels = Labels(model.Name, version, TrackBatch) },
                            Spec = podSpec,
                        },
                    },
                },
            },
        };
        return Finish(cronJob);
    }
}
