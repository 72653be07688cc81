using GitOps.Specs.Model;

namespace GitOps.Training.Builtin;

/// <summary>Builds the builtin trainer's request from a <c>Model</c> spec.</summary>
public static class SpecTrainingRequest
{
    /// <summary>
    /// Maps <c>spec.task</c>, <c>spec.label</c>, the input names (feature columns, in order),
    /// <c>spec.training.builtin</c>, hyperparameters and the dataset digest. <paramref name="datasetPath"/> is
    /// where the dataset was fetched to; an error when the model does not use the builtin trainer or has no label.
    /// </summary>
    public static (TrainingRequest? Request, string? Error) From(ModelSpec model, string datasetPath, string outputDirectory, string? version = null)
    {
        var spec = model.Spec;
        if (spec.Training.Builtin is not { } builtin)
        {
            return (null, $"model '{model.Metadata.Name}' uses a custom training image; only the builtin trainer runs here");
        }
        if (string.IsNullOrWhiteSpace(spec.Label))
        {
            return (null, $"model '{model.Metadata.Name}' has no spec.label; the builtin trainer needs the label column");
        }
        return (new TrainingRequest
        {
            DatasetPath = datasetPath,
            ExpectedDatasetSha256 = string.IsNullOrWhiteSpace(spec.Training.Dataset.Sha256) ? null : spec.Training.Dataset.Sha256,
            Label = spec.Label,
            Features = [.. spec.Inputs.Select(i => i.Name)],
            Task = spec.Task,
            Algorithm = builtin.Algorithm,
            Seed = builtin.Seed,
            Hyperparameters = spec.Training.Hyperparameters,
            OutputDirectory = outputDirectory,
            ModelName = model.Metadata.Name,
            ModelVersion = version,
        }, null);
    }
}
