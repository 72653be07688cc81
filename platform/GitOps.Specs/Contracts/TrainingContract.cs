namespace GitOps.Specs.Contracts;

/// <summary>
/// The training contract between the platform and a training image (builtin or custom): the environment
/// variables a training Job receives and the files it must write (<c>docs/training.md</c>). The renderer sets
/// these names and the trainer reads them, so both sides name them here.
/// </summary>
public static class TrainingContract
{
    /// <summary>Local path of the CSV dataset (takes precedence over <see cref="DatasetUri"/>).</summary>
    public const string Dataset = "GITOPS_DATASET";

    /// <summary>URI of the dataset; the trainer fetches it to a local file first when <see cref="Dataset"/> is not set.</summary>
    public const string DatasetUri = "GITOPS_DATASET_URI";

    public const string DatasetSha256 = "GITOPS_DATASET_SHA256";
    public const string Label = "GITOPS_LABEL";
    public const string Features = "GITOPS_FEATURES";
    public const string Task = "GITOPS_TASK";
    public const string Algorithm = "GITOPS_ALGORITHM";
    public const string Seed = "GITOPS_SEED";
    public const string Hyperparameters = "GITOPS_HYPERPARAMETERS";

    /// <summary>Local folder the trainer writes <see cref="ModelFile"/>, <see cref="MetricsFile"/> and <see cref="LineageFile"/> to.</summary>
    public const string OutputDir = "GITOPS_OUTPUT_DIR";

    /// <summary>Where the output folder is published after a successful run (<c>&lt;store&gt;/&lt;model&gt;/&lt;version&gt;</c>).</summary>
    public const string ArtifactUri = "GITOPS_ARTIFACT_URI";

    public const string ValidationFraction = "GITOPS_VALIDATION_FRACTION";
    public const string ModelName = "GITOPS_MODEL_NAME";
    public const string ModelVersion = "GITOPS_MODEL_VERSION";

    /// <summary>
    /// Set on an experiment's trial Jobs: the number of steps at which the trainer reports its metrics while it trains,
    /// appended to the <see cref="ProgressFolder"/> log beside the published files, so the median stopping rule has data.
    /// </summary>
    public const string ProgressSteps = "GITOPS_PROGRESS_STEPS";

    /// <summary>The folder, under <see cref="ArtifactUri"/>, of the append-only log of intermediate metrics.</summary>
    public const string ProgressFolder = "progress";

    /// <summary>Bearer token for http(s) artifact stores; never logged.</summary>
    public const string ArtifactsToken = "GITOPS_ARTIFACTS_TOKEN";

    /// <summary>File holding the bearer token (a mounted Secret, <c>spec.artifacts.tokenSecretRef</c>); wins over
    /// <see cref="ArtifactsToken"/>. Rendered pods get this path, never the token itself.</summary>
    public const string ArtifactsTokenFile = "GITOPS_ARTIFACTS_TOKEN_FILE";

    public const string ModelFile = "model.onnx";
    public const string MetricsFile = "metrics.json";
    public const string LineageFile = "lineage.json";

    /// <summary>The files a training run must write, in publishing order (the model last, so a reader that
    /// finds it also finds its metrics and lineage).</summary>
    public static readonly IReadOnlyList<string> OutputFiles = [MetricsFile, LineageFile, ModelFile];

    /// <summary>Mount path of the output folder inside a training Job.</summary>
    public const string OutputMountPath = "/output";

    /// <summary>The region of an s3:// artifact store (the AWS SDK's standard variable).</summary>
    public const string S3Region = "AWS_REGION";

    /// <summary>The endpoint override of an s3:// artifact store (the AWS SDK's standard variable).</summary>
    public const string S3Endpoint = "AWS_ENDPOINT_URL_S3";

    /// <summary><c>true</c>: address an s3:// store path-style (ENDPOINT/BUCKET/KEY).</summary>
    public const string S3ForcePathStyle = "GITOPS_S3_FORCE_PATH_STYLE";

    /// <summary>Artifact URI schemes the platform can fetch from and publish to.</summary>
    public static readonly IReadOnlyList<string> ArtifactSchemes = ["file", "http", "https", "s3"];
}
