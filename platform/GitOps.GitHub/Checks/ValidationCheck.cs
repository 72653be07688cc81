using System.Collections.Immutable;
using System.Text;
using GitOps.Specs.Diagnostics;

namespace GitOps.GitHub.Checks;

/// <summary>
/// The <c>gitops / validate</c> check run: every diagnostic as an annotation on its line, a summary table, and the
/// conclusion <c>failure</c> with errors, <c>neutral</c> with warnings only, <c>success</c> otherwise.
/// </summary>
public static class ValidationCheck
{
    public const string Name = "gitops / validate";

    /// <summary>Rows of the summary table; the rest are still annotations.</summary>
    private const int MaxTableRows = 500;

    public static CheckRunContent Build(IReadOnlyList<Diagnostic> diagnostics, int files, int specs)
    {
        var errors = diagnostics.Count(d => d.Severity == Severity.Error);
        var warnings = diagnostics.Count(d => d.Severity == Severity.Warning);
        var others = diagnostics.Count - errors - warnings;
        var conclusion = errors > 0 ? CheckConclusionKind.Failure : warnings > 0 ? CheckConclusionKind.Neutral : CheckConclusionKind.Success;
        var title = errors + warnings + others == 0
            ? "No problems found"
            : string.Join(", ", new[] { Count(errors, "error"), Count(warnings, "warning"), Count(others, "note") }.Where(s => s.Length > 0));

        var sb = new StringBuilder();
        sb.Append($"**gitops validate** checked {Plural(files, "file")} ({Plural(specs, "spec")}): {title.ToLowerInvariant()}.\n");
        if (diagnostics.Count > 0)
        {
            sb.Append(errors > 0
                ? "\nThe errors block the merge: fix them and push again. Every finding is also an annotation on its line in *Files changed*.\n"
                : "\nWarnings do not block the merge. Every finding is also an annotation on its line in *Files changed*.\n");
            sb.Append("\n| | Rule | Location | Message |\n|---|---|---|---|\n");
            foreach (var d in diagnostics.Take(MaxTableRows))
            {
                var icon = d.Severity switch { Severity.Error => "❌", Severity.Warning => "⚠️", _ => "ℹ️" };
                sb.Append($"| {icon} | `{d.Id}` | `{Cell(d.Span.ToString())}` | {Cell(Text(d))} |\n");
            }
            if (diagnostics.Count > MaxTableRows)
            {
                sb.Append($"\n{diagnostics.Count - MaxTableRows} more findings are not listed here; each is an annotation.\n");
            }
        }
        var annotations = diagnostics.Select(Annotation).ToImmutableArray();
        return new CheckRunContent(Name, conclusion, title, GitHubLimits.Fit(sb.ToString(), GitHubLimits.CheckRunSummary, "the list of findings"), annotations);
    }

    public static CheckAnnotation Annotation(Diagnostic d)
    {
        var start = Math.Max(1, d.Span.Line);
        var end = Math.Max(start, d.Span.EndLine);
        // The Checks API takes columns only for a range on one line.
        var columns = start == end && d.Span.Column >= 1 && d.Span.EndColumn > d.Span.Column;
        var level = d.Severity switch
        {
            Severity.Error => AnnotationLevel.Failure,
            Severity.Warning => AnnotationLevel.Warning,
            _ => AnnotationLevel.Notice,
        };
        return new CheckAnnotation(d.Span.File, start, end, columns ? d.Span.Column : null, columns ? d.Span.EndColumn : null, level, d.Id, Text(d));
    }

    private static string Text(Diagnostic d) => d.Hint is null ? d.Message : $"{d.Message} ({d.Hint})";

    private static string Count(int n, string word) => n == 0 ? "" : Plural(n, word);

    private static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";

    private static string Cell(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("|", "\\|", StringComparison.Ordinal)
        .ReplaceLineEndings(" ");
}
