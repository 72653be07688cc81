using System.Collections.Immutable;

namespace GitOps.Serving.Scoring;

/// <summary>A column of the scores file: a key copied from the input (<c>string</c>), the row number (<c>long</c>) or
/// one element of a model output (its element type).</summary>
public sealed record ScoreColumn(string Name, Type ElementType);

/// <summary>Scored rows, column by column: <see cref="Values"/>[i] is a typed array (<c>string[]</c>,
/// <c>long[]</c>, <c>float[]</c>, ...) of <see cref="Rows"/> values for column i.</summary>
public sealed record ScoredBatch(int Rows, ImmutableArray<Array> Values);

/// <summary>Where scores are written, in a file format. The scorer calls <see cref="StartAsync"/> once, then
/// <see cref="WriteAsync"/> per batch, then <see cref="CompleteAsync"/> only when the run succeeded.</summary>
public interface IScoreSink : IAsyncDisposable
{
    ValueTask StartAsync(ImmutableArray<ScoreColumn> columns, CancellationToken ct);

    ValueTask WriteAsync(ScoredBatch batch, CancellationToken ct);

    ValueTask CompleteAsync(CancellationToken ct);
}
