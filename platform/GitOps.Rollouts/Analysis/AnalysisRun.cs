using System.Collections.Immutable;

namespace GitOps.Rollouts.Analysis;

/// <summary>
/// One analysis run: a set of metrics measured from <see cref="StartedAt"/>, every measurement kept, and the run's
/// verdict (the worst metric's). Immutable; <see cref="AnalysisRuns"/> computes the next value.
/// </summary>
public sealed record AnalysisRun
{
    /// <summary>Unique within a rollout, e.g. <c>step-1</c> or <c>background</c>; measurements name it.</summary>
    public required string Id { get; init; }
    public required ImmutableArray<string> Metrics { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public ImmutableArray<Measurement> Measurements { get; init; } = [];
    public AnalysisPhase Phase { get; init; } = AnalysisPhase.Running;
    public string Reason { get; init; } = "";
    public DateTimeOffset? CompletedAt { get; init; }
}
