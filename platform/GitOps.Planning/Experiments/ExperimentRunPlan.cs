using System.Collections.Immutable;
using GitOps.Planning.Rendering;
using GitOps.Specs.Model;

namespace GitOps.Planning.Experiments;

/// <summary>
/// Everything an experiment run needs, decided from the specs alone: its trials and their Jobs, the GPU pool they
/// draw on, and the run's id — a hash of every trial's name and version and the objective, so the same specs give the
/// same run (a restarted runner resumes it) and a changed model, search or dataset gives a new one.
/// </summary>
public sealed record ExperimentRunPlan(
    SpecSet Specs,
    ExperimentSpec Experiment,
    ModelSpec Model,
    EnvironmentSpec Environment,
    string Commit,
    string Run,
    ImmutableArray<TrialJob> Trials,
    GpuPool? Pool)
{
    public ImmutableArray<PlannedTrial> PlannedTrials => [.. Trials.Select(t => t.Trial)];

    public int GpusPerTrial => Trials.IsEmpty ? 0 : Trials[0].Gpus;

    /// <summary>The run of <paramref name="experiment"/> in <paramref name="environment"/>, or what stops it.</summary>
    public static (ExperimentRunPlan? Plan, string? Error) Create(SpecSet specs, string experiment, string environment, string commit,
        int progressSteps = TrialJobs.DefaultProgressSteps)
    {
        if (specs.Experiment(experiment) is not { } x)
        {
            var known = string.Join(", ", specs.Experiments.Select(e => e.Name).Order(StringComparer.Ordinal));
            return (null, $"experiment '{experiment}' is not defined (known: {(known.Length == 0 ? "none" : known)})");
        }
        if (specs.Environment(environment) is not { } env)
        {
            return (null, $"environment '{environment}' is not defined (known: {string.Join(", ", specs.Environments.Select(e => e.Name))})");
        }
        if (specs.Model(x.Spec.Model) is not { } model)
        {
            return (null, $"experiment '{experiment}' refers to model '{x.Spec.Model}', which is not defined");
        }
        if (!model.Spec.Environments.Contains(environment))
        {
            return (null, $"model '{model.Name}' is not served in environment '{environment}' (its spec.environments: {string.Join(", ", model.Spec.Environments)}); run the experiment in one of those");
        }
        var trials = TrialPlanner.Plan(x, model, env);
        var jobs = trials.Select(t => TrialJobs.Render(specs, env, x, t, commit, progressSteps)).ToImmutableArray();
        var run = CanonicalJson.Sha256Hex(string.Join('\n', trials.Select(t => $"{t.Name}={t.Version}")
            .Append($"{x.Spec.Objective.Metric}:{x.Spec.Objective.Direction}")))[..ModelVersions.Length];
        var poolName = EffectiveModel.Of(model, environment).TrainingResources.Pool;
        var pool = poolName is null ? null : env.Spec.GpuPools.FirstOrDefault(p => p.Name == poolName);
        return (new ExperimentRunPlan(specs, x, model, env, commit, run, jobs, pool), null);
    }

    /// <summary>The trial's Job by trial name.</summary>
    public TrialJob JobOf(string trial) => Trials.First(t => t.Trial.Name == trial);
}
