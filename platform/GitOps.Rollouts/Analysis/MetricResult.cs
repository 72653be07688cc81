namespace GitOps.Rollouts.Analysis;

/// <summary>The verdict of one metric so far, with the counts it was decided from.</summary>
public sealed record MetricResult(
    string Metric,
    AnalysisPhase Phase,
    int Successful,
    int Failed,
    int Inconclusive,
    int Errors,
    int ConsecutiveErrors,
    string Reason)
{
    /// <summary>Measurements that count toward <c>count</c>: the ones that measured something, Successful or Failed.
    /// Neither an Error nor an Inconclusive one (no data) counts, so no answer at all is never a silent pass.</summary>
    public int Counted => Successful + Failed;
}
