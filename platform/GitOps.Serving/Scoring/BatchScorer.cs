using System.Collections.Immutable;
using System.Globalization;
using GitOps.Serving.Model;
using GitOps.Serving.Protocol;

namespace GitOps.Serving.Scoring;

/// <summary>
/// Scores the rows of an input file in batches through the model's ONNX Runtime session (the same
/// <see cref="OnnxModel.Run"/> the inference server calls) and writes each row's keys and outputs. Each model input
/// of shape <c>[-1]</c> or <c>[-1, 1]</c> reads the column of its name; one of shape <c>[-1, n]</c> reads the columns
/// <c>name_0</c> … <c>name_{n-1}</c>. A row with the wrong number of fields or a value that is not of the input's
/// type is malformed: it stops the run, or with <see cref="ScoringOptions.SkipMalformed"/> is counted and left out.
/// </summary>
public sealed class BatchScorer(OnnxModel model, TimeProvider time)
{
    /// <summary>Runs the whole input. Throws <see cref="ScoringInputException"/> when the header lacks a column.</summary>
    public async Task<ScoringSummary> ScoreAsync(IRowSource source, IScoreSink sink, ScoringOptions options,
        Action<ScoringProgress>? progress, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        var layout = ScoreColumns.Resolve(model, source, options.Keys);
        var started = time.GetTimestamp();
        var batch = new PendingBatch(model.Inputs, layout, options.BatchSize);
        var row = new InputRow();
        var reported = ImmutableArray.CreateBuilder<RowError>();
        long rows = 0, scored = 0, errors = 0;
        RowError? stopped = null;
        var sinkStarted = false;

        while (await source.ReadAsync(row, ct))
        {
            rows++;
            var problem = row.Problem ?? batch.Add(row);
            if (problem is not null)
            {
                errors++;
                var error = new RowError($"{source.Name}:{row.Line}", problem);
                if (reported.Count < options.ReportedErrors)
                {
                    reported.Add(error);
                }
                if (!options.SkipMalformed)
                {
                    stopped = error;
                    break;
                }
                if (options.MaxErrors is { } max && errors > max)
                {
                    stopped = error with { Message = $"{error.Message}; that is {errors} malformed rows, more than maxErrors {max}" };
                    break;
                }
                continue;
            }
            if (batch.Count == options.BatchSize)
            {
                sinkStarted = await FlushAsync(batch, sink, sinkStarted, ct);
                scored += options.BatchSize;
                progress?.Invoke(new ScoringProgress(rows, scored, errors, time.GetElapsedTime(started)));
            }
        }
        if (stopped is null)
        {
            if (batch.Count > 0)
            {
                scored += batch.Count;
                sinkStarted = await FlushAsync(batch, sink, sinkStarted, ct);
            }
            if (!sinkStarted)
            {
                await sink.StartAsync(layout.Columns(null), ct);
            }
            await sink.CompleteAsync(ct);
        }
        var elapsed = time.GetElapsedTime(started);
        progress?.Invoke(new ScoringProgress(rows, scored, errors, elapsed));
        return new ScoringSummary(rows, scored, errors, elapsed, reported.ToImmutable(), stopped);
    }

    private async Task<bool> FlushAsync(PendingBatch batch, IScoreSink sink, bool started, CancellationToken ct)
    {
        var outputs = model.Run(batch.Tensors());
        if (!started)
        {
            await sink.StartAsync(batch.Layout.Columns(outputs), ct);
        }
        await sink.WriteAsync(batch.Scored(outputs), ct);
        batch.Clear();
        return true;
    }

    /// <summary>Rows parsed into one typed array per model input, plus their keys.</summary>
    private sealed class PendingBatch
    {
        private readonly ImmutableArray<TensorSignature> _inputs;
        private readonly Array[] _data;
        private readonly string[][] _keys;
        private readonly long[] _numbers;
        private readonly int _capacity;

        public PendingBatch(ImmutableArray<TensorSignature> inputs, ScoreColumns layout, int capacity)
        {
            _inputs = inputs;
            Layout = layout;
            _capacity = capacity;
            _data = [.. inputs.Select((s, i) => s.Datatype.NewArray(capacity * layout.InputColumns[i].Length))];
            _keys = [.. layout.KeyColumns.Select(_ => new string[capacity])];
            _numbers = new long[capacity];
        }

