using System.Collections.Immutable;

namespace GitOps.GitHub.Checks;

/// <summary>Level of a check-run annotation, as the Checks API names it.</summary>
public enum AnnotationLevel
{
    Notice,
    Warning,
    Failure,
}

/// <summary>One line annotation of a check run (1-based lines; columns only when the range is on one line).</summary>
public sealed record CheckAnnotation(
    string Path,
    int StartLine,
    int EndLine,
    int? StartColumn,
    int? EndColumn,
    AnnotationLevel Level,
    string Title,
    string Message);

/// <summary>Conclusion of a completed check run.</summary>
public enum CheckConclusionKind
{
    Success,
    Failure,
    Neutral,
    Skipped,
}

/// <summary>Everything a check run shows: its name, verdict, output title and markdown summary, and annotations.</summary>
public sealed record CheckRunContent(
    string Name,
    CheckConclusionKind Conclusion,
    string Title,
    string Summary,
    ImmutableArray<CheckAnnotation> Annotations);
