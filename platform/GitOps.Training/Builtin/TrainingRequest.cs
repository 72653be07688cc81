using System.Collections.Immutable;

namespace GitOps.Training.Builtin;

/// <summary>
/// Everything the builtin trainer needs for one run. Independent of how it was specified (spec file,
/// command-line options or the environment variables of the trainer contract).
/// </summary>
public sealed record TrainingRequest
{
    /// <summary>Path of the CSV dataset (header row, comma separated).</summary>
    public required string DatasetPath { get; init; }
    /// <summary>Where the dataset came from when it was fetched (recorded in the lineage instead of the local path).</summary>
    public string? DatasetSource { get; init; }
    /// <summary>Name of the label column.</summary>
    public required string Label { get; init; }
    /// <summary>Feature columns, in input order; empty means every column except the label, in file order.</summary>
    public ImmutableArray<string> Features { get; init; } = [];
    /// <summary><c>binaryClassification</c> or <c>regression</c>.</summary>
    public required string Task { get; init; }
    /// <summary>One of <see cref="GitOps.Specs.Model.BuiltinAlgorithms.All"/>.</summary>
    public required string Algorithm { get; init; }
    public int Seed { get; init; }
    /// <summary>Algorithm hyperparameters as text, by name (see <c>docs/training.md</c>).</summary>
    public ImmutableSortedDictionary<string, string> Hyperparameters { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    /// <summary>Directory that receives <c>model.onnx</c>, <c>metrics.json</c> and <c>lineage.json</c>.</summary>
    public required string OutputDirectory { get; init; }
    /// <summary>Fraction of rows held out for evaluation, in (0, 1).</summary>
    public double ValidationFraction { get; init; } = 0.2;
    /// <summary>Expected sha256 of the dataset (hex); when set, a mismatch fails the run before training.</summary>
    public string? ExpectedDatasetSha256 { get; init; }
    /// <summary>Model name and version, recorded in the lineage when known.</summary>
    public string? ModelName { get; init; }
    public string? ModelVersion { get; init; }
    /// <summary>Timed inferences of the latency probe run on the exported model.</summary>
    public int LatencyRuns { get; init; } = Onnx.LatencyProbe.DefaultRuns;
    /// <summary>
    /// Steps at which to report metrics while training (0: none). For tree ensembles step <c>s</c> of <c>n</c> fits the
    /// first <c>s/n</c> of the trees or iterations and evaluates it on the validation split; the last step is the
    /// final model. Algorithms without an iteration count report only the last step.
    /// </summary>
    public int ProgressSteps { get; init; }
}
