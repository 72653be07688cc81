using GitOps.Registry.Records;
using GitOps.Specs.Contracts;

namespace GitOps.Training.Builtin;

/// <summary>Why a training run did not produce a model.</summary>
public enum TrainingFailureKind
{
    /// <summary>The request or the dataset is wrong; retrying the same inputs cannot help (exit code 2).</summary>
    InvalidInput,
    /// <summary>Training or export failed (exit code 1).</summary>
    Failed,
}

/// <summary>The result of a training run: the written outputs, or what went wrong.</summary>
public sealed record TrainingOutcome
{
    public TrainingResult? Result { get; private init; }
    public TrainingFailureKind? FailureKind { get; private init; }
    public string? Error { get; private init; }

    public bool Succeeded => Result is not null;

    /// <summary>The process exit code defined by the trainer contract.</summary>
    public ExitCode ExitCode => FailureKind switch
    {
        null => ExitCode.Success,
        TrainingFailureKind.InvalidInput => ExitCode.Usage,
        _ => ExitCode.Findings,
    };

    public static TrainingOutcome Success(TrainingResult result) => new() { Result = result };

    public static TrainingOutcome Invalid(string error) => new() { FailureKind = TrainingFailureKind.InvalidInput, Error = error };

    public static TrainingOutcome Failure(string error) => new() { FailureKind = TrainingFailureKind.Failed, Error = error };
}

/// <summary>What a successful run wrote.</summary>
public sealed record TrainingResult(
    string ModelPath,
    string MetricsPath,
    string LineagePath,
    IReadOnlyDictionary<string, double> Metrics,
    TrainingLineage Lineage,
    MeasuredFacts Facts);
