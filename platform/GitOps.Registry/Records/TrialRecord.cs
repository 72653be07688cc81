using System.Collections.Immutable;

namespace GitOps.Registry.Records;

/// <summary>
/// The record of one finished trial of an experiment run (<c>registry/_experiments/EXPERIMENT/RUN/TRIAL.json</c>),
/// written once when the trial completed, failed or was stopped early.
/// </summary>
public sealed record TrialRecord
{
    public const string SchemaName = "ml.gitops/trial-record/v1";

    public string Schema { get; init; } = SchemaName;
    public required string Experiment { get; init; }
    public required string Run { get; init; }
    public required string Trial { get; init; }
    public required int Number { get; init; }
    public required string Model { get; init; }
    /// <summary>The model version the trial's spec defines: its artifacts are at <c>MODEL/VERSION/</c>.</summary>
    public required string Version { get; init; }
    /// <summary>The values the search chose.</summary>
    public required ImmutableSortedDictionary<string, string> Searched { get; init; }
    /// <summary>Every hyperparameter the trial trained with (the model's, with the searched ones set).</summary>
    public required ImmutableSortedDictionary<string, string> Hyperparameters { get; init; }
    /// <summary><see cref="TrialStatuses"/>.</summary>
    public required string Status { get; init; }
    /// <summary>Why it failed or was stopped; null when it completed.</summary>
    public string? Reason { get; init; }
    public required string Job { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }
    /// <summary>The metrics of the finished training (<c>metrics.json</c>); empty unless it completed.</summary>
    public required ImmutableSortedDictionary<string, double> Metrics { get; init; }
    public required string ObjectiveMetric { get; init; }
    /// <summary>The objective's final value; null unless it completed with that metric.</summary>
    public double? ObjectiveValue { get; init; }
    /// <summary>The objective's values the trainer reported while it ran, by step.</summary>
    public required ImmutableArray<ObjectivePoint> Progress { get; init; }
    /// <summary>True when the version had been trained before and the trial reused its artifacts instead of a Job.</summary>
    public bool Reused { get; init; }
}

/// <summary>The objective's value at a training step.</summary>
public sealed record ObjectivePoint(int Step, int Iterations, double Value);

/// <summary>How a trial ended.</summary>
public static class TrialStatuses
{
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string StoppedEarly = "stoppedEarly";
}
