using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Yaml;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GitOps.Planning.Diff;

/// <summary>Objects read from a live-state document, and what could not be read.</summary>
public sealed record LiveStateResult(ImmutableArray<JsonObject> Objects, ImmutableArray<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// Reads observed objects from YAML text such as <c>kubectl get -o yaml</c> output: several documents separated by
/// <c>---</c>, and <c>kind: List</c> documents whose <c>items</c> are the objects. Scalars follow the YAML 1.2 core
/// schema (quoted scalars are always strings). JSON (<c>kubectl get -o json</c>, one value or several) is YAML too,
/// and is read by a JSON parser: several times faster for a large cluster. Pure: the caller reads the file.
/// </summary>
public static class LiveState
{
    /// <summary>Guards against alias expansion bombs: no live state legitimately has this many nodes.</summary>
    private const int MaxNodes = 20_000_000;

    /// <summary>Kubernetes objects nest a few levels deep; far deeper input is hostile and would exhaust the stack.</summary>
    private const int MaxDepth = 256;

    /// <summary>What to pass instead, for every problem with the live state as a whole.</summary>
    private const string Hint = "pass the output of 'kubectl get -o yaml' or 'kubectl get -o json'";

    public static LiveStateResult Parse(string yaml, string sourceName = "live-state") =>
        Parse(Encoding.UTF8.GetBytes(yaml), sourceName);

    /// <summary>The same from the file's bytes: JSON is read without decoding the text first.</summary>
    public static LiveStateResult Parse(byte[] utf8, string sourceName = "live-state")
    {
        var bom = utf8.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        var start = utf8.AsSpan(bom).IndexOfAnyExcept(" \t\r\n"u8);
        if (start >= 0 && utf8[bom + start] is (byte)'{' or (byte)'[' && ParseJson(utf8.AsMemory(bom), sourceName) is { } json)
        {
            return json;
        }
        return ParseYaml(new UTF8Encoding(false).GetString(utf8, bom, utf8.Length - bom), sourceName);
    }

    /// <summary>The objects of a JSON stream, or null when it is not JSON after all (it is then read as YAML).</summary>
    private static LiveStateResult? ParseJson(ReadOnlyMemory<byte> text, string sourceName)
    {
        var documents = new Documents();
        var reader = new Utf8JsonReader(text.Span, new JsonReaderOptions
        {
            AllowMultipleValues = true,
            CommentHandling = JsonCommentHandling.Skip,
            MaxDepth = MaxDepth,
        });
        try
        {
            while (reader.Read())
            {
                var start = (int)reader.TokenStartIndex;
                // Every node built now, strings shared: live objects are read many times while planning.
                var node = CanonicalJson.ReadTree(ref reader, sortKeys: false);
                var end = (int)reader.BytesConsumed;
                documents.Add(node, () => SpanOf(text.Span, sourceName, start, end));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON (or not UTF-8): YAML reads it, or says precisely where it is wrong.
            return null;
        }
        return documents.Result();
    }

    private static SourceSpan SpanOf(ReadOnlySpan<byte> text, string sourceName, int start, int end)
    {
        var (startLine, startColumn) = Position(text, start);
        var (endLine, endColumn) = Position(text, end);
        return new SourceSpan(sourceName, startLine, startColumn, endLine, endColumn);

        static (int Line, int Column) Position(ReadOnlySpan<byte> text, int offset)
        {
            var before = text[..Math.Min(offset, text.Length)];
            return (before.Count((byte)'\n') + 1, offset - (before.LastIndexOf((byte)'\n') + 1) + 1);
        }
    }

    private static LiveStateResult ParseYaml(string yaml, string sourceName)
    {
        var documents = new Documents();
        var budget = MaxNodes;
        var parser = new Parser(new StringReader(yaml));
        try
        {
            parser.Consume<StreamStart>();
            while (!parser.TryConsume<StreamEnd>(out _))
            {
                parser.Consume<DocumentStart>();
                var first = parser.Current!;
                if (first is YamlDotNet.Core.Events.Scalar { Value: "" })
                {
                    parser.MoveNext();
                    parser.Consume<DocumentEnd>();
                    continue;
                }
                // Anchors belong to their document.
                var anchors = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
                var (node, end) = Read(parser, anchors, 0, ref budget);
                parser.Consume<DocumentEnd>();
                documents.Add(node, () => new SourceSpan(sourceName, (int)first.Start.Line, (int)first.Start.Column, (int)end.Line, (int)end.Column));
            }
        }
        catch (YamlException e)
        {
            return Invalid(new SourceSpan(sourceName, (int)e.Start.Line, (int)e.Start.Column, (int)e.End.Line, (int)e.End.Column),
                $"live state is not valid YAML: {e.Message}", Hint);
        }
        catch (InvalidLiveStateException e)
        {
            return Invalid(e.Span(sourceName), e.Message, Hint);
        }
        // On some malformed input the YAML scanner fails with other exception types; none may reach the user as a
        // stack trace.
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var at = parser.Current?.Start ?? Mark.Empty;
            return Invalid(new SourceSpan(sourceName, (int)at.Line, (int)at.Column, (int)at.Line, (int)at.Column),
                "live state is not valid YAML: malformed input near here", Hint);
        }
        return documents.Result();
    }

    private static LiveStateResult Invalid(SourceSpan span, string message, string help) =>
        new([], [new Diagnostic(PlanningDiagnostics.InvalidLiveState, Severity.Error, span, message, help)]);

    /// <summary>Reads the node that starts at the parser's current event, straight from the event stream.</summary>
    private static (JsonNode? Node, Mark End) Read(IParser parser, Dictionary<string, JsonNode?> anchors, int depth, ref int budget)
    {
        if (--budget < 0)
        {
            throw new InvalidLiveStateException(parser.Current!, "live state is too large (alias expansion?)");
        }
        if (depth > MaxDepth)
        {
            throw new InvalidLiveStateException(parser.Current!, $"live state nests deeper than {MaxDepth} levels");
        }
        var current = parser.Current!;
        switch (current)
        {
            case YamlDotNet.Core.Events.Scalar scalar:
                parser.MoveNext();
                var value = Scalar(scalar.Style, scalar.Value);
                Remember(scalar.Anchor, value);
                return (value, scalar.End);
            case SequenceStart sequenceStart:
                parser.MoveNext();
                var array = new JsonArray();
                while (!parser.Accept<SequenceEnd>(out _))
                {
                    array.Add(Read(parser, anchors, depth + 1, ref budget).Node);
                }
                var sequenceEnd = parser.Consume<SequenceEnd>();
                Remember(sequenceStart.Anchor, array);
                return (array, sequenceEnd.End);
            case MappingStart mappingStart:
                parser.MoveNext();
                var obj = new JsonObject();
                while (!parser.Accept<MappingEnd>(out _))
                {
                    var keyEvent = parser.Current;
                    var (key, _) = Read(parser, anchors, depth + 1, ref budget);
                    var name = keyEvent is YamlDotNet.Core.Events.Scalar k ? k.Value : key?.ToJsonString() ?? "";
                    obj[name] = Read(parser, anchors, depth + 1, ref budget).Node;
                }
                var mappingEnd = parser.Consume<MappingEnd>();
                Remember(mappingStart.Anchor, obj);
                return (obj, mappingEnd.End);
            case AnchorAlias alias:
                parser.MoveNext();
                if (!anchors.TryGetValue(alias.Value.Value, out var anchored))
                {
                    throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value.Value} refers to no anchor before it");
                }
                budget -= Count(anchored);
                if (budget < 0)
                {
                    throw new InvalidLiveStateException(alias, "live state is too large (alias expansion?)");
                }
                return (anchored?.DeepClone(), alias.End);
            default:
                throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name} in live state");
        }

        void Remember(AnchorName anchor, JsonNode? node)
        {
            if (!anchor.IsEmpty)
            {
                anchors[anchor.Value] = node;
            }
        }
    }

    private static int Count(JsonNode? node) => node switch
    {
        JsonObject o => 1 + o.Sum(p => Count(p.Value)),
        JsonArray a => 1 + a.Sum(Count),
        _ => 1,
    };

    /// <summary>Collects the objects of each document (unwrapping <c>kind: List</c>) and what is wrong with the rest.</summary>
    private sealed class Documents
    {
        private readonly ImmutableArray<JsonObject>.Builder _objects = ImmutableArray.CreateBuilder<JsonObject>();
        private readonly ImmutableArray<Diagnostic>.Builder _diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();

        public void Add(JsonNode? node, Func<SourceSpan> span)
        {
            if (node is not JsonObject obj)
            {
                _diagnostics.Add(new Diagnostic(PlanningDiagnostics.InvalidLiveState, Severity.Error, span(),
                    "a live-state document must be a Kubernetes object (a mapping)", Hint));
                return;
            }
            var kind = obj["kind"] is JsonValue k && k.TryGetValue<string>(out var ks) ? ks : null;
            if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray items)
            {
                foreach (var item in items.ToList())
                {
                    items.Remove(item);
                    Object(item, span);
                }
                return;
            }
            Object(obj, span);
        }

        private void Object(JsonNode? node, Func<SourceSpan> span)
        {
            if (node is JsonObject o && o["apiVersion"] is JsonValue && o["kind"] is JsonValue && o["metadata"]?["name"] is JsonValue)
            {
                _objects.Add(o);
                return;
            }
            _diagnostics.Add(new Diagnostic(PlanningDiagnostics.InvalidLiveState, Severity.Error, span(),
                "object without apiVersion, kind or metadata.name", "every live object needs apiVersion, kind and metadata.name"));
        }

        public LiveStateResult Result() => new(_objects.ToImmutable(), _diagnostics.ToImmutable());
    }

    /// <summary>Input the YAML parser accepts but a live state cannot hold (too large or too deep).</summary>
    private sealed class InvalidLiveStateException(ParsingEvent at, string message) : Exception(message)
    {
        public SourceSpan Span(string sourceName) =>
            new(sourceName, (int)at.Start.Line, (int)at.Start.Column, (int)at.End.Line, (int)at.End.Column);
    }

    private static JsonNode? Scalar(ScalarStyle style, string? value)
    {
        var text = value ?? "";
        if (style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(text);
        }
        return CoreSchema.Resolve(text) switch
        {
            null => null,
            bool b => JsonValue.Create(b),
            long l => JsonValue.Create(l),
            // JSON has no infinity or NaN (the API server never returns them); keep the text as written.
            double d when !double.IsFinite(d) => JsonValue.Create(text),
            double d => JsonValue.Create(d),
            _ => JsonValue.Create(text),
        };
    }
}
