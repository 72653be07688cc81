using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GitOps.Specs.Yaml;

namespace GitOps.Planning.Formatting;

/// <summary>
/// Writes JSON nodes as block-style YAML, keys in the order they are stored (rendered objects are already sorted).
/// A string is written plain only when no YAML 1.1 or 1.2 reader could take it for anything else; otherwise it is
/// double-quoted with JSON escapes (valid YAML), so the text reads back with the same types everywhere.
/// </summary>
public static partial class YamlWriter
{
    public static string Write(JsonNode? node)
    {
        var sb = new StringBuilder();
        WriteRoot(sb, node);
        return sb.ToString();
    }

    /// <summary>Several objects as one multi-document stream.</summary>
    public static string WriteStream(IEnumerable<JsonNode> nodes)
    {
        var sb = new StringBuilder();
        foreach (var node in nodes)
        {
            sb.Append("---\n");
            WriteRoot(sb, node);
        }
        return sb.ToString();
    }

    /// <summary>
    /// Appends the YAML of <paramref name="node"/> to <paramref name="sb"/> with <paramref name="linePrefix"/> in
    /// front of every line: the same lines as <see cref="Write"/>, without building the text of the object first.
    /// </summary>
    public static void AppendLines(StringBuilder sb, JsonNode? node, string linePrefix) => WriteRoot(sb, node, linePrefix);

    private static void WriteRoot(StringBuilder sb, JsonNode? node, string prefix = "")
    {
        switch (node)
        {
            case JsonObject { Count: > 0 } obj:
                WriteObject(sb, obj, 0, prefix);
                break;
            case JsonArray { Count: > 0 } array:
                WriteArray(sb, array, 0, prefix);
                break;
            default:
                sb.Append(prefix).Append(Scalar(node)).Append('\n');
                break;
        }
    }

    private static void WriteObject(StringBuilder sb, JsonObject obj, int indent, string prefix, bool firstInline = false)
    {
        var first = true;
        foreach (var (key, value) in obj)
        {
            if (!(first && firstInline))
            {
                sb.Append(prefix).Append(' ', indent);
            }
            first = false;
            sb.Append(Key(key)).Append(':');
            WriteValue(sb, value, indent, prefix);
        }
    }

    private static void WriteValue(StringBuilder sb, JsonNode? value, int indent, string prefix)
    {
        switch (value)
        {
            case JsonObject { Count: > 0 } child:
                sb.Append('\n');
                WriteObject(sb, child, indent + 2, prefix);
                break;
            case JsonArray { Count: > 0 } array:
                sb.Append('\n');
                WriteArray(sb, array, indent + 2, prefix);
                break;
            default:
                sb.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static void WriteArray(StringBuilder sb, JsonArray array, int indent, string prefix)
    {
        foreach (var item in array)
        {
            sb.Append(prefix).Append(' ', indent).Append("- ");
            switch (item)
            {
                case JsonObject { Count: > 0 } obj:
                    WriteObject(sb, obj, indent + 2, prefix, firstInline: true);
                    break;
                case JsonArray { Count: > 0 } nested:
                    sb.Append('\n');
                    WriteArray(sb, nested, indent + 2, prefix);
                    break;
                default:
                    sb.Append(Scalar(item)).Append('\n');
                    break;
            }
        }
    }

    private static string Key(string key) => String(key);

    /// <summary>A scalar as YAML text (used for single values in diffs too).</summary>
    public static string Scalar(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => String(v.GetValue<string>()),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            // A number read from text (every rendered or observed tree): its text as it is.
            JsonValueKind.Number when v.TryGetValue(out JsonElement element) => element.GetRawText(),
            _ => v.ToJsonString(),
        },
        _ => node.ToJsonString(),
    };

    /// <summary>
    /// A string as YAML text: plain, or quoted. Short strings repeat across the objects of a plan (keys, labels, kinds,
    /// images), so their answers are remembered, per thread and up to a bound.
    /// </summary>
    private static string String(string s)
    {
        if (s.Length > MaxRememberedLength)
        {
            return IsPlainSafe(s) ? s : Quote(s);
        }
        var remembered = t_remembered ??= new Dictionary<string, string>(StringComparer.Ordinal);
        if (!remembered.TryGetValue(s, out var text))
        {
            text = IsPlainSafe(s) ? s : Quote(s);
            if (remembered.Count >= MaxRemembered)
            {
                remembered.Clear();
            }
            remembered[s] = text;
        }
        return text;
    }

    private const int MaxRememberedLength = 64;

    private const int MaxRemembered = 16 * 1024;

    [ThreadStatic]
    private static Dictionary<string, string>? t_remembered;

    private static string Quote(string s) => JsonValue.Create(s).ToJsonString(QuoteOptions);

    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>True when <paramref name="s"/> reads back as the same string: the YAML 1.2 core schema
    /// (<see cref="CoreSchema"/>) resolves it to a string, and YAML 1.1 readers (kubectl's among them) would not take
    /// it for a boolean either.</summary>
    private static bool IsPlainSafe(string s) =>
        PlainPattern().IsMatch(s) && !s.EndsWith(':') && CoreSchema.Resolve(s) is string && !Yaml11Booleans.Contains(s.ToLowerInvariant());

    private static readonly HashSet<string> Yaml11Booleans = ["y", "n", "yes", "no", "on", "off"];

    [GeneratedRegex(@"^[A-Za-z_/][A-Za-z0-9_./:@+=-]*$")]
    private static partial Regex PlainPattern();
}
