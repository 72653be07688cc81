using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.Metrics;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Lifecycle;

/// <summary>
/// What the pass learns about training each time it observes an environment: every training Job classified
/// (<see cref="TrainingRuns"/>), the pods read only when a Job is not complete, each run counted once in
/// <c>gitops_training_runs_total{model,outcome}</c> and logged once when it needs a person. A failed Job is left as
/// it is: its name derives from the version's inputs, so it is not run again until they change.
/// </summary>
public sealed class TrainingWatch(ITrainingPods? pods, ReconcilerMetrics metrics, ILogger log)
{
    private readonly ConcurrentDictionary<string, string> _counted = new(StringComparer.Ordinal);

    public async Task<ImmutableArray<TrainingRun>> ObserveAsync(string environment, string @namespace, IReadOnlyList<JsonObject> observed, CancellationToken ct)
    {
        // What each Job says of itself is kept with a watched Job, so one unchanged since the last pass is not read again.
        List<TrainingJob> jobs = [.. observed.ReadEach("Job", TrainingJob.Read)];
        if (jobs.Count == 0)
        {
            return [];
        }
        IReadOnlyList<JsonObject> podList = [];
        if (pods is not null && jobs.Any(j => j.NeedsPods))
        {
            try
            {
                podList = await pods.ReadAsync(environment, @namespace, ct);                       // I/O
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("{Environment}: cannot read training pods ({Error}); Jobs are judged by their status alone", environment, e.Message);
            }
        }
        var runs = TrainingRuns.Classify(jobs, podList);                                            // pure
        // By name, not by a search per run: thousands of Jobs are observed on every pass.
        var byName = new Dictionary<string, TrainingJob>(jobs.Count, StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            byName.TryAdd(job.Name, job);
        }
        foreach (var run in runs.Where(r => r.IsFinished || r.NeedsAttention))
        {
            Count(environment, @namespace, byName[run.Job], run);
        }
        return runs;
    }

    /// <summary>Counts a run once per Job (and per outcome it reaches that a person or a dashboard cares about).</summary>
    private void Count(string environment, string @namespace, TrainingJob job, TrainingRun run)
    {
        if (!run.IsFinished && !run.NeedsAttention)
        {
            return;
        }
        var key = $"{@namespace}/{run.Job}/{job.Uid}";
        if (_counted.TryGetValue(key, out var counted) && (counted == run.Outcome || IsFinal(counted)))
        {
            return;
        }
        _counted[key] = run.Outcome;
        metrics.RecordTrainingRun(run.Model, run.Outcome);
        if (run.NeedsAttention)
        {
            log.LogWarning("{Environment}: training {Model} {Version} ({Job}) {Outcome}: {Message}", environment, run.Model, run.Version, run.Job, run.Outcome, run.Message);
        }
        else
        {
            log.LogInformation("{Environment}: training {Model} {Version} ({Job}) {Outcome}", environment, run.Model, run.Version, run.Job, run.Outcome);
        }
    }

    private static bool IsFinal(string outcome) => outcome is TrainingRun.Succeeded or TrainingRun.BackoffExhausted or TrainingRun.DeadlineExceeded or TrainingRun.Failed;
}
