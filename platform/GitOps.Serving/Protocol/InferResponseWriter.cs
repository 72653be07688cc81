using System.Text.Json;
using GitOps.Serving.Metrics;

namespace GitOps.Serving.Protocol;

/// <summary>Writes v2 infer responses, model metadata and errors as JSON.</summary>
public static class InferResponseWriter
{
    /// <summary>The <c>platform</c> of the model metadata, in KServe's naming.</summary>
    public const string Platform = "onnxruntime_onnx";
    /// <summary>The server's <c>name</c> in the server metadata.</summary>
    public const string ServerName = "gitops-serving";
    public static string ServerVersion { get; } = typeof(InferResponseWriter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static void WriteResult(Utf8JsonWriter json, ModelIdentity model, InferenceResult result)
    {
        json.WriteStartObject();
        json.WriteString("model_name", model.Name);
        json.WriteString("model_version", model.Version);
        if (result.Id is not null)
        {
            json.WriteString("id", result.Id);
        }
        json.WriteStartArray("outputs");
        foreach (var output in result.Outputs)
        {
            json.WriteStartObject();
            json.WriteString("name", output.Name);
            json.WriteString("datatype", output.Datatype.Name);
            json.WriteStartArray("shape");
            foreach (var dim in output.Shape)
            {
                json.WriteNumberValue(dim);
            }
            json.WriteEndArray();
            json.WriteStartArray("data");
            WriteData(json, output.Data);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteData(Utf8JsonWriter json, Array data)
    {
        switch (data)
        {
            case float[] a:
                foreach (var v in a)
                {
                    if (float.IsFinite(v)) { json.WriteNumberValue(v); } else { json.WriteNullValue(); }
                }
                break;
            case double[] a:
                foreach (var v in a)
                {
                    if (double.IsFinite(v)) { json.WriteNumberValue(v); } else { json.WriteNullValue(); }
                }
                break;
            case bool[] a:
                foreach (var v in a) { json.WriteBooleanValue(v); }
                break;
            case long[] a:
                foreach (var v in a) { json.WriteNumberValue(v); }
                break;
            case int[] a:
                foreach (var v in a) { json.WriteNumberValue(v); }
                break;
            case sbyte[] a:
                foreach (var v in a) { json.WriteNumberValue(v); }
                break;
            case byte[] a:
                foreach (var v in a) { json.WriteNumberValue(v); }
                break;
            default:
                throw new ArgumentException($"unsupported tensor data {data.GetType()}", nameof(data));
        }
    }

    public static void WriteMetadata(Utf8JsonWriter json, ModelIdentity model, IReadOnlyList<TensorSignature> inputs, IReadOnlyList<TensorSignature> outputs)
    {
        json.WriteStartObject();
        json.WriteString("name", model.Name);
        json.WriteStartArray("versions");
        json.WriteStringValue(model.Version);
        json.WriteEndArray();
        json.WriteString("platform", Platform);
        WriteSignatures(json, "inputs", inputs);
        WriteSignatures(json, "outputs", outputs);
        json.WriteEndObject();
    }

    private static void WriteSignatures(Utf8JsonWriter json, string property, IReadOnlyList<TensorSignature> signatures)
    {
        json.WriteStartArray(property);
        foreach (var s in signatures)
        {
            json.WriteStartObject();
            json.WriteString("name", s.Name);
            json.WriteString("datatype", s.Datatype.Name);
            json.WriteStartArray("shape");
            foreach (var dim in s.Shape)
            {
                json.WriteNumberValue(dim);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    public static void WriteError(Utf8JsonWriter json, string message)
    {
        json.WriteStartObject();
        json.WriteString("error", message);
        json.WriteEndObject();
    }
}
