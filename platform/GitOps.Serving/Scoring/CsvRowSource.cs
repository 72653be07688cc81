using System.Text;

namespace GitOps.Serving.Scoring;

/// <summary>
/// Rows of a comma-separated file with a header line (RFC 4180 within a line: fields may be quoted with <c>"</c>,
/// a quote inside a quoted field is doubled; a quoted field cannot span lines). Blank lines are skipped.
/// </summary>
public sealed class CsvRowSource : IRowSource
{
    private readonly TextReader _reader;
    private readonly List<string> _fields = [];
    private readonly StringBuilder _field = new();
    private long _line = 1;
    private long _headerLine = 1;
    private long _rows;

    private CsvRowSource(string name, TextReader reader, IReadOnlyList<string> columns)
    {
        Name = name;
        _reader = reader;
        Columns = columns;
    }

    public string Name { get; }
    public IReadOnlyList<string> Columns { get; }

    public string HeaderPlace => $"{Name}:{_headerLine}";

    /// <summary>Reads the header of <paramref name="reader"/>, its first line that is not blank; throws
    /// <see cref="ScoringInputException"/> for a file without one (no bytes, or only blank lines) or a header that
    /// cannot be split.</summary>
    public static async Task<CsvRowSource> OpenAsync(string name, TextReader reader, CancellationToken ct)
    {
        var line = 0L;
        string? header;
        do
        {
            header = await reader.ReadLineAsync(ct);
            line++;
        }
        while (header is not null && string.IsNullOrWhiteSpace(header));
        if (header is null)
        {
            throw new ScoringInputException(name, "the input file is empty: no header row; expected a header line naming the columns, e.g. 'transaction_id,amount,hour'");
        }
        var source = new CsvRowSource(name, reader, []);
        if (source.Split(header) is { } problem)
        {
            throw new ScoringInputException($"{name}:{line}", $"the header cannot be read: {problem}");
        }
        var columns = source._fields.Select(f => f.Trim()).ToArray();
        return new CsvRowSource(name, reader, columns) { _line = line, _headerLine = line };
    }

    public async ValueTask<bool> ReadAsync(InputRow row, CancellationToken ct)
    {
        while (true)
        {
            var line = await _reader.ReadLineAsync(ct);
            if (line is null)
            {
                return false;
            }
            _line++;
            if (line.Length == 0)
            {
                continue;
            }
            _rows++;
            row.Number = _rows;
            row.Line = _line;
            row.Problem = Split(line);
            if (row.Problem is null && _fields.Count != Columns.Count)
            {
                row.Problem = $"expected {Columns.Count} comma-separated values (the header's columns), found {_fields.Count}";
            }
            if (row.Fields.Length != _fields.Count)
            {
                row.Fields = new string[_fields.Count];
            }
            _fields.CopyTo(row.Fields);
            return true;
        }
    }

    /// <summary>Splits <paramref name="line"/> into <see cref="_fields"/>; returns why it cannot, or null.</summary>
    private string? Split(string line)
    {
        _fields.Clear();
        var i = 0;
        while (true)
        {
            _field.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        return "a quoted value is not closed before the end of the line";
                    }
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            _field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    _field.Append(line[i++]);
                }
                if (i < line.Length && line[i] != ',')
                {
                    return $"unexpected text after a closing quote at column {i + 1}";
                }
            }
            else
            {
                var comma = line.IndexOf(',', i);
                var end = comma < 0 ? line.Length : comma;
                _field.Append(line, i, end - i);
                i = end;
            }
            _fields.Add(_field.ToString());
            if (i >= line.Length)
            {
                return null;
            }
            i++; // the comma
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        return ValueTask.CompletedTask;
    }
}
