using GitOps.Specs.Contracts;

namespace GitOps.Registry;

/// <summary>
/// Where things live in an artifact store (<c>docs/registry.md</c>). Model and environment names are DNS labels
/// and versions are hex, so the <c>_models</c> index can never collide with a model's folder.
/// </summary>
public static class RegistryLayout
{
    public const string Folder = "registry";

    /// <summary>A trained version's files: <c>MODEL/VERSION/model.onnx</c>, <c>metrics.json</c>, <c>lineage.json</c>.</summary>
    public static string ArtifactFolder(string model, string version) => $"{model}/{version}";

    public static string ArtifactFile(string model, string version, string file) => $"{model}/{version}/{file}";

    public static string ModelFile(string model, string version) => ArtifactFile(model, version, TrainingContract.ModelFile);

    /// <summary>The record of one version: <c>registry/MODEL/VERSION.json</c>.</summary>
    public static string Record(string model, string version) => $"{Folder}/{model}/{version}.json";

    /// <summary>The log of recorded versions of a model, in recording order.</summary>
    public static string VersionIndex(string model) => $"{Folder}/{model}/versions";

    /// <summary>The log of models with at least one record.</summary>
    public static string ModelIndex => $"{Folder}/_models";

    /// <summary>The deploy history of a model in one environment.</summary>
    public static string Events(string model, string environment) => $"{Folder}/{model}/events/{environment}";

    /// <summary>An experiment's folder: <c>registry/_experiments/EXPERIMENT</c>. Names are DNS labels, so neither
    /// <c>_experiments</c> nor its <c>_index</c> can collide with a model or an experiment.</summary>
    public static string ExperimentFolder(string experiment) => $"{Folder}/_experiments/{experiment}";

    /// <summary>The record of one trial of one run: <c>registry/_experiments/EXPERIMENT/RUN/TRIAL.json</c>.</summary>
    public static string TrialRecord(string experiment, string run, string trial) => $"{ExperimentFolder(experiment)}/{run}/{trial}.json";

    /// <summary>The record of a finished run, linking every trial: <c>registry/_experiments/EXPERIMENT/RUN/experiment.json</c>.</summary>
    public static string ExperimentRecord(string experiment, string run) => $"{ExperimentFolder(experiment)}/{run}/experiment.json";

    /// <summary>The log of an experiment's finished runs, in recording order.</summary>
    public static string ExperimentRuns(string experiment) => $"{ExperimentFolder(experiment)}/runs";

    /// <summary>The log of experiments with at least one finished run.</summary>
    public static string ExperimentIndex => $"{Folder}/_experiments/_index";

    /// <summary>The intermediate metrics a trial's trainer reported: <c>MODEL/VERSION/progress</c>.</summary>
    public static string Progress(string model, string version) => ArtifactFile(model, version, TrainingContract.ProgressFolder);
}
