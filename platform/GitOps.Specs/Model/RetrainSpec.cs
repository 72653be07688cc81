namespace GitOps.Specs.Model;

/// <summary>
/// <c>spec.training.retrain</c>: when a model is trained again on newer data without a commit, and where that data
/// is. What is declared here lives in Git; each retrain's resolved dataset and its sha256 are derived facts the
/// reconciler records (docs/retraining.md).
/// </summary>
public sealed record RetrainSpec
{
    /// <summary>Dataset URI with placeholders resolved at retrain time, e.g.
    /// <c>s3://data/fraud/{date:yyyy-MM-dd}.csv</c> (<see cref="DatasetTemplates"/>).</summary>
    public required string UriTemplate { get; init; }

    /// <summary>A duration (<c>7d</c>) or a five-field cron expression in UTC (<c>0 3 * * 1</c>); null: no
    /// scheduled retrain.</summary>
    public string? Schedule { get; init; }

    /// <summary>Retrain when the served version's drift stays over a limit; null: drift never retrains.</summary>
    public DriftTrigger? OnDrift { get; init; }

    /// <summary>Shortest time after any retrain before drift may trigger another in the same environment.</summary>
    public string MinInterval { get; init; } = "1d";
}

/// <summary>Retrain when <see cref="Metric"/> (<see cref="DriftTriggerMetrics"/>) stays over <see cref="Threshold"/>
/// (default: the model's <c>monitoring.drift</c> limit) for <see cref="For"/>.</summary>
/// <param name="Feature">With metric <c>feature</c>: the one input watched; null: any input.</param>
public sealed record DriftTrigger(string Metric, string? Feature, double? Threshold, string For);

public static class DriftTriggerMetrics
{
    /// <summary>PSI of the predicted score (<c>gitops_score_drift_psi</c>).</summary>
    public const string Score = "score";

    /// <summary>PSI of input features (<c>gitops_feature_drift_psi</c>).</summary>
    public const string Feature = "feature";

    public static readonly System.Collections.Immutable.ImmutableArray<string> All = [Score, Feature];
}
