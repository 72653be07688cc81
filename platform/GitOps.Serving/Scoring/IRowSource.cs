namespace GitOps.Serving.Scoring;

/// <summary>
/// Rows of an input file, one at a time, as text fields in <see cref="Columns"/> order. A row whose shape is wrong
/// (a CSV line with too few or too many fields) is returned with <see cref="InputRow.Problem"/> set, so the scorer
/// counts it like any other malformed row.
/// </summary>
public interface IRowSource : IAsyncDisposable
{
    /// <summary>What to call the input in messages (its path or URI).</summary>
    string Name { get; }

    /// <summary>The header: column names in file order.</summary>
    IReadOnlyList<string> Columns { get; }

    /// <summary>Where the header is, for messages: the file with the header's line when it has lines
    /// (<c>input.csv:3</c>), else the file.</summary>
    string HeaderPlace => Name;

    /// <summary>Fills <paramref name="row"/> with the next row; false at the end of the input.</summary>
    ValueTask<bool> ReadAsync(InputRow row, CancellationToken ct);
}

/// <summary>One row, reused between reads: its fields, its 1-based data row number and line in the file.</summary>
public sealed class InputRow
{
    public string[] Fields { get; set; } = [];

    /// <summary>1-based number of the data row (the header is not a row).</summary>
    public long Number { get; set; }

    /// <summary>1-based line in a text file (the header is line 1); the row number plus one in a Parquet file.</summary>
    public long Line { get; set; }

    /// <summary>Why the row cannot be read as fields, or null.</summary>
    public string? Problem { get; set; }
}

/// <summary>An input that cannot be scored at all (an empty file, a feature or key column missing from the header,
/// a file that is not what its extension says); the message names the file and line.</summary>
public sealed class ScoringInputException(string location, string problem) : Exception($"{location}: {problem}")
{
    /// <summary><c>file:line</c>.</summary>
    public string Location { get; } = location;

    public string Problem { get; } = problem;
}
