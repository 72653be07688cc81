using System.Collections.Immutable;

namespace GitOps.Registry.Records;

/// <summary>
/// The registry's record of one trained model version (<c>registry/MODEL/VERSION.json</c>), written once when its
/// training succeeded and its gates were evaluated, and never changed afterwards. Everything needed to say where
/// the artifact came from and why it may (or may not) be served.
/// </summary>
public sealed record ModelRecord
{
    public const string SchemaName = "ml.gitops/model-record/v1";

    public string Schema { get; init; } = SchemaName;
    public required string Model { get; init; }
    public required string Version { get; init; }
    /// <summary>The environment whose reconciler trained and evaluated the version.</summary>
    public required string Environment { get; init; }
    public required SourceLineage Source { get; init; }
    public required DatasetLineage Dataset { get; init; }
    public required TrainerLineage Trainer { get; init; }
    public required JobLineage Job { get; init; }
    /// <summary>The metrics the trainer reported (<c>metrics.json</c>, without the measured <see cref="Facts"/>).</summary>
    public required ImmutableSortedDictionary<string, double> Metrics { get; init; }
    /// <summary>What was measured on the exported model: size and latency probe.</summary>
    public required MeasuredFacts Facts { get; init; }
    public required ArtifactLineage Artifact { get; init; }
    public required GateVerdicts Gates { get; init; }
    public required DateTimeOffset RecordedAt { get; init; }
    /// <summary>Set for versions proposed by an experiment: the experiment and trial they came from.</summary>
    public TrialLineage? Trial { get; init; }

    public bool Passed => Gates.Passed;
}

/// <summary>The Git commit the version was rendered from and the hash of the inputs that define it.</summary>
public sealed record SourceLineage(string Commit, string SpecHash);

public sealed record DatasetLineage(string Uri, string Sha256, long Rows);

public sealed record TrainerLineage(string Image, string Name, string Version);

/// <summary>The training Job and when it ran (from the trainer's lineage).</summary>
public sealed record JobLineage(string Name, DateTimeOffset StartedAt, DateTimeOffset FinishedAt);

/// <summary>Measured on the exported ONNX model by the trainer's latency probe.</summary>
public sealed record MeasuredFacts(long SizeBytes, double SizeMb, double LatencyP50Ms, double LatencyP99Ms, int LatencyRuns);

/// <summary>Where the artifact is and its digest; a file whose sha256 differs is refused.</summary>
public sealed record ArtifactLineage(string Uri, string Sha256, long Bytes);

/// <summary>The verdict of every gate rule, against which champion, with the values read.</summary>
public sealed record GateVerdicts(bool Passed, string? Champion, ImmutableArray<GateVerdict> Rules)
{
    public IEnumerable<GateVerdict> Failures => Rules.Where(r => !r.Passed);

    /// <summary>One line: <c>passed N rule(s)</c>, or <c>failed: GATE/RULE: REASON; ...</c> with every failed rule.</summary>
    public string Summary => Passed
        ? $"passed {Rules.Length} rule(s)"
        : $"failed: {string.Join("; ", Failures.Select(f => $"{f.Gate}/{f.Rule}: {f.Reason}"))}";
}

public sealed record GateVerdict(string Gate, string Rule, bool Passed, string Reason);

/// <summary>The experiment trial a version came from.</summary>
public sealed record TrialLineage(string Experiment, string Trial, ImmutableSortedDictionary<string, string> Hyperparameters);
