using System.Collections.Immutable;
using Parquet;
using Parquet.Schema;

namespace GitOps.Serving.Scoring;

/// <summary>
/// Writes scores as a Parquet file: one column per score column with its type (keys as strings, the row number as
/// int64, outputs as their element type), batches gathered into row groups of at least <see cref="RowGroupRows"/> rows.
/// </summary>
public sealed class ParquetScoreSink(Stream stream) : IScoreSink
{
    public const int RowGroupRows = 65_536;

    private readonly List<ScoredBatch> _pending = [];
    private int _pendingRows;
    private DataField[] _fields = [];
    private ParquetWriter? _writer;

    public async ValueTask StartAsync(ImmutableArray<ScoreColumn> columns, CancellationToken ct)
    {
        _fields = [.. columns.Select(c => new DataField(c.Name, c.ElementType, isNullable: false))];
        _writer = await ParquetWriter.CreateAsync(new ParquetSchema(_fields), stream, null, false, ct);
    }

    public async ValueTask WriteAsync(ScoredBatch batch, CancellationToken ct)
    {
        _pending.Add(batch);
        _pendingRows += batch.Rows;
        if (_pendingRows >= RowGroupRows)
        {
            await FlushAsync(ct);
        }
    }

    public async ValueTask CompleteAsync(CancellationToken ct)
    {
        await FlushAsync(ct);
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
            _writer = null;
        }
        await stream.FlushAsync(ct);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        if (_writer is null || _pending.Count == 0)
        {
            return;
        }
        using var group = _writer.CreateRowGroup();
        for (var c = 0; c < _fields.Length; c++)
        {
            var column = Concat(c);
            await (column switch
            {
                string[] s => group.WriteAsync(_fields[c], s, null),
                long[] l => group.WriteAsync<long>(_fields[c], l, null, null, ct),
                float[] f => group.WriteAsync<float>(_fields[c], f, null, null, ct),
                double[] d => group.WriteAsync<double>(_fields[c], d, null, null, ct),
                int[] i => group.WriteAsync<int>(_fields[c], i, null, null, ct),
                bool[] b => group.WriteAsync<bool>(_fields[c], b, null, null, ct),
                sbyte[] sb => group.WriteAsync<sbyte>(_fields[c], sb, null, null, ct),
                byte[] ub => group.WriteAsync<byte>(_fields[c], ub, null, null, ct),
                _ => throw new InvalidOperationException($"no Parquet column for {column.GetType()}"),
            });
        }
        _pending.Clear();
        _pendingRows = 0;
    }

    private Array Concat(int column)
    {
        var first = _pending[0].Values[column];
        var all = Array.CreateInstance(first.GetType().GetElementType()!, _pendingRows);
        var at = 0;
        foreach (var batch in _pending)
        {
            Array.Copy(batch.Values[column], 0, all, at, batch.Rows);
            at += batch.Rows;
        }
        return all;
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }
        await stream.DisposeAsync();
    }
}
