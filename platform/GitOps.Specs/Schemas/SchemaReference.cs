using System.Globalization;
using System.Text;
using Newtonsoft.Json.Linq;

namespace GitOps.Specs.Schemas;

/// <summary>Renders a kind's schema as a Markdown field table (the reference in <c>docs/specs.md</c> is generated from it).</summary>
internal static class SchemaReference
{
    public static string FieldTable(string kind)
    {
        var sb = new StringBuilder();
        sb.Append("| Field | Type | Required | Default | Meaning |\n");
        sb.Append("|-------|------|----------|---------|---------|\n");
        var spec = (JObject)SpecSchemas.Of(kind)["properties"]!["spec"]!;
        Walk(spec, "spec", sb);
        return sb.ToString();
    }

    private static void Walk(JObject schema, string path, StringBuilder sb)
    {
        if (schema["properties"] is not JObject properties)
        {
            return;
        }
        var required = (schema["required"] as JArray)?.Select(r => (string)r!).ToHashSet(StringComparer.Ordinal) ?? [];
        // SchemaDsl.OneRequired: exactly one of these properties.
        var oneOf = (schema["oneOf"] as JArray)?.Select(c => (string)c["required"]![0]!).ToList() ?? [];
        foreach (var p in properties.Properties())
        {
            var child = (JObject)p.Value;
            var childPath = path + "." + p.Name;
            var mark = required.Contains(p.Name) ? "yes" : oneOf.Contains(p.Name) ? "one of " + string.Join(", ", oneOf.Select(n => $"`{n}`")) : "";
            sb.Append(CultureInfo.InvariantCulture, $"| `{childPath}` | {Type(child)} | {mark} | {Default(child)} | {Escape((string?)child["description"] ?? "")} |\n");
            if (child["type"]?.ToString() == "object")
            {
                if (child["properties"] is JObject)
                {
                    Walk(child, childPath, sb);
                }
                else if (child["additionalProperties"] is JObject values && values["properties"] is JObject)
                {
                    Walk(values, childPath + ".<name>", sb);
                }
            }
            else if (child["type"]?.ToString() == "array" && child["items"] is JObject items && items["properties"] is JObject)
            {
                Walk(items, childPath + "[]", sb);
            }
        }
    }

    private static string Type(JObject s)
    {
        var type = s["type"];
        if (type is JArray types)
        {
            return string.Join(" or ", types.Select(t => (string)t!));
        }
        var t = (string?)type;
        switch (t)
        {
            case "object":
                if (s["minProperties"] is not null && s["maxProperties"] is not null)
                {
                    return "mapping, exactly one key";
                }
                return s["additionalProperties"] is JObject v ? "map of " + Type(v) : "mapping";
            case "array":
                var item = s["items"] is JObject i ? Type(i) : "any";
                var extras = new List<string>();
                if (s["minItems"] is { } min)
                {
                    extras.Add($"at least {min}");
                }
                if (s["uniqueItems"] is not null)
                {
                    extras.Add("unique");
                }
                return "list of " + item + (extras.Count > 0 ? " (" + string.Join(", ", extras) + ")" : "");
            case "integer" or "number":
                return t + Range(s);
            case "string":
                if (s["enum"] is JArray values)
                {
                    return string.Join(", ", values.Select(v => $"`{v}`"));
                }
                if ((string?)s["pattern"] == SchemaDsl.DnsLabelPattern)
                {
                    return "name (DNS-1123)";
                }
                if (s["pattern"] is { } pattern)
                {
                    return $"string matching `{Escape((string)pattern!)}`";
                }
                return "string";
            default:
                return t ?? "any";
        }
    }

    private static string Range(JObject s)
    {
        var min = (decimal?)s["minimum"];
        var max = (decimal?)s["maximum"];
        var hasMin = min is not null && min != int.MinValue;
        var hasMax = max is not null && max != int.MaxValue;
        return (hasMin, hasMax) switch
        {
            (true, true) => $" {min}..{max}",
            (true, false) => $" >= {min}",
            (false, true) => $" <= {max}",
            _ => "",
        };
    }

    private static string Default(JObject s) => s["default"] is { } d
        ? "`" + (d.Type == JTokenType.Boolean ? ((bool)d ? "true" : "false") : Convert.ToString(((JValue)d).Value, CultureInfo.InvariantCulture)) + "`"
        : "";

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
