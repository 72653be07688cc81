using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Specs.Contracts;

namespace GitOps.Training.Contract;

/// <summary>
/// The files every training run leaves in its output directory, builtin or custom image alike
/// (<c>docs/training.md</c> is the reference).
/// </summary>
public static class TrainerOutput
{
    public const string ModelFile = TrainingContract.ModelFile;
    public const string MetricsFile = TrainingContract.MetricsFile;
    public const string LineageFile = TrainingContract.LineageFile;

    /// <summary>The JSON settings used to write <c>metrics.json</c> and <c>lineage.json</c>.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
