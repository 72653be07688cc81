using System.Text;
using GitOps.Cli.Output;
using GitOps.Specs.Diagnostics;

namespace GitOps.Cli.Validation;

/// <summary>Compiler-style text: <c>file:line:col: error ID: message</c>, the source line and a caret under the span.</summary>
public static class TextFormat
{
    public static string Render(ValidationReport report, bool color)
    {
        var sb = new StringBuilder();
        foreach (var d in report.Diagnostics)
        {
            var (label, code) = d.Severity switch
            {
                Severity.Error => ("error", Terminal.Red),
                Severity.Warning => ("warning", Terminal.Yellow),
                _ => ("info", Terminal.Cyan),
            };
            sb.Append(Terminal.Paint($"{d.Span}:", Terminal.Bold, color)).Append(' ')
              .Append(Terminal.Paint($"{label} {d.Id}:", code, color)).Append(' ')
              .Append(d.Message).Append('\n');
            var line = report.SourceLine(d.Span.File, d.Span.Line);
            if (line is not null)
            {
                var gutter = d.Span.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var pad = new string(' ', gutter.Length);
                sb.Append(Terminal.Paint($" {gutter} | ", Terminal.Dim, color)).Append(line.Replace('\t', ' ')).Append('\n');
                var col = Math.Clamp(d.Span.Column, 1, line.Length + 1);
                var width = d.Span.EndLine == d.Span.Line ? Math.Max(1, d.Span.EndColumn - d.Span.Column) : Math.Max(1, line.Length - col + 1);
                width = Math.Min(width, Math.Max(1, line.Length - col + 1));
                sb.Append(Terminal.Paint($" {pad} | ", Terminal.Dim, color))
                  .Append(new string(' ', col - 1)).Append(Terminal.Paint(new string('^', width), code, color)).Append('\n');
            }
            if (d.Hint is not null)
            {
                sb.Append(Terminal.Paint("  = help: ", Terminal.Cyan, color)).Append(d.Hint).Append('\n');
            }
        }
        var summaryColor = report.Errors > 0 ? Terminal.Red : report.Warnings > 0 ? Terminal.Yellow : Terminal.Green;
        var mark = report.Errors > 0 ? "✗" : "✓";
        sb.Append(Terminal.Paint($"{mark} validate: {report.Summary()}", summaryColor, color)).Append('\n');
        return sb.ToString();
    }
}
