using System.Collections.Immutable;
using GitOps.Rollouts.Analysis;
using GitOps.Specs.Model;

namespace GitOps.Rollouts.Rollout;

/// <summary>A version rolled back in this environment; it gets no traffic again until its inputs change.</summary>
public sealed record RejectedVersion(string Version, DateTimeOffset At, string Reason);

/// <summary>Something that happened to a rollout, kept in its history and written to the log. For an operator's
/// command, <paramref name="Actor"/> is who gave it and <paramref name="GivenAt"/> when they gave it (<paramref name="At"/>
/// is when the reconciler applied it).</summary>
public sealed record RolloutEvent(DateTimeOffset At, RolloutEventKind Kind, string Message, string? Actor = null, DateTimeOffset? GivenAt = null);

public enum RolloutEventKind
{
    Deployed,
    Started,
    Superseded,
    StepStarted,
    StepCompleted,
    AnalysisCompleted,
    Paused,
    Resumed,
    Promoted,
    RolledBack,
    Retried,
    ScaledDown,
    CommandRefused,
}

/// <summary>
/// The persisted progress of one model's rollout in one environment. Everything the machine needs to resume after a
/// restart is here: the step, when it started, the current weights, the analysis runs with every measurement, the
/// rejected versions and a bounded history.
/// </summary>
public sealed record RolloutState
{
    /// <summary>Bumped when the JSON shape changes incompatibly.</summary>
    public int SchemaVersion { get; init; } = 1;
    /// <summary>Counts rollouts started; part of analysis run ids so an answer for an earlier rollout is never counted.</summary>
    public int Generation { get; init; }
    public string? Stable { get; init; }
    /// <summary>The new version being rolled out (canary or blueGreen preview); kept after a rollback to show what was rejected.</summary>
    public string? Canary { get; init; }
    public RolloutPhase Phase { get; init; } = RolloutPhase.Healthy;
    public int StepIndex { get; init; }
    public DateTimeOffset? StepStartedAt { get; init; }
    public DateTimeOffset? RolloutStartedAt { get; init; }
    /// <summary>Percent of live traffic sent to the canary now.</summary>
    public int Weight { get; init; }
    public HeaderRoute? HeaderRoute { get; init; }
    /// <summary>Percent of traffic mirrored (shadowed) to the canary; 0 when none.</summary>
    public int Mirror { get; init; }
    public AnalysisRun? StepAnalysis { get; init; }
    public AnalysisRun? BackgroundAnalysis { get; init; }
    /// <summary>Set when a human accepted an Inconclusive background analysis with <c>promote</c>; it is not started again.</summary>
    public bool BackgroundAccepted { get; init; }
    /// <summary>Since when the rollout waits for its new version to become ready (for <c>progressDeadline</c>).</summary>
    public DateTimeOffset? WaitingForReadySince { get; init; }
    public string? PauseReason { get; init; }
    /// <summary>blueGreen: the version switched away from, kept running until <see cref="ScaleDownAt"/>.</summary>
    public string? PreviousStable { get; init; }
    public DateTimeOffset? ScaleDownAt { get; init; }
    /// <summary>
    /// blueGreen after a switch: live traffic goes to the canary Deployment, which runs the stable version exactly as
    /// it ran as the preview (the switch and an abort within <c>scaleDownDelay</c> only move routes, no Deployment rolls).
    /// Once <see cref="PreviousStable"/> is scaled down, the stable Deployment moves to the stable version and, when it
    /// is ready, traffic returns to it and this is cleared.
    /// </summary>
    public bool LiveOnCanary { get; init; }
    public ImmutableArray<RejectedVersion> Rejected { get; init; } = [];
    /// <summary>Finished analysis runs of this and earlier rollouts, newest last (bounded).</summary>
    public ImmutableArray<AnalysisRun> PastRuns { get; init; } = [];
    /// <summary>Newest last (bounded).</summary>
    public ImmutableArray<RolloutEvent> History { get; init; } = [];

    public const int MaxHistory = 50;
    public const int MaxPastRuns = 10;
    public const int MaxRejected = 20;

    public static readonly RolloutState Initial = new();

    public bool IsRejected(string version) => Rejected.Any(r => r.Version == version);

    /// <summary>Whether a rollout is under way (steps running or paused for a human).</summary>
    public bool InProgress => Phase is RolloutPhase.Progressing or RolloutPhase.Paused;
}
