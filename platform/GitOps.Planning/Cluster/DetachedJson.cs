using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;

namespace GitOps.Planning.Cluster;

/// <summary>
/// Parses JSON into nodes that own their values, for objects that are kept: listed and watched cluster objects.
/// <see cref="JsonNode.Parse(ReadOnlySpan{byte}, JsonNodeOptions?, JsonDocumentOptions)"/> builds nodes over a
/// document of the whole text, filled in as they are read: a list page of 500 objects stays held in full (its bytes and
/// their index) for as long as any value read from any of its objects is, and every read of a string makes a new one.
/// Here every node is built at once, as a live-state file's are (<see cref="CanonicalJson"/>): property names and short
/// strings are shared within the answer, integers within the thread, and nothing refers back to the text. Same trees
/// and text as <see cref="JsonNode.Parse(ReadOnlySpan{byte}, JsonNodeOptions?, JsonDocumentOptions)"/>, except that of
/// a name given twice in one object the last is kept, and an invalid UTF-8 sequence in a short string reads as U+FFFD.
/// </summary>
public static class DetachedJson
{
    /// <exception cref="JsonException">The text is not one JSON value.</exception>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read())
        {
            throw new JsonException("the text holds no JSON value");
        }
        try
        {
            // One table of strings per answer, kept whole: the objects of a list repeat the same names and values, and
            // their unique ones (uids, versions) would empty a table shared with other work before they repeat.
            var node = CanonicalJson.ReadTree(ref reader, sortKeys: false, new HashSet<string>(StringComparer.Ordinal));
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

    /// <summary>The compact UTF-8 text of <paramref name="node"/>, keys in the order they are in: <see cref="Parse(ReadOnlySpan{byte})"/>
    /// of it gives back an equal tree, in the same order.</summary>
    public static byte[] ToUtf8(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            node.WriteTo(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
