using System.Text.Json.Nodes;
using GitOps.Specs.Model;

namespace GitOps.Planning.Rendering;

/// <summary>
/// Mounts the environment's serving token (<c>spec.serving.auth.secretRef</c>) into the server container as a file and
/// tells the server to require it; the model fetch (init container) does not see it.
/// </summary>
internal static class ServingToken
{
    public const string VolumeName = "serving-token";
    public const string MountPath = "/var/run/secrets/gitops/serving";
    public const string FileName = "token";
    public const string ServerOption = "--token-file";

    public static JsonObject Mount(JsonObject pod, ServingAuth? auth)
    {
        if (auth is null)
        {
            return pod;
        }
        var server = (JsonObject)pod["containers"]![0]!;
        var file = SecretFiles.Mount(pod, VolumeName, MountPath, FileName, auth.SecretRef, [server]);
        PodSpecJson.Append(server, "args", ServerOption);
        PodSpecJson.Append(server, "args", file);
        return pod;
    }
}
