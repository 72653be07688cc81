using System.Text;
using GitOps.Planning.Formatting;
using GitOps.Specs.Diagnostics;

namespace GitOps.Cli.Validation;

/// <summary>Compiler-style text: <c>file:line:col: error ID: message</c>, the source line and a caret under the span.</summary>
public static class TextFormat
{
    public static string Render(ValidationReport report, TextPainter? painter = null)
    {
        var sb = new StringBuilder();
        var paint = painter ?? PlainText.Painter;
        foreach (var d in report.Diagnostics)
        {
            var (label, code) = d.Severity switch
            {
                Severity.Error => ("error", TextStyle.Error),
                Severity.Warning => ("warning", TextStyle.Warning),
                _ => ("info", TextStyle.Info),
            };
            sb.Append(paint(TextStyle.Heading, TerminalText.Escaped($"{d.Span}:"))).Append(' ')
              .Append(paint(code, $"{label} {d.Id}:")).Append(' ')
              .Append(TerminalText.Escaped(d.Message)).Append('\n');
            var line = report.SourceLine(d.Span.File, d.Span.Line) is { } source ? TerminalText.SameWidth(source) : null;
            if (line is not null)
            {
                var gutter = d.Span.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var pad = new string(' ', gutter.Length);
                sb.Append(paint(TextStyle.Muted, $" {gutter} | ")).Append(line).Append('\n');
                var col = Math.Clamp(d.Span.Column, 1, line.Length + 1);
                var width = d.Span.EndLine == d.Span.Line ? Math.Max(1, d.Span.EndColumn - d.Span.Column) : Math.Max(1, line.Length - col + 1);
                width = Math.Min(width, Math.Max(1, line.Length - col + 1));
                // The caret goes by the columns the line takes on a terminal: a wide character before the span (CJK,
                // emoji) takes two, a combining mark none.
                var indent = TerminalText.Width(line.AsSpan(0, col - 1));
                var carets = Math.Max(1, TerminalText.Width(line.AsSpan(col - 1, Math.Min(width, line.Length - col + 1))));
                sb.Append(paint(TextStyle.Muted, $" {pad} | "))
                  .Append(new string(' ', indent)).Append(paint(code, new string('^', carets))).Append('\n');
            }
            if (d.Hint is not null)
            {
                sb.Append(paint(TextStyle.Info, "  = help: ")).Append(TerminalText.Escaped(d.Hint)).Append('\n');
            }
        }
        var summaryStyle = report.Errors > 0 ? TextStyle.Error : report.Warnings > 0 ? TextStyle.Warning : TextStyle.Success;
        var mark = report.Errors > 0 ? "✗" : "✓";
        sb.Append(paint(summaryStyle, $"{mark} validate: {report.Summary()}")).Append('\n');
        return sb.ToString();
    }
}
