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
    public static (InferenceRequest? Request, ProtocolError? Error) Parse(
        ReadOnlySpan<byte> body, IReadOnlyList<TensorSignature> inputs, IReadOnlyList<TensorSignature> outputs)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
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

        var byName = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var index = 0;
        foreach (var element in inputsElement.EnumerateArray())
        {
            var (tensor, error) = ParseInput(element, index++, inputs);
            if (tensor is null)
            {
                return (null, error);
            }
            if (!byName.TryAdd(tensor.Name, tensor))
            {
                return Fail($"input '{tensor.Name}' is given more than once");
            }
        }
        var missing = inputs.Where(s => !byName.ContainsKey(s.Name)).ToList();
        if (missing.Count > 0)
        {
            return Fail($"missing input{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => m.Describe()))}");
        }

        var ordered = inputs.Select(s => byName[s.Name]).ToImmutableArray();
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

        var requested = ImmutableArray.CreateBuilder<string>();
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
                var name = nameElement.GetString()!;
                if (!outputs.Any(o => o.Name == name))
                {
                    return Fail($"unknown output '{name}'; the model returns {string.Join(", ", outputs.Select(o => o.Name))}");
                }
                if (!requested.Contains(name))
                {
                    requested.Add(name);
                }
            }
        }
        return (new InferenceRequest(id, ordered, (int)rows, requested.ToImmutable()), null);
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
        var signature = inputs.FirstOrDefault(s => s.Name == name);
        if (signature is null)
        {
            return FailInput($"unknown input '{name}'; the model takes {DescribeAll(inputs)}");
        }
        if (!element.TryGetProperty("datatype", out var datatypeElement) || datatypeElement.ValueKind != JsonValueKind.String)
        {
            return FailInput($"input '{name}' has no string \"datatype\"; expected \"{signature.Datatype.Name}\"");
        }
        var datatype = datatypeElement.GetString()!;
        if (datatype != signature.Datatype.Name)
        {
            return FailInput($"input '{name}' has datatype {datatype} but the model expects {signature.Datatype.Name}");
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
        if (!ShapeMatches(shape, signature.Shape))
        {
            return FailInput($"input '{name}' has shape {TensorSignature.FormatShape(shape)} but the model expects {TensorSignature.FormatShape(signature.Shape)} (-1 = any size)");
        }
        long expected = 1;
        foreach (var dim in shape)
        {
            expected = checked(expected * dim);
            if (expected > int.MaxValue)
            {
                return FailInput($"input '{name}' with shape {TensorSignature.FormatShape(shape)} is too large");
            }
        }
        if (!element.TryGetProperty("data", out var dataElement) || dataElement.ValueKind != JsonValueKind.Array)
        {
            return FailInput($"input '{name}' has no \"data\" array");
        }
        var data = signature.Datatype.NewArray((int)expected);
        var count = 0;
        var error = Fill(dataElement, signature.Datatype, data, ref count);
        if (error is not null)
        {
            return FailInput($"input '{name}': {error}");
        }
        if (count != expected)
        {
            return FailInput($"input '{name}' has {count} data elements but shape {TensorSignature.FormatShape(shape)} needs {expected}");
        }
        return (new Tensor(name, signature.Datatype, shape.ToImmutable(), data), null);
    }

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

    /// <summary>Copies flat or nested (row-major) JSON data into <paramref name="data"/>.</summary>
    private static string? Fill(JsonElement array, TensorDatatype type, Array data, ref int count)
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
                return $"element {count} is {item.GetRawText()}, which is not a valid {type.Name} value";
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

    private static string DescribeAll(IReadOnlyList<TensorSignature> inputs) => string.Join(", ", inputs.Select(i => i.Describe()));

    private static string FirstSentence(string message) => message.Split(". ")[0].TrimEnd('.');

    private static (InferenceRequest?, ProtocolError?) Fail(string message) => (null, ProtocolError.BadRequest(message));

    private static (Tensor?, ProtocolError?) FailInput(string message) => (null, ProtocolError.BadRequest(message));
}
