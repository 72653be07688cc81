using System.Collections.Immutable;
using GitOps.Specs.Diagnostics;

namespace GitOps.Cli.Validation;

/// <summary>What one <c>gitops validate</c> run found, ready to be printed in any format.</summary>
public sealed record ValidationReport(
    ImmutableArray<Diagnostic> Diagnostics,
    int FileCount,
    int SpecCount,
    IReadOnlyDictionary<string, string> Sources)
{
    public int Errors => Diagnostics.Count(d => d.Severity == Severity.Error);
    public int Warnings => Diagnostics.Count(d => d.Severity == Severity.Warning);

    public string Summary()
    {
        static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";
        return $"{Plural(FileCount, "file")}, {Plural(SpecCount, "spec")}: {Plural(Errors, "error")}, {Plural(Warnings, "warning")}";
    }

    /// <summary>The text of line <paramref name="line"/> (1-based) of <paramref name="file"/>, if known.</summary>
    public string? SourceLine(string file, int line)
    {
        if (!Sources.TryGetValue(file, out var text) || line < 1)
        {
            return null;
        }
        var start = 0;
        for (var i = 1; i < line; i++)
        {
            start = text.IndexOf('\n', start);
            if (start < 0)
            {
                return null;
            }
            start++;
        }
        var end = text.IndexOf('\n', start);
        return (end < 0 ? text[start..] : text[start..end]).TrimEnd('\r');
    }
}
