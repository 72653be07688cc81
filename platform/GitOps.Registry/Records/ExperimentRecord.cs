using System.Collections.Immutable;

namespace GitOps.Registry.Records;

/// <summary>
/// The record of one finished run of an experiment (<c>registry/_experiments/EXPERIMENT/RUN/experiment.json</c>),
/// written once: which trials ran (each linked to its trial record), the best by the objective, and — with
/// <c>promote: best</c> — the candidate version offered to the model and its gate verdicts.
/// </summary>
public sealed record ExperimentRecord
{
    public const string SchemaName = "ml.gitops/experiment-record/v1";

    public string Schema { get; init; } = SchemaName;
    public required string Experiment { get; init; }
    /// <summary>A hash of what the run trains (every trial's version and the objective): the same specs make the same run.</summary>
    public required string Run { get; init; }
    public required string Model { get; init; }
    public required string Environment { get; init; }
    public required string Commit { get; init; }
    public required string Method { get; init; }
    public required string ObjectiveMetric { get; init; }
    public required string Direction { get; init; }
    public required int Parallelism { get; init; }
    public required ImmutableArray<TrialLink> Trials { get; init; }
    public BestTrialLink? Best { get; init; }
    /// <summary><c>best</c> or <c>none</c>.</summary>
    public required string Promote { get; init; }
    /// <summary>The best trial offered as a candidate version of the model (with <c>promote: best</c>).</summary>
    public CandidateOffer? Candidate { get; init; }
    /// <summary>The edit of the model's <c>spec.training.hyperparameters</c> that makes the best trial its spec.</summary>
    public string? HyperparametersPatch { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }
}

/// <summary>One trial of a run and where its record is.</summary>
public sealed record TrialLink(string Trial, int Number, string Version, string Status, double? ObjectiveValue, string Record);

/// <summary>The winner by the objective.</summary>
public sealed record BestTrialLink(string Trial, string Version, double Value, ImmutableSortedDictionary<string, string> Hyperparameters);

/// <summary>The best trial as a candidate version: its gate verdicts against the environment's champion.</summary>
public sealed record CandidateOffer(string Version, bool Passed, string Verdict);
