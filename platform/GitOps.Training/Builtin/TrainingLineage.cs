using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace GitOps.Training.Builtin;

/// <summary>The content of <c>lineage.json</c>: where a model came from and how it was made.</summary>
public sealed record TrainingLineage
{
    public required TrainerInfo Trainer { get; init; }
    public string? Model { get; init; }
    public string? Version { get; init; }
    public required DatasetInfo Dataset { get; init; }
    public required string Task { get; init; }
    public required string Algorithm { get; init; }
    public required int Seed { get; init; }
    public required ImmutableSortedDictionary<string, string> Hyperparameters { get; init; }
    public required string Label { get; init; }
    public required ImmutableArray<string> Features { get; init; }
    public required double ValidationFraction { get; init; }
    public required TimingInfo Timing { get; init; }
    public required ArtifactInfo Artifact { get; init; }
}

public sealed record TrainerInfo(string Name, string Version);

public sealed record DatasetInfo(
    string Path,
    string Sha256,
    long Rows,
    [property: JsonPropertyName("trainRows")] long TrainRows,
    [property: JsonPropertyName("validationRows")] long ValidationRows);

public sealed record TimingInfo(
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    double LoadSeconds,
    double TrainSeconds,
    double EvaluateSeconds,
    double ExportSeconds,
    double TotalSeconds);

/// <summary>The written ONNX file: its digest and the tensors it takes and returns.</summary>
public sealed record ArtifactInfo(
    string File,
    string Sha256,
    long Bytes,
    ImmutableArray<GitOps.Training.Onnx.OnnxTensorInfo> Inputs,
    ImmutableArray<GitOps.Training.Onnx.OnnxTensorInfo> Outputs);
