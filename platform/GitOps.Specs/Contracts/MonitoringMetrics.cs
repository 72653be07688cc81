namespace GitOps.Specs.Contracts;

/// <summary>
/// The drift and data-quality metrics the inference server exports (labels <c>model</c>, <c>version</c>,
/// <c>track</c>, and <c>feature</c> where named), and the alert rules read.
/// </summary>
public static class MonitoringMetrics
{
    public const string FeatureDriftPsi = "gitops_feature_drift_psi";
    public const string FeatureDriftKs = "gitops_feature_drift_ks";
    public const string ScoreDriftPsi = "gitops_score_drift_psi";
    public const string MissingValues = "gitops_feature_missing_values_total";
    public const string OutOfRange = "gitops_feature_out_of_range_total";
    public const string WindowRows = "gitops_drift_window_rows";
}
