using System.Text;
using System.Text.Json;
using GitOps.Specs.Diagnostics;

namespace GitOps.Cli.Validation;

/// <summary>
/// Stable JSON: <c>{"version":1,"summary":{...},"diagnostics":[{"id","severity","file","line","column","endLine","endColumn","message","hint"}]}</c>.
/// </summary>
public static class JsonFormat
{
    public static string Render(ValidationReport report)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteStartObject("summary");
            w.WriteNumber("files", report.FileCount);
            w.WriteNumber("specs", report.SpecCount);
            w.WriteNumber("errors", report.Errors);
            w.WriteNumber("warnings", report.Warnings);
            w.WriteEndObject();
            w.WriteStartArray("diagnostics");
            foreach (var d in report.Diagnostics)
            {
                w.WriteStartObject();
                w.WriteString("id", d.Id);
                w.WriteString("severity", SeverityName(d.Severity));
                w.WriteString("file", d.Span.File);
                w.WriteNumber("line", d.Span.Line);
                w.WriteNumber("column", d.Span.Column);
                w.WriteNumber("endLine", d.Span.EndLine);
                w.WriteNumber("endColumn", d.Span.EndColumn);
                w.WriteString("message", d.Message);
                if (d.Hint is null)
                {
                    w.WriteNull("hint");
                }
                else
                {
                    w.WriteString("hint", d.Hint);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    public static string SeverityName(Severity s) => s switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "info",
    };
}
