using System.Collections.Concurrent;
using System.Collections.Immutable;
using GitOps.Planning.Cluster;
using GitOps.Planning.Experiments;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Registry;
using GitOps.Registry;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Specs.Model;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Experiments;

/// <summary>
/// The reconciler's part in experiments: on each pass of an environment, one <see cref="ExperimentRunner"/> step for
/// every Experiment of the commit whose model the environment serves, until each run is finished. A step starts and
/// stops trial Jobs, records finished trials and, once every trial has finished, records the run and — with
/// <c>promote: best</c> — offers the best trial through the gates (<see cref="RegistryCandidateOffering"/>). All of it
/// lives in the cluster and the registry, so a restarted reconciler (or the next leader) carries on where the last one
/// stopped, and no trial runs twice. An environment with <c>promotion.from</c> trains nothing and runs no experiment.
/// A fault of one experiment (its store, the API server) is reported on its status line and retried on the next pass;
/// it never fails the environment's pass.
/// </summary>
public sealed class ExperimentPass(
    IClusterDriver cluster,
    Func<string, IArtifactStore> openStore,
    IVersionAdmission admission,
    IRegistryFactStore facts,
    TimeProvider time,
    ILogger<ExperimentPass> log)
{
    private readonly ConcurrentDictionary<string, ExperimentRunner> _runners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Environment, string Experiment, string Commit), ExperimentRunPlan> _plans = new();
    private readonly ConcurrentDictionary<(string Store, string Experiment, string Run), ExperimentRecord> _finished = new();

    /// <summary>Steps every experiment of <paramref name="environment"/> once; one status line per experiment.</summary>
    public async Task<ImmutableArray<string>> StepAsync(SpecSet specs, EnvironmentSpec environment, string commit, CancellationToken ct)
    {
        var experiments = specs.Experiments
            .Where(x => specs.Model(x.Spec.Model)?.Spec.Environments.Contains(environment.Name) == true)
            .OrderBy(x => x.Name, StringComparer.Ordinal)
            .ToList();
        if (experiments.Count == 0)
        {
            return [];
        }
        if (environment.Spec.Promotion is { } promotion)
        {
            return [.. experiments.Select(x => $"{x.Name}: not run here: {environment.Name} trains nothing, it receives versions from {promotion.From}")];
        }
        IArtifactStore store;
        try
        {
            store = openStore(ModelVersions.ArtifactStore(environment));
        }
        catch (ArtifactStoreException e)
        {
            log.LogWarning("{Environment}: experiments wait for the artifact store: {Error}", environment.Name, e.Message);
            return [.. experiments.Select(x => $"{x.Name}: waiting for the artifact store: {e.Message}")];
        }
        var runner = _runners.GetOrAdd($"{environment.Name}\n{store.Root}", _ => new ExperimentRunner(cluster, store, time, log,
            new RegistryCandidateOffering(admission, facts, store)));
        var lines = ImmutableArray.CreateBuilder<string>(experiments.Count);
        foreach (var x in experiments)
        {
            lines.Add(await StepOneAsync(runner, store, specs, environment, commit, x, ct));
        }
        return lines.MoveToImmutable();
    }

    private async Task<string> StepOneAsync(ExperimentRunner runner, IArtifactStore store, SpecSet specs, EnvironmentSpec environment, string commit,
        ExperimentSpec x, CancellationToken ct)
    {
        var plan = PlanOf(specs, environment, commit, x, out var error);
        if (plan is null)
        {
            return $"{x.Name}: not run: {error}";
        }
        if (_finished.TryGetValue((store.Root, x.Name, plan.Run), out var done))
        {
            return Describe(plan, done);
        }
        try
        {
            var progress = await runner.StepAsync(plan, ct);                                        // I/O
            if (progress.Record is { } record)
            {
                _finished[(store.Root, x.Name, plan.Run)] = record;
                return Describe(plan, record);
            }
            return Describe(plan, progress);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // What finished is recorded; the next pass observes again and carries on.
            if (e is ArtifactStoreException or RegistryDataException or KubernetesApiException or HttpRequestException or IOException or TimeoutException)
            {
                log.LogWarning("{Environment}: experiment {Experiment} waits: {Error}", environment.Name, x.Name, e.Message);
            }
            else
            {
                log.LogError(e, "{Environment}: experiment {Experiment} step failed", environment.Name, x.Name);
            }
            return $"{x.Name} run {plan.Run}: waiting: {e.Message}";
        }
    }

    private ExperimentRunPlan? PlanOf(SpecSet specs, EnvironmentSpec environment, string commit, ExperimentSpec x, out string? error)
    {
        error = null;
        var key = (environment.Name, x.Name, commit);
        if (_plans.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var (plan, problem) = ExperimentRunPlan.Create(specs, x.Name, environment.Name, commit);
        if (plan is null)
        {
            error = problem;
            return null;
        }
        // One plan per experiment and environment is kept: that of the newest commit.
        foreach (var stale in _plans.Keys.Where(k => k.Environment == environment.Name && k.Experiment == x.Name))
        {
            _plans.TryRemove(stale, out _);
        }
        _plans[key] = plan;
        return plan;
    }

    /// <summary>A run under way: <c>fraud-sweep run 1a2b3c4d5e6f: 2 of 6 trials finished, running t03, t04; waiting: ...</c>.</summary>
    internal static string Describe(ExperimentRunPlan plan, ExperimentProgress progress)
    {
        var finished = progress.Trials.Values.Count(s => s.Phase is TrialPhase.Succeeded or TrialPhase.Failed or TrialPhase.Stopped);
        var running = progress.Trials.Where(t => t.Value.Phase == TrialPhase.Running).Select(t => t.Key).ToList();
        var text = $"{plan.Experiment.Name} run {plan.Run}: {finished} of {plan.Trials.Length} trial(s) finished";
        if (running.Count > 0)
        {
            text += $", running {string.Join(", ", running)}";
        }
        if (progress.Stopped.Length > 0)
        {
            text += $", stopped early {string.Join(", ", progress.Stopped)}";
        }
        if (progress.Waiting is { Length: > 0 } waiting)
        {
            text += $"; waiting: {waiting}";
        }
        return text;
    }

    /// <summary>A finished run: <c>fraud-sweep run 1a2b3c4d5e6f: finished, best fraud-sweep-t04 (auc 0.95); candidate ...</c>.</summary>
    internal static string Describe(ExperimentRunPlan plan, ExperimentRecord record)
    {
        var text = $"{plan.Experiment.Name} run {record.Run}: finished";
        text += record.Best is { } best
            ? $", best {best.Trial} ({record.ObjectiveMetric} {BestTrial.Format(best.Value)})"
            : ", no trial completed";
        if (record.Candidate is { } candidate)
        {
            text += candidate.Passed
                ? $"; candidate {plan.Model.Name} {candidate.Version} admitted: {candidate.Verdict}"
                : $"; candidate {plan.Model.Name} {candidate.Version} not admitted: {candidate.Verdict}";
        }
        return text;
    }
}
