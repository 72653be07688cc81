using System.Collections.Immutable;

namespace GitOps.Planning.Experiments;

/// <summary>Where a trial is.</summary>
public enum TrialPhase
{
    Pending,
    Running,
    Succeeded,
    Failed,
    /// <summary>Stopped early by the median stopping rule.</summary>
    Stopped,
}

/// <summary>What is known about one trial: its phase, the objective values it reported per step while it ran, and
/// the metrics of its finished training (<c>metrics.json</c>).</summary>
public sealed record TrialState(
    TrialPhase Phase,
    ImmutableArray<TrialReport> Reports,
    ImmutableSortedDictionary<string, double> Metrics)
{
    public static readonly TrialState Pending = new(TrialPhase.Pending, [], ImmutableSortedDictionary<string, double>.Empty);

    public bool IsFinished => Phase is TrialPhase.Succeeded or TrialPhase.Failed or TrialPhase.Stopped;
}

/// <summary>An intermediate objective value a trial reported at a training step (from 1).</summary>
public sealed record TrialReport(int Step, double Value);
