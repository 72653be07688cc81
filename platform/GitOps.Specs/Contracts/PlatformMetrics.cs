namespace GitOps.Specs.Contracts;

/// <summary>
/// The names of the metrics the reconciler exports on <c>/metrics</c> (docs/operations.md, docs/rollouts.md). The
/// reconciler registers them under these names and the alert rules and dashboards read them from here.
/// </summary>
public static class PlatformMetrics
{
    /// <summary>Histogram, by <c>environment</c>.</summary>
    public const string ReconcileDuration = "gitops_reconcile_duration_seconds";
    /// <summary>Counter, by <c>environment</c> and <c>outcome</c>.</summary>
    public const string ReconcileOutcomes = "gitops_reconcile_outcomes_total";
    public const string ObjectsApplied = "gitops_objects_applied_total";
    public const string ObjectsPruned = "gitops_objects_pruned_total";
    /// <summary>Objects found changed in the cluster although their commit did not change, by <c>environment</c>.</summary>
    public const string DriftDetected = "gitops_drift_detected_total";
    public const string GitFetchDuration = "gitops_git_fetch_duration_seconds";
    public const string GitFetchErrors = "gitops_git_fetch_errors_total";
    /// <summary>Gauge, by <c>environment</c>: Unix time of the last pass that ended Applied or NoChange.</summary>
    public const string LastSuccessfulSync = "gitops_last_successful_sync_timestamp_seconds";
    public const string Leader = "gitops_leader";
    /// <summary>Counter, by <c>source</c>: push webhooks that made this replica fetch, received here or relayed by another replica.</summary>
    public const string WebhookPushes = "gitops_webhook_pushes_total";
    /// <summary>Counter, by <c>model</c> and <c>outcome</c>.</summary>
    public const string TrainingRuns = "gitops_training_runs_total";
    /// <summary>Gauge, by <c>environment</c>, <c>model</c> and <c>phase</c>: 1 for the current phase.</summary>
    public const string RolloutPhase = "gitops_rollout_phase";
    /// <summary>Gauge, by <c>environment</c> and <c>model</c>: percent of traffic on the canary.</summary>
    public const string RolloutWeight = "gitops_rollout_weight";
    /// <summary>Counter, by <c>environment</c>, <c>model</c>, <c>metric</c> and <c>phase</c>.</summary>
    public const string AnalysisMeasurements = "gitops_analysis_measurements_total";
    /// <summary>Counter, by <c>environment</c>, <c>model</c> and <c>verdict</c>.</summary>
    public const string AnalysisVerdicts = "gitops_analysis_verdicts_total";
    /// <summary>Counter, by <c>environment</c> and <c>model</c>.</summary>
    public const string Rollbacks = "gitops_rollbacks_total";
}
