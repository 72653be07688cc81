using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace GitOps.Serving.Scoring;

/// <summary>Writes scores as CSV with a header line, LF line ends, numbers in invariant culture with round-trip
/// precision, keys quoted when they hold a comma, a quote or a line break.</summary>
public sealed class CsvScoreSink(TextWriter writer) : IScoreSink
{
    private readonly StringBuilder _line = new(256);

    public async ValueTask StartAsync(ImmutableArray<ScoreColumn> columns, CancellationToken ct)
    {
        await writer.WriteAsync(string.Join(',', columns.Select(c => Quote(c.Name))).AsMemory(), ct);
        await writer.WriteAsync("\n".AsMemory(), ct);
    }

    public async ValueTask WriteAsync(ScoredBatch batch, CancellationToken ct)
    {
        _line.Clear();
        for (var r = 0; r < batch.Rows; r++)
        {
            for (var c = 0; c < batch.Values.Length; c++)
            {
                if (c > 0)
                {
                    _line.Append(',');
                }
                Append(batch.Values[c], r);
            }
            _line.Append('\n');
        }
        await writer.WriteAsync(_line, ct);
    }

    private void Append(Array values, int row)
    {
        switch (values)
        {
            case string[] s:
                _line.Append(Quote(s[row]));
                break;
            case float[] f:
                _line.Append(f[row].ToString("R", CultureInfo.InvariantCulture));
                break;
            case double[] d:
                _line.Append(d[row].ToString("R", CultureInfo.InvariantCulture));
                break;
            case bool[] b:
                _line.Append(b[row] ? "true" : "false");
                break;
            default:
                _line.Append(Convert.ToString(values.GetValue(row), CultureInfo.InvariantCulture));
                break;
        }
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public async ValueTask CompleteAsync(CancellationToken ct) => await writer.FlushAsync(ct);

    public ValueTask DisposeAsync()
    {
        writer.Dispose();
        return ValueTask.CompletedTask;
    }
}
