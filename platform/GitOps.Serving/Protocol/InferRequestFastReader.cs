using System.Runtime.InteropServices;
using System.Text.Json;

namespace GitOps.Serving.Protocol;

/// <summary>
/// The common infer request read in one forward pass, straight from the body's bytes: FP32 inputs, each object's
/// <c>name</c>, <c>datatype</c> and <c>shape</c> before its <c>data</c>, every value well-formed. It builds no document and
/// decodes no strings. Anything else (an error of any kind, another datatype, an unusual order, a repeated
/// property) makes it give up, and <see cref="InferRequestParser"/> reads the body through a JSON document, which
/// says exactly what is wrong: the two agree on every request this reader accepts.
/// </summary>
public static class InferRequestFastReader
{
    /// <summary>The checked request, or null when the full parser has to read the body.</summary>
    public static InferenceRequest? TryRead(Utf8JsonReader reader, IReadOnlyList<TensorSignature> inputs, IReadOnlyList<TensorSignature> outputs)
    {
        try
        {
            return Read(ref reader, inputs, outputs);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static InferenceRequest? Read(ref Utf8JsonReader reader, IReadOnlyList<TensorSignature> inputs, IReadOnlyList<TensorSignature> outputs)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }
        string? id = null;
        List<Tensor>? tensors = null;
        List<string>? requested = null;
        bool seenId = false, seenInputs = false, seenOutputs = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("inputs"u8))
            {
                if (seenInputs || (tensors = ReadInputs(ref reader, inputs)) is null)
                {
                    return null;
                }
                seenInputs = true;
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                if (seenId || !reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return null;
                }
                id = reader.GetString();
                seenId = true;
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                if (seenOutputs || (requested = ReadOutputs(ref reader)) is null)
                {
                    return null;
                }
                seenOutputs = true;
            }
            else
            {
                // Other members (such as "parameters") are not read by the full parser either.
                reader.Skip();
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject || tensors is null)
        {
            return null;
        }
        var (request, _) = InferRequestContract.Assemble(id, tensors, requested ?? (IReadOnlyList<string>)Array.Empty<string>(), inputs, outputs);
        return request;
    }

    private static List<Tensor>? ReadInputs(ref Utf8JsonReader reader, IReadOnlyList<TensorSignature> inputs)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }
        var tensors = new List<Tensor>(inputs.Count);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            if (ReadInput(ref reader, inputs) is not { } tensor)
            {
                return null;
            }
            tensors.Add(tensor);
        }
        return reader.TokenType == JsonTokenType.EndArray ? tensors : null;
    }

    private static Tensor? ReadInput(ref Utf8JsonReader reader, IReadOnlyList<TensorSignature> inputs)
    {
        TensorSignature? signature = null;
        bool seenName = false, seenDatatype = false, fp32 = false;
        long[]? shape = null;
        float[]? data = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                if (seenName || !reader.Read() || reader.TokenType != JsonTokenType.String || (signature = Find(ref reader, inputs)) is null)
                {
                    return null;
                }
                seenName = true;
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                if (seenDatatype || !reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return null;
                }
                fp32 = reader.ValueTextEquals("FP32"u8);
                seenDatatype = true;
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                if (shape is not null || (shape = ReadShape(ref reader)) is null)
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                // The data is read into its final array, so the name, datatype and shape come first.
                if (data is not null || signature is null || !fp32 || signature.Datatype != TensorDatatype.Fp32 || shape is null
                    || !reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                {
                    return null;
                }
                var (expected, wrong) = InferRequestContract.CheckShape(signature, shape);
                if (wrong is not null)
                {
                    return null;
                }
                // Sized by the shape, but grown only as the data comes: a short body declaring a huge shape must not
                // make the server allocate what the shape promises.
                data = new float[Math.Min(expected, InitialData)];
                var count = 0;
                if (!ReadData(ref reader, ref data, expected, ref count) || count != expected)
                {
                    return null;
                }
            }
            else
            {
                reader.Skip();
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject || data is null)
        {
            return null;
        }
        return new Tensor(signature!.Name, TensorDatatype.Fp32, ImmutableCollectionsMarshal.AsImmutableArray(shape!), data);
    }

    private static TensorSignature? Find(ref Utf8JsonReader reader, IReadOnlyList<TensorSignature> inputs)
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            if (reader.ValueTextEquals(inputs[i].Name))
            {
                return inputs[i];
            }
        }
        return null;
    }

    private static long[]? ReadShape(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }
        Span<long> dims = stackalloc long[8];
        var rank = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.Number)
        {
            if (rank == dims.Length || !reader.TryGetInt64(out var dim) || dim < 0)
            {
                return null;
            }
            dims[rank++] = dim;
        }
        return reader.TokenType == JsonTokenType.EndArray ? TensorShapes.Shared(dims[..rank]) : null;
    }

    /// <summary>Flat or nested (row-major) numbers; null is a missing value (NaN), as in the full parser.</summary>
    /// <summary>Elements of the data array allocated before any is read; it doubles as more come, up to the shape's.</summary>
    private const int InitialData = 4096;

    private static bool ReadData(ref Utf8JsonReader reader, ref float[] data, int expected, ref int count)
    {
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.EndArray:
                    return true;
                case JsonTokenType.StartArray:
                    if (!ReadData(ref reader, ref data, expected, ref count))
                    {
                        return false;
                    }
                    break;
                case JsonTokenType.Number when Room(ref data, expected, count) && reader.TryGetSingle(out var value) && float.IsFinite(value):
                    data[count++] = value;
                    break;
                case JsonTokenType.Null when Room(ref data, expected, count):
                    data[count++] = float.NaN;
                    break;
                default:
                    return false;
            }
        }
        return false;
    }

    /// <summary>Whether one more element fits the shape, growing <paramref name="data"/> when it is full.</summary>
    private static bool Room(ref float[] data, int expected, int count)
    {
        if (count >= expected)
        {
            return false;
        }
        if (count == data.Length)
        {
            Array.Resize(ref data, (int)Math.Min(expected, 2L * data.Length));
        }
        return true;
    }

    private static List<string>? ReadOutputs(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }
        var names = new List<string>();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            string? name = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    if (name is not null || !reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return null;
                    }
                    name = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || name is null)
            {
                return null;
            }
            names.Add(name);
        }
        return reader.TokenType == JsonTokenType.EndArray ? names : null;
    }
}
