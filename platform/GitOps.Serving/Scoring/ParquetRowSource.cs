using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace GitOps.Serving.Scoring;

/// <summary>
/// Rows of a Parquet file with flat columns, one row group in memory at a time. Values are handed on as invariant
/// text, so a Parquet row is checked and parsed exactly as a CSV row is; a null is an empty field (malformed for a
/// feature). A row's <see cref="InputRow.Line"/> is its 1-based row number.
/// </summary>
public sealed class ParquetRowSource : IRowSource
{
    private readonly ParquetReader _reader;
    private readonly DataField[] _fields;
    private string?[][] _group = [];
    private int _groupIndex = -1;
    private long _groupRows;
    private long _inGroup;
    private long _rows;

    private ParquetRowSource(string name, ParquetReader reader, DataField[] fields)
    {
        Name = name;
        _reader = reader;
        _fields = fields;
        Columns = [.. fields.Select(f => f.Name)];
    }

    public string Name { get; }
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Opens <paramref name="path"/>; throws <see cref="ScoringInputException"/> when it is not a Parquet file
    /// or has nested columns.</summary>
    public static async Task<ParquetRowSource> OpenAsync(string name, string path, CancellationToken ct)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(path, null, ct);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException)
        {
            throw new ScoringInputException(name, $"not a Parquet file: {e.Message}");
        }
        var fields = reader.Schema.GetDataFields();
        if (fields.Length != reader.Schema.Fields.Count || fields.Any(f => f.MaxRepetitionLevel > 0))
        {
            await reader.DisposeAsync();
            throw new ScoringInputException(name, "has nested or repeated columns; gitops score reads flat columns only, one value per row");
        }
        return new ParquetRowSource(name, reader, fields);
    }

    public async ValueTask<bool> ReadAsync(InputRow row, CancellationToken ct)
    {
        while (_inGroup >= _groupRows)
        {
            if (_groupIndex + 1 >= _reader.RowGroupCount)
            {
                return false;
            }
            _groupIndex++;
            var group = _reader.OpenRowGroupReader(_groupIndex);
            _groupRows = group.RowCount;
            _inGroup = 0;
            _group = new string?[_fields.Length][];
            for (var c = 0; c < _fields.Length; c++)
            {
                _group[c] = await ReadColumnAsync(group, _fields[c], (int)group.RowCount, ct);
            }
        }
        _rows++;
        row.Number = _rows;
        row.Line = _rows;
        row.Problem = null;
        if (row.Fields.Length != _fields.Length)
        {
            row.Fields = new string[_fields.Length];
        }
        for (var c = 0; c < _fields.Length; c++)
        {
            row.Fields[c] = _group[c][_inGroup] ?? "";
        }
        _inGroup++;
        return true;
    }

    private static async Task<string?[]> ReadColumnAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken ct)
    {
        var type = field.ClrType;
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var values = new string?[rows];
            await group.ReadAsync(field, values.AsMemory(), null, ct);
            return values;
        }
        if (type == typeof(float))
        {
            return await ReadAsync<float>(group, field, rows, v => v.ToString("R", CultureInfo.InvariantCulture), ct);
        }
        if (type == typeof(double))
        {
            return await ReadAsync<double>(group, field, rows, v => v.ToString("R", CultureInfo.InvariantCulture), ct);
        }
        if (type == typeof(int))
        {
            return await ReadAsync<int>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture), ct);
        }
        if (type == typeof(long))
        {
            return await ReadAsync<long>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture), ct);
        }
        if (type == typeof(short))
        {
            return await ReadAsync<short>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture), ct);
        }
        if (type == typeof(sbyte))
        {
            return await ReadAsync<sbyte>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture), ct);
        }
        if (type == typeof(byte))
        {
            return await ReadAsync<byte>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture), ct);
        }
        if (type == typeof(bool))
        {
            return await ReadAsync<bool>(group, field, rows, v => v ? "true" : "false", ct);
        }
        if (type == typeof(decimal))
        {
            return await ReadAsync<decimal>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture), ct);
        }
        // Dates, times and binary columns can only be keys: they are passed on as their invariant text.
        if (type == typeof(DateTime))
        {
            return await ReadAsync<DateTime>(group, field, rows, v => v.ToString("O", CultureInfo.InvariantCulture), ct);
        }
        throw new ScoringInputException(field.Name, $"column type {type.Name} is not supported; use numbers, booleans, strings or timestamps");
    }

    private static async Task<string?[]> ReadAsync<T>(ParquetRowGroupReader group, DataField field, int rows, Func<T, string> text, CancellationToken ct)
        where T : struct
    {
        var result = new string?[rows];
        if (field.IsNullable)
        {
            var values = new T?[rows];
            await group.ReadAsync(field, values.AsMemory(), null, ct);
            for (var i = 0; i < rows; i++)
            {
                result[i] = values[i] is { } v ? text(v) : null;
            }
            return result;
        }
        var plain = new T[rows];
        await group.ReadAsync(field, plain.AsMemory(), null, ct);
        for (var i = 0; i < rows; i++)
        {
            result[i] = text(plain[i]);
        }
        return result;
    }

    public ValueTask DisposeAsync() => _reader.DisposeAsync();
}
