using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace GitOps.Serving.Protocol.Grpc;

/// <summary>
/// Turns a gRPC <see cref="ModelInferRequest"/> into a checked <see cref="InferenceRequest"/>: values from
/// <c>raw_input_contents</c> (row-major little-endian bytes, one entry per input) or from the typed
/// <c>contents</c> field that matches the datatype. The checks shared with REST are <see cref="InferRequestContract"/>'s.
/// Pure: no model, no I/O.
/// </summary>
public static class GrpcInferRequestReader
{
    public static (InferenceRequest? Request, ProtocolError? Error) Read(
        ModelInferRequest request, IReadOnlyList<TensorSignature> inputs, IReadOnlyList<TensorSignature> outputs)
    {
        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
        {
            return Fail($"raw_input_contents has {raw.Count} entries for {request.Inputs.Count} inputs; give one entry per input, in the order of inputs");
        }
        var tensors = new List<Tensor>(request.Inputs.Count);
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            var (tensor, error) = ReadInput(input, raw.Count > 0 ? raw[i] : null, inputs);
            if (tensor is null)
            {
                return (null, error);
            }
            tensors.Add(tensor);
        }
        var requested = request.Outputs.Select(o => o.Name).ToList();
        return InferRequestContract.Assemble(request.Id.Length == 0 ? null : request.Id, tensors, requested, inputs, outputs);
    }

    private static (Tensor? Tensor, ProtocolError? Error) ReadInput(ModelInferRequest.Types.InferInputTensor input, ByteString? raw, IReadOnlyList<TensorSignature> inputs)
    {
        var (signature, unknown) = InferRequestContract.FindInput(input.Name, inputs);
        if (signature is null)
        {
            return (null, unknown);
        }
        if (InferRequestContract.CheckDatatype(signature, input.Datatype) is { } wrongType)
        {
            return (null, wrongType);
        }
        var (expected, wrongShape) = InferRequestContract.CheckShape(signature, input.Shape);
        if (wrongShape is not null)
        {
            return (null, wrongShape);
        }
        var (data, error) = raw is null
            ? ReadContents(signature, input.Contents, input.Shape, expected)
            : Count(input.Contents) > 0
                ? (null, ProtocolError.BadRequest($"input '{signature.Name}' sets contents while raw_input_contents is used; send every input's values in raw_input_contents, or none"))
                : ReadRaw(signature, raw.Span, input.Shape, expected);
        return data is null ? (null, error) : (new Tensor(signature.Name, signature.Datatype, [.. input.Shape], data), null);
    }

    private static (Array? Data, ProtocolError? Error) ReadRaw(TensorSignature signature, ReadOnlySpan<byte> bytes, IReadOnlyList<long> shape, int expected)
    {
        var datatype = signature.Datatype;
        var size = datatype.ElementSize;
        if (bytes.Length % size != 0)
        {
            return (null, ProtocolError.BadRequest(
                $"input '{signature.Name}' has {bytes.Length} bytes of raw_input_contents, not a whole number of {size}-byte {datatype.Name} elements"));
        }
        if (bytes.Length / size != expected)
        {
            return (null, InferRequestContract.CountMismatch(signature.Name, shape, bytes.Length / size, expected));
        }
        // The protocol's raw contents are little-endian, as is every platform .NET serves on, so the bytes are the
        // elements' own memory and are copied as they come.
        var data = datatype.NewArray(expected);
        switch (data)
        {
            case float[] a:
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(a);
                return CheckFinite(signature, a);
            case double[] a:
                MemoryMarshal.Cast<byte, double>(bytes).CopyTo(a);
                return CheckFinite(signature, a);
            case sbyte[] a:
                MemoryMarshal.Cast<byte, sbyte>(bytes).CopyTo(a);
                break;
            case byte[] a:
                bytes.CopyTo(a);
                break;
            case int[] a:
                MemoryMarshal.Cast<byte, int>(bytes).CopyTo(a);
                break;
            case long[] a:
                MemoryMarshal.Cast<byte, long>(bytes).CopyTo(a);
                break;
            case bool[] a:
                for (var i = 0; i < bytes.Length; i++)
                {
                    if (bytes[i] > 1)
                    {
                        return Invalid(signature, i, bytes[i].ToString(CultureInfo.InvariantCulture));
                    }
                    a[i] = bytes[i] == 1;
                }
                break;
            default:
                throw new InvalidOperationException($"unsupported datatype {datatype}");
        }
        return (data, null);
    }

    private static (Array? Data, ProtocolError? Error) ReadContents(TensorSignature signature, InferTensorContents? contents, IReadOnlyList<long> shape, int expected)
    {
        var datatype = signature.Datatype;
        var field = ContentsField(datatype);
        var given = contents is null ? 0 : Count(contents);
        var (data, count) = contents is null ? (null, 0) : datatype.Name switch
        {
            "FP32" => ((Array?)contents.Fp32Contents.ToArray(), contents.Fp32Contents.Count),
            "FP64" => (contents.Fp64Contents.ToArray(), contents.Fp64Contents.Count),
            "INT64" => (contents.Int64Contents.ToArray(), contents.Int64Contents.Count),
            "BOOL" => (contents.BoolContents.ToArray(), contents.BoolContents.Count),
            "INT32" or "INT8" => (null, contents.IntContents.Count),
            "UINT8" => (null, contents.UintContents.Count),
            _ => throw new InvalidOperationException($"unsupported datatype {datatype}"),
        };
        if (given > count)
        {
            return (null, ProtocolError.BadRequest(
                $"input '{signature.Name}' has values outside contents.{field}; {datatype.Name} values go in contents.{field} (or in raw_input_contents)"));
        }
        if (count == 0 && expected > 0)
        {
            return (null, ProtocolError.BadRequest(
                $"input '{signature.Name}' has no values; put its {expected} {datatype.Name} values in contents.{field} or in raw_input_contents"));
        }
        if (count != expected)
        {
            return (null, InferRequestContract.CountMismatch(signature.Name, shape, count, expected));
        }
        switch (datatype.Name)
        {
            case "INT32":
                return (contents!.IntContents.ToArray(), null);
            case "INT8":
                {
                    var values = contents!.IntContents;
                    var a = new sbyte[count];
                    for (var i = 0; i < count; i++)
                    {
                        if (values[i] is < sbyte.MinValue or > sbyte.MaxValue)
                        {
                            return Invalid(signature, i, values[i].ToString(CultureInfo.InvariantCulture));
                        }
                        a[i] = (sbyte)values[i];
                    }
                    return (a, null);
                }
            case "UINT8":
                {
                    var values = contents!.UintContents;
                    var a = new byte[count];
                    for (var i = 0; i < count; i++)
                    {
                        if (values[i] > byte.MaxValue)
                        {
                            return Invalid(signature, i, values[i].ToString(CultureInfo.InvariantCulture));
                        }
                        a[i] = (byte)values[i];
                    }
                    return (a, null);
                }
            case "FP32":
                return CheckFinite(signature, (float[])data!);
            case "FP64":
                return CheckFinite(signature, (double[])data!);
            default:
                return (data, null);
        }
    }

    /// <summary>The <c>contents</c> field the protocol assigns to a datatype.</summary>
    public static string ContentsField(TensorDatatype datatype) => datatype.Name switch
    {
        "FP32" => "fp32_contents",
        "FP64" => "fp64_contents",
        "INT8" or "INT32" => "int_contents",
        "UINT8" => "uint_contents",
        "INT64" => "int64_contents",
        "BOOL" => "bool_contents",
        _ => throw new ArgumentException($"unsupported datatype {datatype}", nameof(datatype)),
    };

    private static int Count(InferTensorContents? c) => c is null ? 0
        : c.BoolContents.Count + c.IntContents.Count + c.Int64Contents.Count + c.UintContents.Count + c.Uint64Contents.Count
            + c.Fp32Contents.Count + c.Fp64Contents.Count + c.BytesContents.Count;

    // NaN is a missing value (REST sends it as null) and passes; an infinity is refused, as REST refuses it.
    private static (Array? Data, ProtocolError? Error) CheckFinite(TensorSignature signature, float[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (float.IsInfinity(values[i]))
            {
                return Invalid(signature, i, values[i].ToString(CultureInfo.InvariantCulture));
            }
        }
        return (values, null);
    }

    private static (Array? Data, ProtocolError? Error) CheckFinite(TensorSignature signature, double[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (double.IsInfinity(values[i]))
            {
                return Invalid(signature, i, values[i].ToString(CultureInfo.InvariantCulture));
            }
        }
        return (values, null);
    }

    private static (Array?, ProtocolError?) Invalid(TensorSignature signature, int index, string value) =>
        (null, InferRequestContract.InvalidElement(signature.Name, index, value, signature.Datatype));

    private static (InferenceRequest?, ProtocolError?) Fail(string message) => (null, ProtocolError.BadRequest(message));
}
