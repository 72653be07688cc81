using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;

namespace GitOps.Serving.Protocol;

/// <summary>
/// Parses an Open Inference Protocol v2 infer request body and checks it against the model's signature:
/// every input known, present once, with the declared datatype, a compatible shape, the right number of
/// elements and values of the right kind. Pure: no model, no HTTP.
/// </summary>
public static class InferRequestParser
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    public static (InferenceRequest? Request, ProtocolError? Error) Parse(
        ReadOnlySpan<byte> body, IReadOnlyList<TensorSignature> inputs, IReadOnlyList<TensorSignature> outputs)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        return Parse(ref reader, inputs, outputs);
    }

    /// <summary>Parses a body as it arrived, possibly in several buffers (a request body read from its pipe).</summary>
    public static (InferenceRequest? Request, ProtocolError? Error) Parse(
        in ReadOnlySequence<byte> body, IReadOnlyList<TensorSignature> inputs, IReadOnlyList<TensorSignature> outputs)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        return Parse(ref reader, inputs, outputs);
    }

    private static (InferenceRequest? Request, ProtocolError? Error) Parse(
        ref Utf8JsonReader reader, IReadOnlyList<TensorSignature> inputs, IReadOnlyList<TensorSignature> outputs)
    {
        // Most requests are read in one pass without a document; the rest (and every error) go through the document.
        if (InferRequestFastReader.TryRead(reader, inputs, outputs) is { } request)
        {
            return (request, null);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            return Fail($"request body is not valid JSON: {FirstSentence(e.Message)}; expected {{\"inputs\": [{{\"name\", \"datatype\", \"shape\", \"data\"}}]}}");
        }
        using (document)
        {
            return Parse(document.RootElement, inputs, outputs);
        }
    }

    public static (InferenceRequest? Request, ProtocolError? Error) Parse(
        JsonElement root, IReadOnlyList<TensorSignature> inputs, IReadOnlyList<TensorSignature> outputs)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Fail("request body must be a JSON object with an \"inputs\" array");
        }
        string? id = null;
        if (root.TryGetProperty("id", out var idElement))
        {
            if (idElement.ValueKind != JsonValueKind.String)
            {
                return Fail("\"id\" must be a string");
            }
            id = idElement.GetString();
        }
        if (!root.TryGetProperty("inputs", out var inputsElement) || inputsElement.ValueKind != JsonValueKind.Array)
        {
            return Fail($"request must have an \"inputs\" array; the model takes {DescribeAll(inputs)}");
        }

        var tensors = new List<Tensor>();
        var index = 0;
        foreach (var element in inputsElement.EnumerateArray())
        {
            var (tensor, error) = ParseInput(element, index++, inputs);
            if (tensor is null)
            {
                return (null, error);
            }
            tensors.Add(tensor);
        }

        var requested = new List<string>();
        if (root.TryGetProperty("outputs", out var outputsElement))
        {
            if (outputsElement.ValueKind != JsonValueKind.Array)
            {
                return Fail("\"outputs\" must be an array of {\"name\": ...}");
            }
            foreach (var output in outputsElement.EnumerateArray())
            {
                if (output.ValueKind != JsonValueKind.Object || !output.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String)
                {
                    return Fail("each entry of \"outputs\" must be an object with a string \"name\"");
                }
                requested.Add(nameElement.GetString()!);
            }
        }
        return InferRequestContract.Assemble(id, tensors, requested, inputs, outputs);
    }

    private static (Tensor? Tensor, ProtocolError? Error) ParseInput(JsonElement element, int index, IReadOnlyList<TensorSignature> inputs)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return FailInput($"inputs[{index}] must be an object with \"name\", \"datatype\", \"shape\" and \"data\"");
        }
        if (!element.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String)
        {
            return FailInput($"inputs[{index}] has no string \"name\"; the model takes {DescribeAll(inputs)}");
        }
        var name = nameElement.GetString()!;
        var (signature, unknown) = InferRequestContract.FindInput(name, inputs);
        if (signature is null)
        {
            return (null, unknown);
        }
        if (!element.TryGetProperty("datatype", out var datatypeElement) || datatypeElement.ValueKind != JsonValueKind.String)
        {
            return FailInput($"input '{name}' has no string \"datatype\"; expected \"{signature.Datatype.Name}\"");
        }
        if (InferRequestContract.CheckDatatype(signature, datatypeElement.GetString()!) is { } wrongType)
        {
            return (null, wrongType);
        }
        if (!element.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            return FailInput($"input '{name}' has no \"shape\" array; expected a shape like {TensorSignature.FormatShape(signature.Shape.Select(d => d < 0 ? 1 : d))}");
        }
        var shape = ImmutableArray.CreateBuilder<long>();
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var value) || value < 0)
            {
                return FailInput($"input '{name}' has an invalid shape {shapeElement.GetRawText()}: dimensions must be non-negative integers");
            }
            shape.Add(value);
        }
        var (expected, wrongShape) = InferRequestContract.CheckShape(signature, shape);
        if (wrongShape is not null)
        {
            return (null, wrongShape);
        }
        if (!element.TryGetProperty("data", out var dataElement) || dataElement.ValueKind != JsonValueKind.Array)
        {
            return FailInput($"input '{name}' has no \"data\" array");
        }
        // No larger than the data sent: a short body declaring a huge shape must not make the server allocate what
        // the shape promises. Fewer elements than the shape needs end in the count error below, as before.
        var data = signature.Datatype.NewArray(Math.Min(expected, Elements(dataElement)));
        var count = 0;
        if (Fill(dataElement, signature.Datatype, data, ref count) is { } invalid)
        {
            return (null, InferRequestContract.InvalidElement(name, invalid.Index, invalid.Value, signature.Datatype));
        }
        if (count != expected)
        {
            return (null, InferRequestContract.CountMismatch(name, shape, count, expected));
        }
        return (new Tensor(name, signature.Datatype, shape.ToImmutable(), data), null);
    }

    /// <summary>The values in flat or nested JSON data.</summary>
    private static int Elements(JsonElement array)
    {
        var count = 0;
        foreach (var item in array.EnumerateArray())
        {
            count += item.ValueKind == JsonValueKind.Array ? Elements(item) : 1;
        }
        return count;
    }

    /// <summary>Copies flat or nested (row-major) JSON data into <paramref name="data"/>.</summary>
    private static (int Index, string Value)? Fill(JsonElement array, TensorDatatype type, Array data, ref int count)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                var nested = Fill(item, type, data, ref count);
                if (nested is not null)
                {
                    return nested;
                }
                continue;
            }
            if (count >= data.Length)
            {
                // Keep counting so the error can say how many elements came.
                count++;
                continue;
            }
            // JSON has no NaN: a null in floating-point data is a missing value, passed to the model as NaN (tree
            // ensembles route it like a missing value in training) and counted by the data-quality metrics.
            var ok = item.ValueKind == JsonValueKind.Null && type.Name is "FP32" or "FP64"
                ? type.Name == "FP32" ? Set(data, count, float.NaN) : Set(data, count, double.NaN)
                : type.Name switch
                {
                    "FP32" => Store(item, static (JsonElement e, out float v) => e.TryGetSingle(out v) && float.IsFinite(v), data, count),
                    "FP64" => Store(item, static (JsonElement e, out double v) => e.TryGetDouble(out v), data, count),
                    "INT8" => Store(item, static (JsonElement e, out sbyte v) => e.TryGetSByte(out v), data, count),
                    "UINT8" => Store(item, static (JsonElement e, out byte v) => e.TryGetByte(out v), data, count),
                    "INT32" => Store(item, static (JsonElement e, out int v) => e.TryGetInt32(out v), data, count),
                    "INT64" => Store(item, static (JsonElement e, out long v) => e.TryGetInt64(out v), data, count),
                    "BOOL" => item.ValueKind is JsonValueKind.True or JsonValueKind.False && Set(data, count, item.ValueKind == JsonValueKind.True),
                    _ => false,
                };
            if (!ok)
            {
                return (count, item.GetRawText());
            }
            count++;
        }
        return null;
    }

    private delegate bool Reader<T>(JsonElement element, out T value);

    private static bool Store<T>(JsonElement item, Reader<T> read, Array data, int index)
    {
        // A number that does not fit the type (1.5 for INT64, 1e39 for FP32) is refused, never rounded or made infinite.
        if (item.ValueKind != JsonValueKind.Number || !read(item, out var value))
        {
            return false;
        }
        ((T[])data)[index] = value;
        return true;
    }

    private static bool Set<T>(Array data, int index, T value)
    {
        ((T[])data)[index] = value;
        return true;
    }

    private static string DescribeAll(IReadOnlyList<TensorSignature> inputs) => InferRequestContract.DescribeAll(inputs);

    private static string FirstSentence(string message) => message.Split(". ")[0].TrimEnd('.');

    private static (InferenceRequest?, ProtocolError?) Fail(string message) => (null, ProtocolError.BadRequest(message));

    private static (Tensor?, ProtocolError?) FailInput(string message) => (null, ProtocolError.BadRequest(message));
}
