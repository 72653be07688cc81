using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Planning.Rendering;

/// <summary>
/// Canonical JSON: object keys sorted ordinally at every level, no whitespace. Two objects with the same content
/// have the same canonical text, which is what makes rendering byte-identical and hashes stable.
/// </summary>
public static class CanonicalJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true };

    /// <summary>A copy of <paramref name="node"/> with every object's keys in ordinal order.</summary>
    public static JsonNode? Sort(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var sorted = new JsonObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    sorted[key] = Sort(value);
                }
                return sorted;
            case JsonArray array:
                var copy = new JsonArray();
                foreach (var item in array)
                {
                    copy.Add(Sort(item));
                }
                return copy;
            case null:
                return null;
            default:
                return node.DeepClone();
        }
    }

    /// <summary>
    /// Sorts keys in place by moving (not copying) children into new containers; <paramref name="node"/> must have
    /// no parent. Cheaper than <see cref="Sort"/> for freshly parsed objects nobody else holds.
    /// </summary>
    public static JsonNode? SortInPlace(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var pairs = obj.ToList();
                obj.Clear();
                pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
                foreach (var (key, value) in pairs)
                {
                    obj[key] = SortInPlace(value);
                }
                return obj;
            case JsonArray array:
                var items = array.ToList();
                array.Clear();
                foreach (var item in items)
                {
                    array.Add(SortInPlace(item));
                }
                return array;
            default:
                return node;
        }
    }

    /// <summary>The canonical text of <paramref name="node"/> (keys sorted, compact).</summary>
    public static string ToText(JsonNode? node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, node);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Lower-case hex SHA-256 of the canonical text.</summary>
    public static string Hash(JsonNode? node) => Sha256Hex(ToText(node));

    public static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Lower-case hex SHA-256 of the canonical text of an object without its <c>metadata.annotations</c>.</summary>
    public static string HashWithoutAnnotations(JsonObject obj)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(key);
                if (key == "metadata" && value is JsonObject meta)
                {
                    writer.WriteStartObject();
                    foreach (var (k, v) in meta.Where(p => p.Key != "annotations").OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        writer.WritePropertyName(k);
                        Write(writer, v);
                    }
                    writer.WriteEndObject();
                }
                else
                {
                    Write(writer, value);
                }
            }
            writer.WriteEndObject();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    Write(writer, value);
                }
                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(writer, item);
                }
                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