        public ScoreColumns Layout { get; }
        public int Count { get; private set; }

        /// <summary>Parses <paramref name="row"/> into the next slot; returns why it cannot, or null.</summary>
        public string? Add(InputRow row)
        {
            for (var i = 0; i < _inputs.Length; i++)
            {
                var columns = Layout.InputColumns[i];
                for (var j = 0; j < columns.Length; j++)
                {
                    var cell = row.Fields[columns[j]];
                    if (!TryParse(cell.AsSpan().Trim(), _data[i], Count * columns.Length + j))
                    {
                        return $"column '{Layout.Header[columns[j]]}' (field {columns[j] + 1}) must be {Expected(_inputs[i].Datatype)}, found '{cell}'";
                    }
                }
            }
            for (var k = 0; k < _keys.Length; k++)
            {
                _keys[k][Count] = row.Fields[Layout.KeyColumns[k]];
            }
            _numbers[Count] = row.Number;
            Count++;
            return null;
        }

        public ImmutableArray<Tensor> Tensors()
        {
            var tensors = ImmutableArray.CreateBuilder<Tensor>(_inputs.Length);
            for (var i = 0; i < _inputs.Length; i++)
            {
                var width = Layout.InputColumns[i].Length;
                var data = Count == _capacity ? _data[i] : Slice(_data[i], Count * width);
                ImmutableArray<long> shape = _inputs[i].Shape.Length == 1 ? [Count] : [Count, .. _inputs[i].Shape.Skip(1).Select(d => d < 0 ? 1L : d)];
                tensors.Add(new Tensor(_inputs[i].Name, _inputs[i].Datatype, shape, data));
            }
            return tensors.MoveToImmutable();
        }

        public ScoredBatch Scored(ImmutableArray<Tensor> outputs)
        {
            var values = ImmutableArray.CreateBuilder<Array>();
            if (_keys.Length == 0)
            {
                values.Add(Slice(_numbers, Count));
            }
            foreach (var key in _keys)
            {
                values.Add(Slice(key, Count));
            }
            foreach (var output in outputs)
            {
                var width = output.ElementsPerRow;
                for (var j = 0; j < width; j++)
                {
                    var column = output.Datatype.NewArray(Count);
                    for (var r = 0; r < Count; r++)
                    {
                        Array.Copy(output.Data, r * width + j, column, r, 1);
                    }
                    values.Add(column);
                }
            }
            return new ScoredBatch(Count, values.ToImmutable());
        }

        public void Clear() => Count = 0;

        private static Array Slice(Array source, int length)
        {
            var copy = Array.CreateInstance(source.GetType().GetElementType()!, length);
            Array.Copy(source, copy, length);
            return copy;
        }
    }

    private static string Expected(TensorDatatype type) => type.Name switch
    {
        "FP32" or "FP64" => "a number",
        "BOOL" => "true, false, 1 or 0",
        _ => $"a whole number ({type.Name})",
    };

    private static bool TryParse(ReadOnlySpan<char> text, Array target, int index)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (target)
        {
            case float[] f when float.TryParse(text, NumberStyles.Float, inv, out var v):
                f[index] = v;
                return true;
            case double[] d when double.TryParse(text, NumberStyles.Float, inv, out var v):
                d[index] = v;
                return true;
            case int[] i when int.TryParse(text, NumberStyles.Integer, inv, out var v):
                i[index] = v;
                return true;
            case long[] l when long.TryParse(text, NumberStyles.Integer, inv, out var v):
                l[index] = v;
                return true;
            case sbyte[] s when sbyte.TryParse(text, NumberStyles.Integer, inv, out var v):
                s[index] = v;
                return true;
            case byte[] b when byte.TryParse(text, NumberStyles.Integer, inv, out var v):
                b[index] = v;
                return true;
            case bool[] b:
                if (text is "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    b[index] = true;
                    return true;
                }
                if (text is "0" || text.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    b[index] = false;
                    return true;
                }
                return false;
            default:
                return false;
        }
    }
}
