using GitOps.Specs.Model;
using k8s.Models;

namespace GitOps.Planning.Rendering;

/// <summary>
/// Mounts the environment's serving token (<c>spec.serving.auth.secretRef</c>) into the server as a file and tells the
/// server to require it. Only the Secret's name and key are rendered: the token itself never appears in an object, a
/// plan or an environment variable.
/// </summary>
internal static class ServingToken
{
    public const string VolumeName = "serving-token";
    public const string MountPath = "/var/run/secrets/gitops/serving";
    public const string FileName = "token";
    public const string ServerOption = "--token-file";

    public static V1PodSpec Mount(V1PodSpec pod, ServingAuth? auth)
    {
        if (auth is null)
        {
            return pod;
        }
        pod.Volumes = [.. pod.Volumes ?? [], new V1Volume
        {
            Name = VolumeName,
            Secret = new V1SecretVolumeSource
            {
                SecretName = auth.SecretRef.Name,
                Items = [new V1KeyToPath { Key = auth.SecretRef.Key, Path = FileName }],
            },
        }];
        var server = pod.Containers[0];
        server.Args = [.. server.Args ?? [], ServerOption, $"{MountPath}/{FileName}"];
        server.VolumeMounts = [.. server.VolumeMounts ?? [], new V1VolumeMount { Name = VolumeName, MountPath = MountPath, ReadOnlyProperty = true }];
        return pod;
    }
}
