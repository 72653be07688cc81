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
        var (buffer, writer) = Scratch();
        Write(writer, node);
        writer.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Lower-case hex SHA-256 of the canonical text.</summary>
    public static string Hash(JsonNode? node)
    {
        var (buffer, writer) = Scratch();
        Write(writer, node);
        writer.Flush();
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>
    /// <see cref="Hash"/> of <see cref="Sorted"/>(<paramref name="built"/>), without building the sorted copy: the
    /// object is written with its keys sorted and its null-valued properties left out. For trees of objects, arrays
    /// and plain values, as code builds them (a value holding a whole serialized object would keep its own key order).
    /// </summary>
    public static string SortedHash(JsonObject built)
    {
        var (buffer, writer) = Scratch();
        Write(writer, built, leaveOutNulls: true);
        writer.Flush();
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    public static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Lower-case hex SHA-256 of the canonical text of an object without its <c>metadata.annotations</c>.</summary>
    public static string HashWithoutAnnotations(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject meta || !meta.ContainsKey("annotations"))
        {
            // Nothing to leave out (a freshly rendered object, say): the object's own canonical hash.
            return Hash(obj);
        }
        var (buffer, writer) = Scratch();
        writer.WriteStartObject();
        foreach (var (key, value) in InOrder(obj))
        {
            writer.WritePropertyName(key);
            if (key == "metadata")
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
        writer.Flush();
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>
    /// Writes <paramref name="node"/> with its keys sorted; <paramref name="leaveOutNulls"/>, without its null-valued
    /// properties, as <see cref="Sorted"/> leaves them out.
    /// </summary>
    private static void Write(Utf8JsonWriter writer, JsonNode? node, bool leaveOutNulls = false)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                // Rendered trees are built sorted: they are written as they are, by index (no enumerator, no sort).
                var sorted = IsSorted(obj);
                var properties = sorted ? null : obj.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
                for (var i = 0; i < obj.Count; i++)
                {
                    var (key, value) = sorted ? obj.GetAt(i) : properties![i];
                    if (leaveOutNulls && value is null)
                    {
                        continue;
                    }
                    writer.WritePropertyName(key);
                    Write(writer, value, leaveOutNulls);
                }
                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                for (var i = 0; i < array.Count; i++)
                {
                    Write(writer, array[i], leaveOutNulls);
                }
                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    private static IEnumerable<KeyValuePair<string, JsonNode?>> InOrder(JsonObject obj) =>
        IsSorted(obj) ? obj : obj.OrderBy(p => p.Key, StringComparer.Ordinal);

    /// <summary>Rendered trees are built sorted: checking is much cheaper than sorting again.</summary>
    private static bool IsSorted(JsonObject obj)
    {
        for (var i = 1; i < obj.Count; i++)
        {
            if (string.CompareOrdinal(obj.GetAt(i - 1).Key, obj.GetAt(i).Key) > 0)
            {
                return false;
            }
        }
        return true;
    }

    [ThreadStatic]
    private static System.Buffers.ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static Stack<List<KeyValuePair<string, JsonNode?>>>? t_lists;

    /// <summary>A scratch list of properties, one per nesting level, reused: an object copies the properties it is given.</summary>
    private static List<KeyValuePair<string, JsonNode?>> RentList() =>
        t_lists is { Count: > 0 } lists ? lists.Pop() : new List<KeyValuePair<string, JsonNode?>>(16);

    private static void ReturnList(List<KeyValuePair<string, JsonNode?>> properties)
    {
        properties.Clear();
        (t_lists ??= new Stack<List<KeyValuePair<string, JsonNode?>>>()).Push(properties);
    }

    /// <summary>This thread's buffer, emptied, and a writer onto it.</summary>
    private static (System.Buffers.ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer) Scratch()
    {
        var buffer = t_buffer ??= new System.Buffers.ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        return (buffer, writer);
    }

    /// <summary>
    /// The canonical form of an object built in code: object keys in ordinal order at every level, properties whose
    /// value is null left out (an unset field, as Kubernetes serializers leave it out), every node built and strings and
    /// integers shared as in a tree read from text. A new tree: the object is not changed.
    /// </summary>
    /// <remarks>
    /// The result is the tree that writing the object and reading it back with <see cref="ReadTree"/> gives (numbers
    /// backed by their text, so readable as int, long or double alike), built by walking the object instead: no text
    /// in between.
    /// </remarks>
    public static JsonObject Sorted(JsonObject built) => (JsonObject)SortedCopy(built)!;

    private static JsonNode? SortedCopy(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
                var properties = RentList();
                var inOrder = true;
                for (var i = 0; i < obj.Count; i++)
                {
                    var (key, value) = obj.GetAt(i);
                    if (value is null)
                    {
                        continue;
                    }
                    if (properties.Count > 0 && string.CompareOrdinal(properties[^1].Key, key) > 0)
                    {
                        inOrder = false;
                    }
                    properties.Add(new(SharedStrings.Get(key), SortedCopy(value)));
                }
                if (!inOrder)
                {
                    properties.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
                }
                var copy = new JsonObject(properties);
                ReturnList(properties);
                return copy;
            case JsonArray array:
                var items = new JsonArray();
                for (var i = 0; i < array.Count; i++)
                {
                    items.Add(SortedCopy(array[i]));
                }
                return items;
            default:
                switch (node.GetValueKind())
                {
                    case JsonValueKind.String when node.AsValue().TryGetValue(out string? text):
                        return JsonValue.Create(SharedStrings.Get(text));
                    case JsonValueKind.True:
                        return JsonValue.Create(true);
                    case JsonValueKind.False:
                        return JsonValue.Create(false);
                }
                // Numbers (their text decides how they read back) and anything unusual: written and read back.
                var (buffer, writer) = Scratch();
                Write(writer, node, leaveOutNulls: true);
                writer.Flush();
                var reader = new Utf8JsonReader(buffer.WrittenSpan);
                reader.Read();
                return ReadTree(ref reader, sortKeys: true);
        }
    }

    /// <summary>
    /// Reads the value the reader is at into a tree with every node built (none left to be parsed lazily), strings
    /// and integers shared (see <see cref="SharedStrings"/>), object keys sorted when <paramref name="sortKeys"/> is set.
    /// Nesting is bounded by the reader's <see cref="JsonReaderOptions.MaxDepth"/>.
    /// </summary>
    /// <param name="strings">The strings to share with; null: this thread's table, emptied when it grows large.</param>
    internal static JsonNode? ReadTree(ref Utf8JsonReader reader, bool sortKeys, HashSet<string>? strings = null)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var properties = RentList();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = SharedStrings.Get(ref reader, strings);
                    reader.Read();
                    properties.Add(new(key, ReadTree(ref reader, sortKeys, strings)));
                }
                JsonObject obj;
                if (sortKeys)
                {
                    // Serializer output: keys are unique.
                    properties.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
                    obj = new JsonObject(properties);
                }
                else
                {
                    // Text from elsewhere may repeat a key: the last one wins, as in YAML.
                    obj = [];
                    foreach (var (key, value) in properties)
                    {
                        obj[key] = value;
                    }
                }
                ReturnList(properties);
                return obj;
            case JsonTokenType.StartArray:
                var array = new JsonArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    array.Add(ReadTree(ref reader, sortKeys, strings));
                }
                return array;
            case JsonTokenType.String:
                return JsonValue.Create(SharedStrings.Get(ref reader, strings));
            case JsonTokenType.Number:
                // Backed by the number's text, as a parsed tree would be: readable as int, long or double alike.
                return JsonValue.Create(SharedNumbers.Get(ref reader));
            case JsonTokenType.True:
                return JsonValue.Create(true);
            case JsonTokenType.False:
                return JsonValue.Create(false);
            default:
                return null;
        }
    }
}
