using GitOps.Specs.Model;
using k8s.Models;

namespace GitOps.Planning.Rendering;

/// <summary>
/// Mounts one key of a Secret as a read-only file into some containers of a pod. Only the Secret's name and key are
/// rendered, so a token never appears in an object, a plan, the status or an environment variable; the kubelet (or
/// the Local driver) writes the value into the pod.
/// </summary>
internal static class SecretFiles
{
    /// <summary>Readable by the file's owner and the pod's group (<c>fsGroup</c>), by nobody else.</summary>
    public const int FileMode = 0b100_100_000;

    /// <summary>Adds the volume and the mounts; returns the file's path inside the containers.</summary>
    public static string Mount(V1PodSpec pod, string volume, string mountPath, string fileName, SecretKeyRef secret, IEnumerable<V1Container> containers)
    {
        pod.Volumes = [.. pod.Volumes ?? [], new V1Volume
        {
            Name = volume,
            Secret = new V1SecretVolumeSource
            {
                SecretName = secret.Name,
                Items = [new V1KeyToPath { Key = secret.Key, Path = fileName }],
                DefaultMode = FileMode,
            },
        }];
        foreach (var container in containers)
        {
            container.VolumeMounts = [.. container.VolumeMounts ?? [], new V1VolumeMount { Name = volume, MountPath = mountPath, ReadOnlyProperty = true }];
        }
        return $"{mountPath}/{fileName}";
    }
}
