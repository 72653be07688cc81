using System.Globalization;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;
using Newtonsoft.Json.Linq;

namespace GitOps.Specs.Yaml;

/// <summary>Where a JSON token came from: its spec path and the spans of its key and value.</summary>
internal sealed record NodeInfo(string Path, SourceSpan? KeySpan, SourceSpan ValueSpan);

/// <summary>A document as plain data (for CEL), as JSON (for schema validation) and as spans by path.</summary>
internal sealed record WalkedDocument(
    Dictionary<string, object?> Raw,
    JObject? Json,
    Dictionary<string, SourceSpan> KeySpans,
    Dictionary<string, SourceSpan> ValueSpans);

/// <summary>One pass over a document tree that produces its plain-data, JSON (when asked for) and span views.</summary>
internal static class DocumentWalker
{
    public static WalkedDocument Walk(YMapping root, bool json = true)
    {
        var (keys, values) = NewSpanMaps(root);
        var (raw, tree) = Visit(root, "", null, keys, values, json);
        return new WalkedDocument((Dictionary<string, object?>)raw!, (JObject?)tree, keys, values);
    }

    /// <summary>The plain-data view alone, without the span maps (whose paths cost most of a walk).</summary>
    public static Dictionary<string, object?> Raw(YMapping root) =>
        (Dictionary<string, object?>)Visit(root, "", null, null, null, withJson: false).Raw!;

    /// <summary>The plain-data view of what lies along <paramref name="paths"/> only: mappings keep the keys the paths
    /// go through, and the node at a path's end is whole (as is a sequence on the way, which no field path goes into).</summary>
    public static Dictionary<string, object?> Raw(YMapping root, FieldPaths paths) =>
        (Dictionary<string, object?>)Along(root, paths)!;

    private static object? Along(YNode node, FieldPaths paths)
    {
        if (paths.Whole || node.Resolved is not YMapping m)
        {
            return Visit(node, "", null, null, null, withJson: false).Raw;
        }
        var raw = new Dictionary<string, object?>(Math.Min(m.Entries.Count, paths.Children.Count), StringComparer.Ordinal);
        foreach (var entry in m.Entries)
        {
            if (paths.Children.TryGetValue(entry.Key.Text, out var below))
            {
                raw[entry.Key.Text] = Along(entry.Value, below);
            }
        }
        return raw;
    }

    /// <summary>The span of every key and value by path.</summary>
    public static (Dictionary<string, SourceSpan> Keys, Dictionary<string, SourceSpan> Values) Spans(YMapping root)
    {
        var (keys, values) = NewSpanMaps(root);
        Visit(root, "", null, keys, values, withJson: false);
        return (keys, values);
    }

    private static (Dictionary<string, SourceSpan>, Dictionary<string, SourceSpan>) NewSpanMaps(YMapping root)
    {
        var capacity = (int)Math.Min(root.ExpandedSize, 4096);
        return (new Dictionary<string, SourceSpan>(capacity, StringComparer.Ordinal), new Dictionary<string, SourceSpan>(capacity, StringComparer.Ordinal));
    }

    /// <summary>Path of a child key: <c>spec.training</c>, or <c>metadata.labels['app.kubernetes.io/name']</c> for keys with other characters.</summary>
    public static string Child(string parent, string key)
    {
        if (IsSimple(key))
        {
            return parent.Length == 0 ? key : parent + "." + key;
        }
        return parent + "['" + key.Replace("'", "\\'", StringComparison.Ordinal) + "']";
    }

    public static string Item(string parent, int index) => parent + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

    private static bool IsSimple(string key)
    {
        if (key.Length == 0)
        {
            return false;
        }
        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Builds the plain data, the JSON (when <paramref name="withJson"/>) and fills the span maps (when given).</summary>
    private static (object? Raw, JToken? Json) Visit(YNode node, string path, SourceSpan? keySpan,
        Dictionary<string, SourceSpan>? keys, Dictionary<string, SourceSpan>? values, bool withJson)
    {
        // Paths and spans are only built for the views that need them.
        var paths = keys is not null || withJson;
        // An alias is reported where it is used; what it expands to keeps the anchor's spans below it.
        var valueSpan = paths ? node.Span : null;
        var resolved = node.Resolved;
        if (path.Length > 0)
        {
            values?[path] = valueSpan!;
        }
        switch (resolved)
        {
            case YMapping m:
                {
                    var raw = new Dictionary<string, object?>(m.Entries.Count, StringComparer.Ordinal);
                    var json = withJson ? new JObject() : null;
                    foreach (var entry in m.Entries)
                    {
                        var childPath = paths ? Child(path, entry.Key.Text) : "";
                        var childKeySpan = paths ? entry.Key.Span : null;
                        keys?[childPath] = childKeySpan!;
                        var (r, j) = Visit(entry.Value, childPath, childKeySpan, keys, values, withJson);
                        raw[entry.Key.Text] = r;
                        // Keys are unique (the reader drops duplicates), so add without a lookup.
                        json?.Add(new JProperty(entry.Key.Text, j));
                    }
                    json?.AddAnnotation(new NodeInfo(path, keySpan, valueSpan!));
                    return (raw, json);
                }
            case YSequence s:
                {
                    var raw = new List<object?>(s.Items.Count);
                    var json = withJson ? new JArray() : null;
                    for (var i = 0; i < s.Items.Count; i++)
                    {
                        var (r, j) = Visit(s.Items[i], paths ? Item(path, i) : "", null, keys, values, withJson);
                        raw.Add(r);
                        json?.Add(j!);
                    }
                    json?.AddAnnotation(new NodeInfo(path, keySpan, valueSpan!));
                    return (raw, json);
                }
            case YScalar sc:
                {
                    if (!withJson)
                    {
                        return (sc.Value, null);
                    }
                    var json = sc.Value switch
                    {
                        null => JValue.CreateNull(),
                        string str => new JValue(str),
                        long l => new JValue(l),
                        double d => new JValue(d),
                        bool b => new JValue(b),
                        var other => new JValue(other.ToString()),
                    };
                    json.AddAnnotation(new NodeInfo(path, keySpan, valueSpan!));
                    return (sc.Value, json);
                }
            default:
                throw new InvalidOperationException("unexpected node " + resolved.GetType().Name);
        }
    }
}
