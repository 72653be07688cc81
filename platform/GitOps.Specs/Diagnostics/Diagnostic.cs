namespace GitOps.Specs.Diagnostics;

/// <summary>How serious a finding is. Errors block apply; warnings do not unless promoted.</summary>
public enum Severity
{
    Error,
    Warning,
    Info,
}

/// <summary>
/// A 1-based range in a source file. <see cref="Line"/>/<see cref="Column"/> point at the first character
/// of the offending key or value; the end is exclusive.
/// </summary>
public sealed record SourceSpan(string File, int Line, int Column, int EndLine, int EndColumn)
{
    /// <summary>A span for findings that concern a whole file.</summary>
    public static SourceSpan StartOf(string file) => new(file, 1, 1, 1, 1);

    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>
/// One finding of the loader, schema, semantic or policy checks. <see cref="Id"/> is stable and listed in
/// <c>docs/rules.md</c>.
/// </summary>
public sealed record Diagnostic(string Id, Severity Severity, SourceSpan Span, string Message, string? Hint = null)
{
    public bool IsError => Severity == Severity.Error;

    /// <summary>Compiler-style one-line rendering: <c>file:line:col: error ID: message (hint)</c>, one line whatever
    /// the spec held (<see cref="TerminalText.Escaped"/>).</summary>
    public override string ToString()
    {
        var sev = Severity switch { Severity.Error => "error", Severity.Warning => "warning", _ => "info" };
        var hint = Hint is null ? "" : $" ({Hint})";
        return TerminalText.Escaped($"{Span}: {sev} {Id}: {Message}{hint}");
    }
}
