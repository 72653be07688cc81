using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Planning.Cluster;

/// <summary>
/// Parses JSON into nodes that own their values, for objects that are kept: listed and watched cluster objects.
/// <see cref="JsonNode.Parse(ReadOnlySpan{byte}, JsonNodeOptions?, JsonDocumentOptions)"/> builds nodes over a
/// document of the whole text, filled in as they are read: a list page of 500 objects stays held in full (its bytes and
/// their index) for as long as any value read from any of its objects is, and every read of a string makes a new one.
/// Here every node is built at once from the reader, property names and short strings are shared within one parse
/// (an object's labels and field names repeat in every object of a list), and nothing refers back to the text: a
/// number is an element of a document of that number alone.
/// Same nodes, same order, same errors as <see cref="JsonNode.Parse(ReadOnlySpan{byte}, JsonNodeOptions?, JsonDocumentOptions)"/>;
/// of a name given twice in one object, the last is kept.
/// </summary>
public static class DetachedJson
{
    /// <summary>Strings up to this length are shared within one parse: names, labels, kinds, statuses.</summary>
    private const int SharedLength = 64;

    /// <exception cref="JsonException">The text is not one JSON value.</exception>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read())
        {
            throw new JsonException("the text holds no JSON value");
        }
        var strings = new Dictionary<string, string>(StringComparer.Ordinal);
        var numbers = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        try
        {
            var node = Read(ref reader, strings, numbers);
            if (reader.Read())
            {
                // The reader throws on anything after the value but white space; this line is not reached for valid text.
                throw new JsonException("the text holds more than one JSON value");
            }
            return node;
        }
        catch (InvalidOperationException e)
        {
            // A string that is not valid UTF-8.
            throw new JsonException(e.Message, e);
        }
    }

    /// <inheritdoc cref="Parse(ReadOnlySpan{byte})"/>
    public static JsonNode? Parse(string text) => Parse(Encoding.UTF8.GetBytes(text));

    private static JsonNode? Read(ref Utf8JsonReader reader, Dictionary<string, string> strings, Dictionary<string, JsonElement> numbers)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var obj = new JsonObject();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = Shared(reader.GetString()!, strings);
                    reader.Read();
                    obj[name] = Read(ref reader, strings, numbers);
                }
                return obj;
            case JsonTokenType.StartArray:
                var array = new JsonArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    array.Add(Read(ref reader, strings, numbers));
                }
                return array;
            case JsonTokenType.String:
                var text = reader.GetString()!;
                return JsonValue.Create(text.Length <= SharedLength ? Shared(text, strings) : text);
            case JsonTokenType.Number:
                // A number stays a document's element, as JsonNode.Parse leaves it, so that it reads as any numeric type
                // (an int, a long, a double) with its exact text; one element per distinct number of the parse.
                var digits = Encoding.UTF8.GetString(reader.ValueSpan);
                if (!numbers.TryGetValue(digits, out var number))
                {
                    number = JsonElement.ParseValue(ref reader);
                    numbers[digits] = number;
                }
                return JsonValue.Create(number);
            case JsonTokenType.True:
                return JsonValue.Create(true);
            case JsonTokenType.False:
                return JsonValue.Create(false);
            case JsonTokenType.Null:
                return null;
            default:
                throw new JsonException($"unexpected JSON token {reader.TokenType}");
        }
    }

    private static string Shared(string text, Dictionary<string, string> strings)
    {
        if (strings.TryGetValue(text, out var shared))
        {
            return shared;
        }
        strings[text] = text;
        return text;
    }
}
