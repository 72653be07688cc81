using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Specs.Contracts;
using GitOps.Specs.Kubernetes;
using GitOps.Specs.Model;

namespace GitOps.Planning.Rendering;

/// <summary>The batch scoring CronJob of a Model with <c>spec.batch</c> (docs/batch-scoring.md).</summary>
internal sealed partial class ModelRenderer
{
    /// <summary>The <see cref="GitOps.Planning.Cluster.ManagedLabels.Track"/> of batch scoring CronJobs, their Jobs and pods.</summary>
    public const string TrackBatch = "batch";

    /// <summary>Exit codes of <c>gitops score</c> that no retry can change: 1 (the output was written without the
    /// malformed rows) and 2 (the input or the settings must change).</summary>
    private static readonly int[] FinalScoreExitCodes = [(int)ExitCode.Findings, (int)ExitCode.Usage];

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
            // --store names the environment's artifact store: its token goes to inputs and outputs there, never elsewhere.
            "score", "--model", ModelPath, "--name", model.Name, "--version", version, "--store", StoreUri(env),
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
        var fetch = FetchModel(model, version, image);
        var score = new JsonObject
        {
            ["name"] = "score",
            ["image"] = image,
            ["command"] = new JsonArray(GitOpsExecutable),
            ["args"] = PodSpecJson.Strings(args),
            ["resources"] = Resources(effective.ServingResources, pool),
            ["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "models", ["mountPath"] = "/models", ["readOnly"] = true }),
        };
        var podSpec = new JsonObject
        {
            ["restartPolicy"] = "Never",
            ["initContainers"] = new JsonArray(fetch),
            ["containers"] = new JsonArray(score),
            ["volumes"] = new JsonArray(new JsonObject { ["name"] = "models", ["emptyDir"] = new JsonObject() }),
            ["nodeSelector"] = gpu && !pool!.NodeSelector.IsEmpty ? PodSpecJson.Map(pool.NodeSelector) : null,
            ["tolerations"] = gpu && !pool!.Tolerations.IsEmpty ? Tolerations(pool) : null,
        };
        // The score container reads and writes the store too (s3:// inputs and outputs): it gets the same settings.
        PodSecurity.Harden(ArtifactToken.Mount(podSpec, env.Spec.Artifacts, [fetch, score]));
        var cronJob = new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "CronJob",
            ["metadata"] = Meta(ResourceNames.Of(model.Name, TrackBatch), model.Name, version, TrackBatch),
            ["spec"] = new JsonObject
            {
                ["schedule"] = batch.Schedule.Trim(),
                ["timeZone"] = "Etc/UTC",
                ["concurrencyPolicy"] = "Forbid",
                ["successfulJobsHistoryLimit"] = 3,
                ["failedJobsHistoryLimit"] = 3,
                ["jobTemplate"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = Labels(model.Name, version, TrackBatch) },
                    ["spec"] = new JsonObject
                    {
                        ["backoffLimit"] = 2,
                        // A pod lost to its node or the OOM killer is retried; a run that ended in exit code 1 or 2
                        // fails the Job at once, since running it again gives the same answer.
                        ["podFailurePolicy"] = new JsonObject
                        {
                            ["rules"] = new JsonArray(new JsonObject
                            {
                                ["action"] = "FailJob",
                                ["onExitCodes"] = new JsonObject
                                {
                                    ["containerName"] = "score",
                                    ["operator"] = "In",
                                    ["values"] = new JsonArray([.. FinalScoreExitCodes.Select(c => (JsonNode)c)]),
                                },
                            }),
                        },
                        ["template"] = new JsonObject
                        {
                            ["metadata"] = new JsonObject { ["labels"] = Labels(model.Name, version, TrackBatch) },
                            ["spec"] = podSpec,
                        },
                    },
                },
            },
        };
        return Finish(cronJob);
    }
}
