using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace GitOps.Serving.Protocol;

/// <summary>
/// The checks of an infer request against the model's signature that do not depend on the wire format: the
/// JSON (REST) parser and the gRPC reader both call them, so both refuse the same requests with the same words.
/// Pure: no model, no I/O.
/// </summary>
public static class InferRequestContract
{
    /// <summary>The signature of the input named <paramref name="name"/>, or an error listing the model's inputs.</summary>
    public static (TensorSignature? Signature, ProtocolError? Error) FindInput(string name, IReadOnlyList<TensorSignature> inputs) =>
        IndexOf(inputs, name) is >= 0 and var at
            ? (inputs[at], null)
            : (null, ProtocolError.BadRequest($"unknown input '{name}'; the model takes {DescribeAll(inputs)}"));

    public static ProtocolError? CheckDatatype(TensorSignature signature, string datatype) =>
        datatype == signature.Datatype.Name
            ? null
            : ProtocolError.BadRequest($"input '{signature.Name}' has datatype {datatype} but the model expects {signature.Datatype.Name}");

    /// <summary>Checks that the shape fits the declared one and returns how many elements it holds.</summary>
    public static (int Elements, ProtocolError? Error) CheckShape(TensorSignature signature, IReadOnlyList<long> shape)
    {
        // Indexed, not enumerated: a foreach over the interface would allocate an enumerator per input and request.
        for (var i = 0; i < shape.Count; i++)
        {
            if (shape[i] < 0)
            {
                return (0, ProtocolError.BadRequest($"input '{signature.Name}' has an invalid shape {TensorSignature.FormatShape(shape)}: dimensions must be non-negative integers"));
            }
        }
        if (!ShapeMatches(shape, signature.Shape))
        {
            return (0, ProtocolError.BadRequest($"input '{signature.Name}' has shape {TensorSignature.FormatShape(shape)} but the model expects {TensorSignature.FormatShape(signature.Shape)} (-1 = any size)"));
        }
        long expected = 1;
        for (var i = 0; i < shape.Count; i++)
        {
            var dim = shape[i];
            // Compared before multiplying: a product of huge dimensions would overflow a long.
            if (dim > 0 && expected > int.MaxValue / dim)
            {
                return (0, ProtocolError.BadRequest($"input '{signature.Name}' with shape {TensorSignature.FormatShape(shape)} is too large"));
            }
            expected *= dim;
        }
        return ((int)expected, null);
    }

    public static ProtocolError CountMismatch(string name, IReadOnlyList<long> shape, long count, int expected) =>
        ProtocolError.BadRequest($"input '{name}' has {count} data elements but shape {TensorSignature.FormatShape(shape)} needs {expected}");

    public static ProtocolError InvalidElement(string name, int index, string value, TensorDatatype datatype) =>
        ProtocolError.BadRequest($"input '{name}': element {index} is {value}, which is not a valid {datatype.Name} value");

    /// <summary>
    /// Puts checked tensors in the model's input order and checks the request as a whole: each input once, none
    /// missing, one batch size, and only outputs the model has.
    /// </summary>
    public static (InferenceRequest? Request, ProtocolError? Error) Assemble(string? id, IReadOnlyList<Tensor> tensors,
        IReadOnlyList<string> requestedOutputs, IReadOnlyList<TensorSignature> inputs, IReadOnlyList<TensorSignature> outputs)
    {
        // Placed by the signature's position, not through a dictionary: a model has a handful of inputs, and this runs
        // for every request. The readers refuse a name the model does not take (FindInput) before this.
        var placed = new Tensor[inputs.Count];
        for (var t = 0; t < tensors.Count; t++)
        {
            var tensor = tensors[t];
            if (IndexOf(inputs, tensor.Name) is not (>= 0 and var at))
            {
                continue;
            }
            if (placed[at] is not null)
            {
                return Fail($"input '{tensor.Name}' is given more than once");
            }
            placed[at] = tensor;
        }
        List<TensorSignature>? missing = null;
        for (var i = 0; i < placed.Length; i++)
        {
            if (placed[i] is null)
            {
                (missing ??= []).Add(inputs[i]);
            }
        }
        if (missing is not null)
        {
            return Fail($"missing input{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => m.Describe()))}");
        }

        var ordered = ImmutableCollectionsMarshal.AsImmutableArray(placed);
        var rows = ordered[0].Shape.Length > 0 ? ordered[0].Shape[0] : 1;
        foreach (var tensor in ordered)
        {
            var tensorRows = tensor.Shape.Length > 0 ? tensor.Shape[0] : 1;
            if (tensorRows != rows)
            {
                return Fail($"all inputs must have the same batch size (first dimension): '{ordered[0].Name}' has {rows}, '{tensor.Name}' has {tensorRows}");
            }
        }
        if (rows < 1)
        {
            return Fail("batch size (first dimension) must be at least 1");
        }

        var requested = ImmutableArray<string>.Empty;
        if (requestedOutputs.Count > 0)
        {
            var builder = ImmutableArray.CreateBuilder<string>(requestedOutputs.Count);
            foreach (var name in requestedOutputs)
            {
                if (!outputs.Any(o => o.Name == name))
                {
                    return Fail($"unknown output '{name}'; the model returns {string.Join(", ", outputs.Select(o => o.Name))}");
                }
                if (!builder.Contains(name))
                {
                    builder.Add(name);
                }
            }
            requested = builder.ToImmutable();
        }
        return (new InferenceRequest(id, ordered, (int)rows, requested), null);
    }

    private static int IndexOf(IReadOnlyList<TensorSignature> inputs, string name)
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Name == name)
            {
                return i;
            }
        }
        return -1;
    }

    public static string DescribeAll(IReadOnlyList<TensorSignature> inputs) => string.Join(", ", inputs.Select(i => i.Describe()));

    private static bool ShapeMatches(IReadOnlyList<long> actual, ImmutableArray<long> expected)
    {
        if (actual.Count != expected.Length)
        {
            return false;
        }
        for (var i = 0; i < actual.Count; i++)
        {
            if (expected[i] >= 0 && expected[i] != actual[i])
            {
                return false;
            }
        }
        return true;
    }

    private static (InferenceRequest?, ProtocolError?) Fail(string message) => (null, ProtocolError.BadRequest(message));
}
