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
}
