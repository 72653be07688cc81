using GitOps.Rollouts.Analysis;

namespace GitOps.Rollouts.Replay;

/// <summary>One analysis run of a replay: when it started, its verdict (Running when the data ended first) and when it was reached.</summary>
public sealed record ReplayedRun(int Number, AnalysisRun Run)
{
    public AnalysisPhase Verdict => Run.Phase;
}
