using System.Text;
using System.Text.Json;
using GitOps.Specs.Diagnostics;

namespace GitOps.Cli.Validation;

/// <summary>SARIF 2.1.0, one run, for code-scanning upload. File URIs are relative to the repository root.</summary>
public static class SarifFormat
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    public static string Render(ValidationReport report, string toolVersion)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("$schema", SchemaUri);
            w.WriteString("version", "2.1.0");
            w.WriteStartArray("runs");
            w.WriteStartObject();
            w.WriteStartObject("tool");
            w.WriteStartObject("driver");
            w.WriteString("name", "gitops");
            w.WriteString("version", toolVersion);
            w.WriteStartArray("rules");
            var rules = report.Diagnostics.GroupBy(d => d.Id).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
            foreach (var rule in rules)
            {
                w.WriteStartObject();
                w.WriteString("id", rule.Key);
                w.WriteStartObject("shortDescription");
                w.WriteString("text", rule.First().Message);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartArray("results");
            var index = rules.Select((g, i) => (g.Key, i)).ToDictionary(x => x.Key, x => x.i, StringComparer.Ordinal);
            foreach (var d in report.Diagnostics)
            {
                w.WriteStartObject();
                w.WriteString("ruleId", d.Id);
                w.WriteNumber("ruleIndex", index[d.Id]);
                w.WriteString("level", Level(d.Severity));
                w.WriteStartObject("message");
                w.WriteString("text", d.Hint is null ? d.Message : $"{d.Message} ({d.Hint})");
                w.WriteEndObject();
                w.WriteStartArray("locations");
                w.WriteStartObject();
                w.WriteStartObject("physicalLocation");
                w.WriteStartObject("artifactLocation");
                w.WriteString("uri", d.Span.File);
                w.WriteString("uriBaseId", "%SRCROOT%");
                w.WriteEndObject();
                w.WriteStartObject("region");
                w.WriteNumber("startLine", Math.Max(1, d.Span.Line));
                w.WriteNumber("startColumn", Math.Max(1, d.Span.Column));
                w.WriteNumber("endLine", Math.Max(d.Span.Line, d.Span.EndLine));
                w.WriteNumber("endColumn", Math.Max(1, d.Span.EndColumn));
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static string Level(Severity s) => s switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "note",
    };
}
