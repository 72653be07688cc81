using System.Collections.Immutable;

namespace GitOps.Specs.Diagnostics;

/// <summary>The one order diagnostics are reported in: file, line, column, id, message (ordinal).</summary>
public static class DiagnosticOrder
{
    public static ImmutableArray<Diagnostic> Sort(IEnumerable<Diagnostic> diagnostics) =>
        [.. diagnostics
            .OrderBy(d => d.Span.File, StringComparer.Ordinal)
            .ThenBy(d => d.Span.Line)
            .ThenBy(d => d.Span.Column)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ThenBy(d => d.Message, StringComparer.Ordinal)];
}
