using System.Text.Json.Nodes;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;

namespace GitOps.Planning.Rendering;

/// <summary>
/// Mounts the artifact store's bearer token (<c>spec.artifacts.tokenSecretRef</c>) as a file into the containers that
/// talk to the store (the trainer, the serving pods' model fetch) and names that file in
/// <see cref="TrainingContract.ArtifactsTokenFile"/>: the variable holds a path, never the token. An s3:// store's
/// settings (<c>spec.artifacts.s3</c>) are given to the same containers by <see cref="S3Variables"/>.
/// </summary>
internal static class ArtifactToken
{
    public const string VolumeName = "artifacts-token";
    public const string MountPath = "/var/run/secrets/gitops/artifacts";
    public const string FileName = "token";

    public static JsonObject Mount(JsonObject pod, ArtifactStore? store, IEnumerable<JsonObject> containers)
    {
        var targets = containers.ToList();
        S3Variables.Add(store, targets);
        if (store?.TokenSecretRef is not { } secret)
        {
            return pod;
        }
        var file = SecretFiles.Mount(pod, VolumeName, MountPath, FileName, secret, targets);
        foreach (var container in targets)
        {
            PodSpecJson.AddEnv(container, [PodSpecJson.EnvVar(TrainingContract.ArtifactsTokenFile, file)]);
        }
        return pod;
    }
}
