namespace GitOps.Planning.Retraining;

/// <summary>
/// The derived fact of one retrain of a model in one environment, recorded by the reconciler before training
/// (docs/retraining.md). Generation 0 (<see cref="RetrainReasons.Initial"/>) is the Git-pinned dataset, recorded when
/// a model's retrain section is first seen so that schedules count from then. A generation applies only while Git
/// still pins <see cref="BaseSha256"/> and declares <see cref="UriTemplate"/>: changing either in Git supersedes
/// every derived retrain.
/// </summary>
/// <param name="Generation">0 for the Git pin, then 1, 2, ... per retrain.</param>
/// <param name="Reason">One of <see cref="RetrainReasons"/>.</param>
/// <param name="Detail">Why, for people: <c>schedule every 7d (last 2026-11-23 03:00Z)</c>, <c>score drift 0.31 &gt; 0.2 for 1h</c>.</param>
/// <param name="DatasetUri">The dataset this generation trains on (the template resolved at <paramref name="At"/>).</param>
/// <param name="DatasetSha256">Its content hash, computed while reading it.</param>
/// <param name="At">When the retrain was decided.</param>
/// <param name="BaseSha256">The dataset sha256 Git pinned when this generation was recorded.</param>
/// <param name="UriTemplate">The template Git declared then.</param>
/// <param name="By">Who asked, for a manual retrain; null otherwise.</param>
public sealed record RetrainGeneration(
    int Generation,
    string Reason,
    string Detail,
    string DatasetUri,
    string DatasetSha256,
    DateTimeOffset At,
    string BaseSha256,
    string UriTemplate,
    string? By = null)
{
    /// <summary>True while Git still pins the dataset and declares the template this generation was derived from.</summary>
    public bool AppliesTo(Specs.Model.ModelSpec model) =>
        model.Spec.Training.Retrain is { } retrain
        && string.Equals(BaseSha256, model.Spec.Training.Dataset.Sha256, StringComparison.OrdinalIgnoreCase)
        && UriTemplate == retrain.UriTemplate;

    /// <summary>The baseline generation of <paramref name="model"/>: its Git-pinned dataset, recorded at <paramref name="at"/>.</summary>
    public static RetrainGeneration Initial(Specs.Model.ModelSpec model, DateTimeOffset at) => new(
        0, RetrainReasons.Initial, "the dataset pinned in Git",
        model.Spec.Training.Dataset.Uri, model.Spec.Training.Dataset.Sha256.ToLowerInvariant(), at,
        model.Spec.Training.Dataset.Sha256.ToLowerInvariant(), model.Spec.Training.Retrain?.UriTemplate ?? "");

    /// <summary>For status lines and plans: <c>retrained: schedule every 7d (last ...) → dataset URI sha256 ab12cd34ef56
    /// (generation 2 at 2026-11-30 03:00Z)</c>, or, for the baseline, <c>trains on the dataset pinned in Git</c>.</summary>
    public string Describe() => Generation == 0
        ? "trains on the dataset pinned in Git"
        : $"retrained: {Detail} → dataset {DatasetUri} sha256 {ShortSha(DatasetSha256)} (generation {Generation} at {RetrainSchedule.Time(At)})";

    /// <summary>The first 12 hex characters of a sha256, as status lines show it.</summary>
    public static string ShortSha(string sha256) => sha256.Length > 12 ? sha256[..12] : sha256;

    /// <summary>The next generation after this one.</summary>
    public RetrainGeneration Next(string reason, string detail, string datasetUri, string datasetSha256, DateTimeOffset at, string? by = null) =>
        new(Generation + 1, reason, detail, datasetUri, datasetSha256.ToLowerInvariant(), at, BaseSha256, UriTemplate, by);
}

/// <summary>Why a generation exists.</summary>
public static class RetrainReasons
{
    public const string Initial = "initial";
    public const string Schedule = "schedule";
    public const string Drift = "drift";
    public const string Manual = "manual";
}
