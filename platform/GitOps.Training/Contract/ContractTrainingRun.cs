using System.Threading.Channels;
using GitOps.Registry.Logs;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;
using GitOps.Training.Artifacts;
using GitOps.Training.Builtin;

namespace GitOps.Training.Contract;

/// <summary>
/// One run of the builtin trainer under the training contract: fetches the dataset when only its URI is given
/// (<c>GITOPS_DATASET_URI</c>, checked against <c>GITOPS_DATASET_SHA256</c>), trains, and publishes the output
/// directory to <c>GITOPS_ARTIFACT_URI</c> when set, which is where serving pods fetch the model from. A version
/// already published there completely is not trained again.
/// </summary>
public sealed class ContractTrainingRun(ArtifactTransfer store, TimeProvider time)
{
    public async Task<ContractTrainingOutcome> RunAsync(TrainerInputs inputs, CancellationToken ct, IProgress<TrainingProgress>? progress = null)
    {
        // Fetching the dataset and publishing the output are steps of their own around the trainer's.
        var fetches = inputs.Dataset is null && inputs.DatasetUri is not null ? 1 : 0;
        var steps = fetches + TabularTrainer.Steps + (inputs.ArtifactUri is null ? 0 : 1);
        string? fetched = null;
        try
        {
            if (inputs.ArtifactUri is { } target && await store.FindPublishedAsync(target, ct) is { } found)
            {
                // A retried Job of a version that an earlier attempt published completely: the version is what was
                // committed, and training again could only produce other bytes that the store refuses.
                return found.Succeeded
                    ? new(null, found)
                    : new(TrainingOutcome.Failure($"'{target}' holds a version that cannot be used: {found.Error}"), found);
            }
            if (inputs.Dataset is null && inputs.DatasetUri is { } datasetUri)
            {
                progress?.Report(new TrainingProgress(1, steps, "fetching the dataset"));
                fetched = Path.Combine(Path.GetTempPath(), $"gitops-dataset-{Guid.NewGuid():N}.csv");
                var fetch = await store.FetchAsync(datasetUri, fetched, inputs.DatasetSha256, ct);
                if (!fetch.Succeeded)
                {
                    return new(TrainingOutcome.Invalid($"dataset: {fetch.Error}"), null);
                }
                inputs = inputs with { Dataset = fetched };
            }
            var (request, error) = TrainerEnvironment.ToRequest(inputs);
            if (request is null)
            {
                return new(TrainingOutcome.Invalid(error!), null);
            }
            if (fetched is not null)
            {
                request = request with { DatasetSource = inputs.DatasetUri };
            }
            var stages = Channel.CreateUnbounded<TrainingStage>(new UnboundedChannelOptions { SingleReader = true });
            var reporting = request.ProgressSteps > 0 && inputs.ArtifactUri is { } progressUri
                ? PublishStagesAsync(progressUri, stages.Reader, ct)
                : Task.CompletedTask;
            TrainingOutcome outcome;
            try
            {
                outcome = await new TabularTrainer(time).TrainAsync(request, ct, TrainingProgress.Offset(progress, fetches, steps),
                    new StageRelay(stages.Writer));
            }
            finally
            {
                stages.Writer.TryComplete();
                await reporting;
            }
            if (!outcome.Succeeded || inputs.ArtifactUri is not { } artifactUri)
            {
                return new(outcome, null);
            }
            progress?.Report(new TrainingProgress(steps, steps, "publishing the model"));
            var push = await store.PushAsync(request.OutputDirectory, artifactUri, ct);
            return push.Succeeded
                ? new(outcome, push)
                : new(TrainingOutcome.Failure($"trained, but publishing to '{artifactUri}' failed: {push.Error}"), push);
        }
        finally
        {
            if (fetched is not null && File.Exists(fetched))
            {
                File.Delete(fetched);
            }
        }
    }

    /// <summary>
    /// Appends each step's metrics to the <c>progress</c> log beside the version's files. Progress is advisory: a store
    /// that refuses it costs the median stopping rule its data, never the training run.
    /// </summary>
    private async Task PublishStagesAsync(string artifactUri, ChannelReader<TrainingStage> stages, CancellationToken ct)
    {
        var (opened, _) = store.Open(artifactUri);
        using var owned = opened as IDisposable;
        var log = opened is null ? null : new AppendOnlyLog(opened, TrainingContract.ProgressFolder);
        await foreach (var stage in stages.ReadAllAsync(CancellationToken.None))
        {
            if (log is null)
            {
                continue;
            }
            try
            {
                await log.AppendAsync(RegistryJson.Serialize(stage), ct);
            }
            catch (Exception e) when (e is ArtifactStoreException or OperationCanceledException)
            {
                log = null;
            }
        }
    }
}

/// <summary>Hands the trainer's steps to the channel the publisher drains (the trainer reports from its own thread).</summary>
file sealed class StageRelay(ChannelWriter<TrainingStage> writer) : IProgress<TrainingStage>
{
    public void Report(TrainingStage value) => writer.TryWrite(value);
}

/// <summary>
/// The training outcome and, when the output was published, what was written where. <see cref="Training"/> is
/// null when nothing was trained because the version was already published completely (<see cref="Published"/>
/// then says where, with the model's sha256).
/// </summary>
public sealed record ContractTrainingOutcome(TrainingOutcome? Training, ArtifactOutcome? Published)
{
    public bool AlreadyPublished => Training is null;
}
