using System.Buffers;
using System.Text;
using System.Text.Json;
using GitOps.Planning.Cluster;

namespace GitOps.Reconciler.Drivers.Kubernetes;

/// <summary>
/// One page of a list answer read straight from its bytes into <see cref="CompactObject"/>s: each item is copied as
/// text with its <c>apiVersion</c> and <c>kind</c> put first (list items of built-in kinds come without them) and its
/// <c>metadata.managedFields</c> left out (planning never reads who owns which field, and with server-side apply that
/// record is as large as the object), and its identity, labels and version are read on the way. No tree of the page
/// or of its items is built. The items give the same trees as the page parsed whole and completed item by item.
/// </summary>
internal static class ListPage
{
    public sealed record Page(IReadOnlyList<CompactObject> Items, string? ResourceVersion, string? Continue);

    /// <exception cref="JsonException">The text is not a JSON object.</exception>
    public static Page Read(ReadOnlySpan<byte> utf8, ManagedKind kind)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a list answer is a JSON object");
        }
        var items = new List<CompactObject>();
        string? resourceVersion = null, next = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (name == "metadata" && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var field = reader.GetString();
                    reader.Read();
                    if (field == "resourceVersion" && reader.TokenType == JsonTokenType.String)
                    {
                        resourceVersion = reader.GetString();
                    }
                    else if (field == "continue" && reader.TokenType == JsonTokenType.String)
                    {
                        next = reader.GetString();
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else if (name == "items" && reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var start = (int)reader.TokenStartIndex;
                    var isObject = reader.TokenType == JsonTokenType.StartObject;
                    reader.Skip();
                    if (isObject)
                    {
                        items.Add(Item(utf8[start..(int)reader.BytesConsumed], kind));
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }
        return new Page(items, resourceVersion, next);
    }

    /// <summary>One item as the driver keeps it (see the type's summary).</summary>
    private static CompactObject Item(ReadOnlySpan<byte> item, ManagedKind kind)
    {
        var buffer = new ArrayBufferWriter<byte>(item.Length + 64);
        string? name = null, ns = null, uid = null, version = null, managedBy = null, environment = null, model = null;
        var reader = new Utf8JsonReader(item);
        reader.Read();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion", kind.ApiVersion);
            writer.WriteString("kind", kind.Kind);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.GetString()!;
                reader.Read();
                if (property is "apiVersion" or "kind")
                {
                    reader.Skip();
                    continue;
                }
                writer.WritePropertyName(property);
                if (property != "metadata" || reader.TokenType != JsonTokenType.StartObject)
                {
                    Copy(ref reader, item, writer);
                    continue;
                }
                writer.WriteStartObject();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var field = reader.GetString()!;
                    reader.Read();
                    if (field == "managedFields")
                    {
                        reader.Skip();
                        continue;
                    }
                    writer.WritePropertyName(field);
                    switch (field)
                    {
                        case "name":
                            name = Text(ref reader);
                            break;
                        case "namespace":
                            ns = Text(ref reader);
                            break;
                        case "uid":
                            uid = Text(ref reader);
                            break;
                        case "resourceVersion":
                            version = Text(ref reader);
                            break;
                        case "labels" when reader.TokenType == JsonTokenType.StartObject:
                            var labels = reader;
                            while (labels.Read() && labels.TokenType == JsonTokenType.PropertyName)
                            {
                                var label = labels.GetString();
                                labels.Read();
                                var value = Text(ref labels);
                                labels.Skip();
                                (managedBy, environment, model) = label switch
                                {
                                    ManagedLabels.ManagedBy => (value, environment, model),
                                    ManagedLabels.Environment => (managedBy, value, model),
                                    ManagedLabels.Model => (managedBy, environment, value),
                                    _ => (managedBy, environment, model),
                                };
                            }
                            break;
                    }
                    Copy(ref reader, item, writer);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return CompactObject.OfText(buffer.WrittenSpan.ToArray(), new ResourceKey(kind.ApiVersion, kind.Kind, ns, name ?? ""),
            managedBy, environment, model, uid, version);
    }

    /// <summary>Writes the value the reader is on as it is in the text, and moves past it.</summary>
    private static void Copy(ref Utf8JsonReader reader, ReadOnlySpan<byte> text, Utf8JsonWriter writer)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        writer.WriteRawValue(text[start..(int)reader.BytesConsumed], skipInputValidation: true);
    }

    /// <summary>A scalar's text as a tree gives it (<c>ObjectKeys.Text</c>): a string as it is, a number or boolean in
    /// its JSON form; null for null, an object or an array.</summary>
    private static string? Text(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False => Encoding.UTF8.GetString(reader.ValueSpan),
        _ => null,
    };
}
