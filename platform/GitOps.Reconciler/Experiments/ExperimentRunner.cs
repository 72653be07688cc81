using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Experiments;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Loop;
using GitOps.Registry;
using GitOps.Registry.Logs;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Experiments;

/// <summary>Where a run stands after a step: every trial's state, what the step did, and the run's record once finished.</summary>
public sealed record ExperimentProgress(
    ImmutableSortedDictionary<string, TrialState> Trials,
    ImmutableArray<string> Started,
    ImmutableArray<string> Stopped,
    string? Waiting,
    ExperimentRecord? Record)
{
    public bool Finished => Record is not null;
}

/// <summary>
/// Runs an experiment's trials as training Jobs through a cluster driver — the Kubernetes API, or the local runtime
/// whose Job controller runs the trainer as a process — one step at a time. Each step reads what is known (trial
/// records in the registry, the trial Jobs in the cluster, the progress their trainers reported), lets the pure
/// <see cref="TrialScheduler"/> decide (parallelism, GPU pool quota, median stopping rule), then applies the decision:
/// starts Jobs, deletes the Jobs of stopped trials, writes a create-only record per finished trial and, when every
/// trial is finished, the run's record with the best trial (and, with <c>promote: best</c>, its offer as a candidate).
/// Nothing lives only in memory: a restarted runner resumes the run from the registry and the cluster.
/// </summary>
public sealed class ExperimentRunner(
    IClusterDriver cluster,
    IArtifactStore store,
    TimeProvider time,
    ILogger log,
    ICandidateOffering? offering = null)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _startedAt = new(StringComparer.Ordinal);

    public async Task<ExperimentProgress> StepAsync(ExperimentRunPlan plan, CancellationToken ct)
    {
        var registry = new ExperimentRegistry(store);
        var x = plan.Experiment;
        if (await registry.ReadRunAsync(x.Name, plan.Run, ct) is { } done)                          // I/O
        {
            return new ExperimentProgress(StatesOf(done), [], [], null, done);
        }
        var states = ImmutableSortedDictionary.CreateBuilder<string, TrialState>(StringComparer.Ordinal);
        var records = new Dictionary<string, TrialRecord>(StringComparer.Ordinal);
        foreach (var trialJob in plan.Trials)
        {
            var (state, record) = await ObserveAsync(registry, plan, trialJob, ct);                   // I/O
            states[trialJob.Trial.Name] = state;
            if (record is not null)
            {
                records[trialJob.Trial.Name] = record;
            }
        }
        var others = await GpusUsedByOthersAsync(plan, ct);                                          // I/O
        var decision = TrialScheduler.Decide(plan.PlannedTrials, states, x.Spec.Parallelism, plan.GpusPerTrial,  // pure
            plan.Pool?.Quota, others, x.Spec.EarlyStopping, x.Spec.Objective.Direction);

        foreach (var (trial, reason) in decision.Stop)
        {
            var job = plan.JobOf(trial.Name);
            await cluster.DeleteAsync(TrialJobs.Key(plan.Environment, job.Name), ct);               // I/O
            log.LogInformation("{Experiment}: stopped {Trial} early: {Reason}", x.Name, trial.Name, reason);
            var record = await registry.RecordTrialAsync(Record(plan, job, TrialStatuses.StoppedEarly, $"median stopping rule: {reason}",
                states[trial.Name], null), ct);
            records[trial.Name] = record;
            states[trial.Name] = states[trial.Name] with { Phase = TrialPhase.Stopped };
        }
        foreach (var trial in decision.Start)
        {
            var job = plan.JobOf(trial.Name);
            await cluster.ApplyAsync((JsonObject)job.Job.DeepClone(), dryRun: false, ct);            // I/O
            _startedAt.TryAdd(trial.Name, time.GetUtcNow());
            states[trial.Name] = TrialState.Pending with { Phase = TrialPhase.Running };
            log.LogInformation("{Experiment}: started {Trial} ({Job}) with {Hyperparameters}", x.Name, trial.Name, job.Name,
                string.Join(", ", trial.Searched.Select(s => $"{s.Key}={s.Value}")));
        }

        ExperimentRecord? finished = null;
        if (decision.Finished && plan.Trials.All(t => records.ContainsKey(t.Trial.Name)))
        {
            finished = await FinishAsync(registry, plan, states.ToImmutable(), records, ct);        // I/O
        }
        return new ExperimentProgress(states.ToImmutable(), [.. decision.Start.Select(t => t.Name)], [.. decision.Stop.Select(s => s.Trial.Name)],
            decision.Waiting, finished);
    }

    /// <summary>Steps every <paramref name="period"/> until the run is finished.</summary>
    public async Task<ExperimentRecord> RunAsync(ExperimentRunPlan plan, TimeSpan period, Action<ExperimentProgress>? onStep, CancellationToken ct)
    {
        while (true)
        {
            var progress = await StepAsync(plan, ct);
            onStep?.Invoke(progress);
            if (progress.Record is { } record)
            {
                return record;
            }
            await Task.Delay(period, time, ct);
        }
    }

    private async Task<(TrialState State, TrialRecord? Record)> ObserveAsync(ExperimentRegistry registry, ExperimentRunPlan plan, TrialJob job, CancellationToken ct)
    {
        var x = plan.Experiment;
        var trial = job.Trial;
        if (await registry.ReadTrialAsync(x.Name, plan.Run, trial.Name, ct) is { } recorded)
        {
            return (StateOf(recorded), recorded);
        }
        var observed = await cluster.GetAsync(TrialJobs.Key(plan.Environment, job.Name), ct);
        if (observed is null)
        {
            // A version trained before (by the model itself or an earlier run) is not trained again: its files are write-once.
            if (!await store.ExistsAsync(RegistryLayout.ModelFile(trial.Model.Name, trial.Version), ct))
            {
                return (TrialState.Pending, null);
            }
            var (reusedMetrics, reusedProblem) = await ReadMetricsAsync(trial, ct);
            var reused = reusedMetrics is null
                ? Record(plan, job, TrialStatuses.Failed, reusedProblem, TrialState.Pending, null) with { Reused = true }
                : Record(plan, job, TrialStatuses.Completed, null, TrialState.Pending, reusedMetrics) with { Reused = true, Job = "" };
            reused = await registry.RecordTrialAsync(reused, ct);
            log.LogInformation("{Experiment}: {Trial} reuses version {Version}, trained before", x.Name, trial.Name, trial.Version);
            return (StateOf(reused), reused);
        }
        var reports = await ReportsAsync(trial, x.Spec.Objective.Metric, ct);
        var run = TrainingRuns.Classify([observed], []).FirstOrDefault();
        var running = new TrialState(TrialPhase.Running, reports, ImmutableSortedDictionary<string, double>.Empty);
        if (run is null || !run.IsFinished)
        {
            return (running, null);
        }
        var startedAt = Timestamp(observed["status"]?["startTime"]);
        var finishedAt = Timestamp(observed["status"]?["completionTime"]);
        TrialRecord record;
        if (run.Outcome == TrainingRun.Succeeded)
        {
            var (metrics, problem) = await ReadMetricsAsync(trial, ct);
            record = metrics is null
                ? Record(plan, job, TrialStatuses.Failed, problem, running, null, startedAt, finishedAt)
                : Record(plan, job, TrialStatuses.Completed, null, running, metrics, startedAt, finishedAt);
        }
        else
        {
            record = Record(plan, job, TrialStatuses.Failed, $"{run.Outcome}: {run.Message}", running, null, startedAt, finishedAt);
        }
        record = await registry.RecordTrialAsync(record, ct);
        log.LogInformation("{Experiment}: {Trial} {Status}{Value}", x.Name, trial.Name, record.Status,
            record.ObjectiveValue is { } v ? $", {x.Spec.Objective.Metric} {BestTrial.Format(v)}" : record.Reason is { } r ? $": {r}" : "");
        return (StateOf(record), record);
    }

    private async Task<(ImmutableSortedDictionary<string, double>? Metrics, string? Problem)> ReadMetricsAsync(PlannedTrial trial, CancellationToken ct)
    {
        var key = RegistryLayout.ArtifactFile(trial.Model.Name, trial.Version, TrainingContract.MetricsFile);
        var bytes = await store.ReadAllBytesAsync(key, ct);
        if (bytes is null)
        {
            return (null, $"{TrainingContract.MetricsFile} was not published at '{store.Describe(key)}'");
        }
        var content = MetricsFile.Parse(bytes);
        return content.IsValid ? (content.Metrics, null) : (null, $"{store.Describe(key)}: {string.Join("; ", content.Problems)}");
    }

    /// <summary>The objective's values from the trial's progress log; a retried attempt starts again at step 1, and
    /// only the newest attempt counts.</summary>
    private async Task<ImmutableArray<TrialReport>> ReportsAsync(PlannedTrial trial, string metric, CancellationToken ct)
    {
        var entries = await new AppendOnlyLog(store, RegistryLayout.Progress(trial.Model.Name, trial.Version)).ReadAllAsync(ct);
        var stages = new List<TrainingStage>();
        foreach (var entry in entries)
        {
            var stage = RegistryJson.Deserialize<TrainingStage>(entry);
            if (stage is null)
            {
                continue;
            }
            if (stages.Count > 0 && stage.Step <= stages[^1].Step)
            {
                stages.Clear();
            }
            stages.Add(stage);
        }
        return [.. stages.Where(s => s.Metrics.ContainsKey(metric)).Select(s => new TrialReport(s.Step, s.Metrics[metric]))];
    }

    /// <summary>GPUs of the trials' pool held by unfinished Jobs other than this experiment's trials: the training Jobs
    /// of every model (other shards' included when the reconciler is sharded) and the trials of other experiments.</summary>
    private async Task<int> GpusUsedByOthersAsync(ExperimentRunPlan plan, CancellationToken ct)
    {
        if (plan.Pool is not { } pool)
        {
            return 0;
        }
        var (environment, ns) = (plan.Environment.Name, plan.Environment.Spec.Namespace);
        var managed = await cluster.ReadManagedAsync(environment, ns, ct);                          // I/O
        List<JsonObject> jobs = [.. managed.OfKind("Job")];
        if (cluster is IPoolJobs beyond)
        {
            jobs.AddRange((await beyond.ReadPoolJobsAsync(environment, ns, ct))                       // I/O
                .Where(j => ObjectKeys.Label(j, TrialJobs.ExperimentLabel) != plan.Experiment.Name));
        }
        var running = TrainingRuns.Classify(jobs, []).Where(r => !r.IsFinished)
            .Select(r => r.Job).ToHashSet(StringComparer.Ordinal);
        return jobs.Where(o => running.Contains(ObjectKeys.Of(o).Name))
            .Sum(o => (o["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>()
                .Sum(c => c["resources"]?["limits"]?[pool.Resource] is JsonValue v && int.TryParse(v.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0));
    }

    private async Task<ExperimentRecord> FinishAsync(ExperimentRegistry registry, ExperimentRunPlan plan, ImmutableSortedDictionary<string, TrialState> states,
        Dictionary<string, TrialRecord> records, CancellationToken ct)
    {
        var x = plan.Experiment;
        var selection = BestTrial.Select(plan.PlannedTrials, states, x.Spec.Objective);
        BestTrialLink? best = null;
        CandidateOffer? candidate = null;
        string? patch = null;
        if (selection.Best is { } winner)
        {
            best = new BestTrialLink(winner.Name, winner.Version, selection.Value!.Value, winner.Hyperparameters);
            var change = HyperparametersChange.Between(plan.Model, winner);
            patch = change.IsEmpty ? null : change.Patch();
            if (x.Spec.Promote == "best" && offering is not null)
            {
                candidate = await offering.OfferAsync(plan, winner, ct);
                log.LogInformation("{Experiment}: offered {Trial} as candidate {Model} {Version}: {Verdict}", x.Name, winner.Name, plan.Model.Name, winner.Version, candidate.Verdict);
            }
        }
        var now = time.GetUtcNow();
        var record = new ExperimentRecord
        {
            Experiment = x.Name,
            Run = plan.Run,
            Model = plan.Model.Name,
            Environment = plan.Environment.Name,
            Commit = plan.Commit,
            Method = x.Spec.Search.Method,
            ObjectiveMetric = x.Spec.Objective.Metric,
            Direction = x.Spec.Objective.Direction,
            Parallelism = x.Spec.Parallelism,
            Trials = [.. plan.Trials.Select(t => records[t.Trial.Name]).Select(r => new TrialLink(r.Trial, r.Number, r.Version, r.Status, r.ObjectiveValue,
                RegistryLayout.TrialRecord(x.Name, plan.Run, r.Trial)))],
            Best = best,
            Promote = x.Spec.Promote,
            Candidate = candidate,
            HyperparametersPatch = patch,
            StartedAt = records.Values.Select(r => r.StartedAt).DefaultIfEmpty(now).Min(),
            FinishedAt = now,
        };
        record = await registry.RecordRunAsync(record, ct);
        log.LogInformation("{Experiment}: run {Run} finished; best {Best}", x.Name, plan.Run, best is null ? "none" : $"{best.Trial} ({x.Spec.Objective.Metric} {BestTrial.Format(best.Value)})");
        return record;
    }

    private TrialRecord Record(ExperimentRunPlan plan, TrialJob job, string status, string? reason, TrialState state,
        ImmutableSortedDictionary<string, double>? metrics, DateTimeOffset? startedAt = null, DateTimeOffset? finishedAt = null)
    {
        var now = time.GetUtcNow();
        var trial = job.Trial;
        var objective = plan.Experiment.Spec.Objective.Metric;
        return new TrialRecord
        {
            Experiment = plan.Experiment.Name,
            Run = plan.Run,
            Trial = trial.Name,
            Number = trial.Number,
            Model = trial.Model.Name,
            Version = trial.Version,
            Searched = trial.Searched,
            Hyperparameters = trial.Hyperparameters,
            Status = status,
            Reason = reason,
            Job = job.Name,
            StartedAt = startedAt ?? (_startedAt.TryGetValue(trial.Name, out var s) ? s : now),
            FinishedAt = finishedAt ?? now,
            Metrics = metrics ?? ImmutableSortedDictionary<string, double>.Empty,
            ObjectiveMetric = objective,
            ObjectiveValue = metrics is not null && metrics.TryGetValue(objective, out var value) ? value : null,
            Progress = [.. state.Reports.Select(r => new ObjectivePoint(r.Step, 0, r.Value))],
        };
    }

    private static TrialState StateOf(TrialRecord record) => new(
        record.Status switch
        {
            TrialStatuses.Completed => TrialPhase.Succeeded,
            TrialStatuses.StoppedEarly => TrialPhase.Stopped,
            _ => TrialPhase.Failed,
        },
        [.. record.Progress.Select(p => new TrialReport(p.Step, p.Value))],
        record.Metrics);

    private static ImmutableSortedDictionary<string, TrialState> StatesOf(ExperimentRecord record) =>
        record.Trials.ToImmutableSortedDictionary(t => t.Trial, t => new TrialState(
            t.Status switch { TrialStatuses.Completed => TrialPhase.Succeeded, TrialStatuses.StoppedEarly => TrialPhase.Stopped, _ => TrialPhase.Failed },
            [], t.ObjectiveValue is { } v ? ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create(record.ObjectiveMetric, v)]) : ImmutableSortedDictionary<string, double>.Empty),
            StringComparer.Ordinal);

    private static DateTimeOffset? Timestamp(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
