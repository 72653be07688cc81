namespace GitOps.Rollouts.Analysis;

/// <summary>The verdict of a metric or of an analysis run. Declared from best to worst.</summary>
public enum AnalysisPhase
{
    Successful,
    Running,
    Inconclusive,
    Error,
    Failed,
}

public static class AnalysisPhases
{
    /// <summary>The worse of two verdicts: Failed &gt; Error &gt; Inconclusive &gt; Running &gt; Successful.</summary>
    public static AnalysisPhase Worst(AnalysisPhase a, AnalysisPhase b) => a >= b ? a : b;

    /// <summary>Whether the verdict is final (no more measurements are taken).</summary>
    public static bool IsCompleted(this AnalysisPhase phase) => phase != AnalysisPhase.Running;
}
