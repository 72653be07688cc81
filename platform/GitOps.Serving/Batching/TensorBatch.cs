using System.Collections.Immutable;
using GitOps.Serving.Protocol;

namespace GitOps.Serving.Batching;

/// <summary>Concatenates requests along the batch dimension and splits results back. Pure.</summary>
public static class TensorBatch
{
    /// <summary>One tensor per model input holding every request's rows, in request order.</summary>
    public static ImmutableArray<Tensor> Concat(IReadOnlyList<InferenceRequest> requests)
    {
        if (requests.Count == 1)
        {
            return requests[0].Inputs;
        }
        var totalRows = requests.Sum(r => r.Rows);
        var first = requests[0];
        var merged = ImmutableArray.CreateBuilder<Tensor>(first.Inputs.Length);
        for (var i = 0; i < first.Inputs.Length; i++)
        {
            var template = first.Inputs[i];
            var data = template.Datatype.NewArray(requests.Sum(r => r.Inputs[i].Data.Length));
            var offset = 0;
            foreach (var request in requests)
            {
                var source = request.Inputs[i].Data;
                Array.Copy(source, 0, data, offset, source.Length);
                offset += source.Length;
            }
            merged.Add(template with { Shape = template.Shape.SetItem(0, totalRows), Data = data });
        }
        return merged.MoveToImmutable();
    }

    /// <summary>
    /// The rows of <paramref name="outputs"/> that belong to each request, or null when an output's first
    /// dimension is not the batch (the caller then runs the requests one by one).
    /// </summary>
    public static ImmutableArray<Tensor>[]? Split(ImmutableArray<Tensor> outputs, IReadOnlyList<InferenceRequest> requests)
    {
        var totalRows = requests.Sum(r => r.Rows);
        if (outputs.Any(o => o.Shape.Length == 0 || o.Shape[0] != totalRows || o.Data.Length % totalRows != 0))
        {
            return null;
        }
        if (requests.Count == 1)
        {
            return [outputs];
        }
        var result = new ImmutableArray<Tensor>[requests.Count];
        var rowOffset = 0;
        for (var r = 0; r < requests.Count; r++)
        {
            var rows = requests[r].Rows;
            var parts = ImmutableArray.CreateBuilder<Tensor>(outputs.Length);
            foreach (var output in outputs)
            {
                var perRow = output.Data.Length / totalRows;
                var data = output.Datatype.NewArray(rows * perRow);
                Array.Copy(output.Data, rowOffset * perRow, data, 0, rows * perRow);
                parts.Add(output with { Shape = output.Shape.SetItem(0, rows), Data = data });
            }
            result[r] = parts.MoveToImmutable();
            rowOffset += rows;
        }
        return result;
    }
}
