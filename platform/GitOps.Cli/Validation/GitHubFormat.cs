using System.Text;
using GitOps.Specs.Diagnostics;

namespace GitOps.Cli.Validation;

/// <summary>GitHub Actions workflow commands (<c>::error file=…,line=…,col=…::…</c>): annotations on the pull request's lines.</summary>
public static class GitHubFormat
{
    public static string Render(ValidationReport report)
    {
        var sb = new StringBuilder();
        foreach (var d in report.Diagnostics)
        {
            var command = d.Severity switch
            {
                Severity.Error => "error",
                Severity.Warning => "warning",
                _ => "notice",
            };
            sb.Append("::").Append(command)
              .Append(" file=").Append(Property(d.Span.File))
              .Append(",line=").Append(d.Span.Line)
              .Append(",col=").Append(d.Span.Column);
            if (d.Span.EndLine >= d.Span.Line)
            {
                sb.Append(",endLine=").Append(d.Span.EndLine);
                if (d.Span.EndLine == d.Span.Line && d.Span.EndColumn > d.Span.Column)
                {
                    sb.Append(",endColumn=").Append(d.Span.EndColumn);
                }
            }
            sb.Append(",title=").Append(Property(d.Id))
              .Append("::").Append(Data(d.Hint is null ? d.Message : $"{d.Message} ({d.Hint})")).Append('\n');
        }
        sb.Append("validate: ").Append(report.Summary()).Append('\n');
        return sb.ToString();
    }

    // Escaping rules of the workflow-command protocol: data escapes % CR LF; properties also escape : and ,.
    private static string Data(string s) => s.Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");

    private static string Property(string s) => Data(s).Replace(":", "%3A").Replace(",", "%2C");
}
