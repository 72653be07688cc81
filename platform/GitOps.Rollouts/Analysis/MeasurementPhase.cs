namespace GitOps.Rollouts.Analysis;

/// <summary>The outcome of one measurement of one metric.</summary>
public enum MeasurementPhase
{
    Successful,
    Failed,
    Inconclusive,
    /// <summary>The query failed or timed out; retried after <see cref="AnalysisMetric.ErrorRetryDelay"/>, not counted toward <c>count</c>.</summary>
    Error,
}
