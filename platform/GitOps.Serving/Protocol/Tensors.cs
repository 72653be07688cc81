using System.Collections.Immutable;

namespace GitOps.Serving.Protocol;

/// <summary>A tensor's name, datatype and shape as the model declares it (-1 = any size).</summary>
public sealed record TensorSignature(string Name, TensorDatatype Datatype, ImmutableArray<long> Shape)
{
    public string Describe() => $"{Name} ({Datatype.Name} {FormatShape(Shape)})";

    public static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(",", shape) + "]";
}

/// <summary>
/// A tensor with its data in a typed, row-major array (<c>float[]</c> for FP32, <c>bool[]</c> for BOOL, ...).
/// </summary>
public sealed record Tensor(string Name, TensorDatatype Datatype, ImmutableArray<long> Shape, Array Data)
{
    /// <summary>Elements per row along the first (batch) dimension.</summary>
    public int ElementsPerRow => Shape.Length == 0 || Shape[0] == 0 ? 0 : Data.Length / (int)Shape[0];
}

/// <summary>
/// A request that passed validation: inputs in the model's input order, a common batch size, and the
/// outputs to return (served names; empty = all).
/// </summary>
public sealed record InferenceRequest(string? Id, ImmutableArray<Tensor> Inputs, int Rows, ImmutableArray<string> RequestedOutputs);

/// <summary>What a request gets back: outputs in the model's output order (filtered to the requested ones).</summary>
public sealed record InferenceResult(string? Id, ImmutableArray<Tensor> Outputs);

/// <summary>A request the server refuses, with the HTTP status and a message saying what was expected.</summary>
public sealed record ProtocolError(int Status, string Message)
{
    public static ProtocolError BadRequest(string message) => new(400, message);
}

/// <summary>
/// One array per small shape (rank 1 or 2, every dimension under <see cref="Limit"/>), shared by every request of
/// that shape: a shape is held in an <see cref="ImmutableArray{T}"/> and never written, and one row of a few
/// features is the usual online request. Other shapes get their own array.
/// </summary>
internal static class TensorShapes
{
    private const int Limit = 64;
    private static readonly long[]?[] Rank1 = new long[]?[Limit];
    private static readonly long[]?[] Rank2 = new long[]?[Limit * Limit];

    public static long[] Shared(ReadOnlySpan<long> dims)
    {
        switch (dims.Length)
        {
            case 1 when (ulong)dims[0] < Limit:
                return Rank1[dims[0]] ??= dims.ToArray();
            case 2 when (ulong)dims[0] < Limit && (ulong)dims[1] < Limit:
                // Two threads may each make the array once; either is right.
                return Rank2[dims[0] * Limit + dims[1]] ??= dims.ToArray();
            default:
                return dims.ToArray();
        }
    }
}
