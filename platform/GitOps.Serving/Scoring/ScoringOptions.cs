using System.Collections.Immutable;

namespace GitOps.Serving.Scoring;

/// <summary>How <see cref="BatchScorer"/> runs: rows per model run, what a malformed row does, which columns key the
/// output.</summary>
public sealed record ScoringOptions
{
    /// <summary>Rows per model run.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>False: the first malformed row stops the run. True: malformed rows are counted and left out.</summary>
    public bool SkipMalformed { get; init; }

    /// <summary>With <see cref="SkipMalformed"/>: one malformed row more than this stops the run; null: no limit.</summary>
    public long? MaxErrors { get; init; }

    /// <summary>Input columns copied to the output; empty: a <see cref="ScoreColumns.RowColumn"/> column with the row number.</summary>
    public ImmutableArray<string> Keys { get; init; } = [];

    /// <summary>Malformed rows kept with their message for the report (all are counted).</summary>
    public int ReportedErrors { get; init; } = 20;
}
