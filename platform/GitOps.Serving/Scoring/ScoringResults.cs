using System.Collections.Immutable;

namespace GitOps.Serving.Scoring;

/// <summary>A malformed input row: where it is (<c>file:line</c>) and what is wrong with it.</summary>
public sealed record RowError(string Location, string Message)
{
    public override string ToString() => $"{Location}: {Message}";
}

/// <summary>How far a run is: rows read, scored and malformed so far, and the time since it started.</summary>
public sealed record ScoringProgress(long Rows, long Scored, long Errors, TimeSpan Elapsed)
{
    /// <summary>Rows read per second, 0 before any time has passed.</summary>
    public double RowsPerSecond => Elapsed > TimeSpan.Zero ? Rows / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// The end of a run. <see cref="Stopped"/> says why it ended early (a malformed row with onError fail, too many
/// malformed rows, or a file-level problem such as a missing column); then nothing written may be used.
/// </summary>
public sealed record ScoringSummary(long Rows, long Scored, long Errors, TimeSpan Elapsed, ImmutableArray<RowError> ReportedErrors, RowError? Stopped)
{
    public double RowsPerSecond => Elapsed > TimeSpan.Zero ? Rows / Elapsed.TotalSeconds : 0;

    /// <summary>Every row was scored.</summary>
    public bool Complete => Stopped is null && Errors == 0;
}
