using System.Collections.Immutable;
using GitOps.Serving.Model;
using GitOps.Serving.Protocol;
using GitOps.Specs.Diagnostics;

namespace GitOps.Serving.Scoring;

/// <summary>
/// Where each model input's values are in the input's header, which columns are keys, and the columns of the
/// scores file: the keys (or <see cref="RowColumn"/>), then every output element (<c>Probability</c>, or
/// <c>probabilities_0</c> … for an output of several values per row).
/// </summary>
public sealed record ScoreColumns(IReadOnlyList<string> Header, ImmutableArray<int[]> InputColumns, ImmutableArray<int> KeyColumns,
    ImmutableArray<string> KeyNames, ImmutableArray<TensorSignature> Outputs)
{
    /// <summary>The column with the input's 1-based data row number, written when no keys are named.</summary>
    public const string RowColumn = "row";

    /// <summary>Maps the model's inputs and <paramref name="keys"/> onto <paramref name="source"/>'s header; throws
    /// <see cref="ScoringInputException"/> naming the file, the header's line and the missing column.</summary>
    public static ScoreColumns Resolve(OnnxModel model, IRowSource source, ImmutableArray<string> keys)
    {
        var header = source.Columns;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            if (!index.TryAdd(header[i], i))
            {
                throw new ScoringInputException(source.HeaderPlace, $"column '{header[i]}' appears more than once in the header");
            }
        }
        int Find(string column, string what)
        {
            if (index.TryGetValue(column, out var at))
            {
                return at;
            }
            var hint = Suggestions.DidYouMean(column, header) is { } guess ? $"; {guess}" : "";
            throw new ScoringInputException(source.HeaderPlace, $"{what} column '{column}' is not in the header (columns: {string.Join(", ", header)}){hint}");
        }
        var inputs = model.Inputs.Select(s => InputNames(s).Select(c => Find(c, "feature")).ToArray()).ToImmutableArray();
        var keyColumns = keys.IsDefaultOrEmpty ? [] : keys.Select(k => Find(k, "key")).ToImmutableArray();
        return new ScoreColumns(header, inputs, keyColumns, keys.IsDefault ? [] : keys, model.Outputs);
    }

    /// <summary>The columns an input reads: its name, or <c>name_0</c> … for several values per row.</summary>
    public static IEnumerable<string> InputNames(TensorSignature input)
    {
        var width = Width(input.Shape);
        return width == 1 ? [input.Name] : Enumerable.Range(0, width).Select(j => $"{input.Name}_{j}");
    }

    /// <summary>The scores file's columns; output widths from <paramref name="outputs"/> of a run, or from the model's
    /// signature when nothing was run (a dynamic width counts as one).</summary>
    public ImmutableArray<ScoreColumn> Columns(ImmutableArray<Tensor>? outputs)
    {
        var columns = ImmutableArray.CreateBuilder<ScoreColumn>();
        if (KeyColumns.IsEmpty)
        {
            columns.Add(new ScoreColumn(RowColumn, typeof(long)));
        }
        columns.AddRange(KeyNames.Select(k => new ScoreColumn(k, typeof(string))));
        for (var o = 0; o < Outputs.Length; o++)
        {
            var width = outputs is { } run ? run[o].ElementsPerRow : Width(Outputs[o].Shape);
            var type = Outputs[o].Datatype.ElementType;
            columns.AddRange(width == 1
                ? [new ScoreColumn(Outputs[o].Name, type)]
                : Enumerable.Range(0, width).Select(j => new ScoreColumn($"{Outputs[o].Name}_{j}", type)));
        }
        return columns.ToImmutable();
    }

    private static int Width(ImmutableArray<long> shape) =>
        (int)shape.Skip(1).Aggregate(1L, (a, d) => a * Math.Max(1, d));
}
