using System.Text.Json.Nodes;
using GitOps.Planning.Retraining;
using GitOps.Specs.Model;

namespace GitOps.Planning.Rendering;

/// <summary>
/// A model version is the first 12 hex characters of the SHA-256 of the canonical JSON of everything that
/// determines the trained artifact: task, label, input/output tensors, trainer (builtin algorithm, seed and trainer
/// image, or custom image and command), dataset sha256 and hyperparameters. Compute resources, timeout, retries,
/// the dataset URI and serving settings are deliberately left out: they change how or where training runs, not
/// what it produces, so changing them never retrains.
/// </summary>
public static class ModelVersions
{
    /// <summary>Trainer image of the builtin trainer when the environment names none.</summary>
    public const string DefaultTrainerImage = "gitops/trainer:0.1.0";

    public const int Length = 12;

    /// <summary>The version <paramref name="model"/> has in <paramref name="environment"/> (the trainer image may differ per environment).</summary>
    public static string Compute(ModelSpec model, EnvironmentSpec environment) =>
        CanonicalJson.Hash(Inputs(model, environment))[..Length];

    /// <summary>The version <paramref name="model"/> has in <paramref name="environment"/> once <paramref name="retrain"/>
    /// (a recorded retrain generation, or null) is applied: the Git inputs with the generation's resolved dataset
    /// sha256 in place of the pinned one (<see cref="RetrainedModels.Apply(ModelSpec, RetrainGeneration?)"/>).</summary>
    public static string Compute(ModelSpec model, EnvironmentSpec environment, RetrainGeneration? retrain) =>
        Compute(RetrainedModels.Apply(model, retrain), environment);

    /// <summary>The artifact store of <paramref name="environment"/>: <c>spec.artifacts.uri</c> or the default, without a trailing slash.</summary>
    public static string ArtifactStore(EnvironmentSpec environment) => ModelRenderer.StoreUri(environment);

    /// <summary>The canonical document hashed into the version (shown by <c>gitops render</c> as documentation).</summary>
    public static JsonObject Inputs(ModelSpec model, EnvironmentSpec environment)
    {
        var training = model.Spec.Training;
        var trainer = new JsonObject();
        if (training.Builtin is { } builtin)
        {
            trainer["kind"] = "builtin";
            trainer["algorithm"] = builtin.Algorithm;
            trainer["seed"] = builtin.Seed;
            trainer["image"] = environment.Spec.TrainerImage ?? DefaultTrainerImage;
        }
        else
        {
            trainer["kind"] = "image";
            trainer["image"] = training.Image ?? "";
            trainer["command"] = new JsonArray([.. training.Command.Select(c => (JsonNode?)JsonValue.Create(c))]);
        }
        var hyperparameters = new JsonObject();
        foreach (var (k, v) in training.Hyperparameters)
        {
            hyperparameters[k] = v;
        }
        return new JsonObject
        {
            ["schema"] = "ml.gitops/model-version/v1",
            ["task"] = model.Spec.Task,
            ["label"] = model.Spec.Label,
            ["inputs"] = Tensors(model.Spec.Inputs),
            ["outputs"] = Tensors(model.Spec.Outputs),
            ["trainer"] = trainer,
            ["datasetSha256"] = training.Dataset.Sha256.ToLowerInvariant(),
            ["hyperparameters"] = hyperparameters,
        };
    }

    private static JsonArray Tensors(IEnumerable<TensorSpec> tensors) =>
        new([.. tensors.Select(t => (JsonNode?)new JsonObject
        {
            ["name"] = t.Name,
            ["type"] = t.Type,
            ["shape"] = new JsonArray([.. t.Shape.Select(d => (JsonNode?)JsonValue.Create(d))]),
        })]);
}
