using System.Collections.Immutable;

namespace GitOps.Planning.Experiments;

/// <summary>What to do with an experiment's trials now.</summary>
/// <param name="Start">Trials to start, in trial order.</param>
/// <param name="Stop">Running trials the median stopping rule stops, with the reason.</param>
/// <param name="Finished">True when every trial is finished and nothing is left to start.</param>
/// <param name="Waiting">Why pending trials wait, when they do (parallelism or the GPU quota), for the plan and status.</param>
public sealed record TrialSchedule(
    ImmutableArray<PlannedTrial> Start,
    ImmutableArray<(PlannedTrial Trial, string Reason)> Stop,
    bool Finished,
    string? Waiting);

/// <summary>
/// Decides which trials run: pending trials start in order while fewer than <c>parallelism</c> run and the GPUs of
/// every running trial, plus those of the other workloads on the pool, stay within the pool's quota; running trials
/// are checked against the median stopping rule. Pure: the caller brings the states and applies the decision.
/// </summary>
public static class TrialScheduler
{
    /// <param name="gpusPerTrial">GPUs one trial's training requests (0 on CPU).</param>
    /// <param name="gpuQuota">The pool's quota, or null when the trials use no GPU pool.</param>
    /// <param name="gpusUsedByOthers">GPUs of the pool held by other training Jobs at the moment.</param>
    public static TrialSchedule Decide(
        ImmutableArray<PlannedTrial> trials,
        IReadOnlyDictionary<string, TrialState> states,
        int parallelism,
        int gpusPerTrial,
        int? gpuQuota,
        int gpusUsedByOthers,
        Specs.Model.EarlyStopping? earlyStopping,
        string direction)
    {
        TrialState StateOf(PlannedTrial t) => states.TryGetValue(t.Name, out var s) ? s : TrialState.Pending;
        var stop = ImmutableArray.CreateBuilder<(PlannedTrial, string)>();
        if (earlyStopping is not null)
        {
            var completed = trials.Select(StateOf).Where(s => s.Phase == TrialPhase.Succeeded).Select(s => s.Reports).ToList();
            foreach (var trial in trials.Where(t => StateOf(t).Phase == TrialPhase.Running))
            {
                var verdict = MedianStoppingRule.Evaluate(StateOf(trial).Reports, completed, direction, earlyStopping.MinTrials, earlyStopping.StartStep);
                if (verdict.Stop)
                {
                    stop.Add((trial, verdict.Reason));
                }
            }
        }
        var stopping = stop.Select(s => s.Item1.Name).ToHashSet(StringComparer.Ordinal);
        var running = trials.Count(t => StateOf(t).Phase == TrialPhase.Running && !stopping.Contains(t.Name));
        var start = ImmutableArray.CreateBuilder<PlannedTrial>();
        string? waiting = null;
        foreach (var trial in trials.Where(t => StateOf(t).Phase == TrialPhase.Pending))
        {
            if (running >= parallelism)
            {
                waiting = $"{running} trial(s) running, parallelism {parallelism}";
                break;
            }
            if (gpuQuota is { } quota && gpusUsedByOthers + (running + 1) * gpusPerTrial > quota)
            {
                waiting = $"the GPU pool's quota ({quota}) is in use: {gpusUsedByOthers} GPU(s) by other training, {running * gpusPerTrial} by running trials, {gpusPerTrial} needed";
                break;
            }
            start.Add(trial);
            running++;
        }
        var finished = trials.All(t => StateOf(t).IsFinished || stopping.Contains(t.Name));
        return new TrialSchedule(start.ToImmutable(), stop.ToImmutable(), finished, waiting);
    }
}
