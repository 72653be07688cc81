using GitOps.Rollouts.Analysis;

namespace GitOps.Rollouts.Rollout;

/// <summary>What the shell does after a step of the machine.</summary>
public abstract record RolloutAction;

/// <summary>Query a metric for a run now (for the canary's version and track) and feed the answer back.</summary>
public sealed record MeasureRequest(string RunId, string Metric, string Version, string Track) : RolloutAction;

/// <summary>A measurement was assessed and counted (for the <c>gitops_analysis_measurements_total</c> counter).</summary>
public sealed record MeasurementRecorded(string RunId, Measurement Measurement) : RolloutAction;

/// <summary>An analysis run reached its verdict (for <c>gitops_analysis_verdicts_total</c>).</summary>
public sealed record AnalysisVerdictReached(string RunId, AnalysisPhase Verdict, string Reason) : RolloutAction;

/// <summary>A transition worth logging; the same event is added to the state's history.</summary>
public sealed record TransitionRecorded(RolloutEvent Event) : RolloutAction;

/// <summary>A command could not be carried out; the CLI shows the reason.</summary>
public sealed record CommandRefused(RolloutCommand Command, string Reason) : RolloutAction;

/// <summary>The new version was rolled back (for <c>gitops_rollbacks_total</c>).</summary>
public sealed record RolledBack(string Version, string Reason) : RolloutAction;
