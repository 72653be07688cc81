using System.Text.Json.Nodes;
using GitOps.Specs.Model;

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
    public static string Mount(JsonObject pod, string volume, string mountPath, string fileName, SecretKeyRef secret, IEnumerable<JsonObject> containers)
    {
        PodSpecJson.Append(pod, "volumes", new JsonObject
        {
            ["name"] = volume,
            ["secret"] = new JsonObject
            {
                ["secretName"] = secret.Name,
                ["items"] = new JsonArray(new JsonObject { ["key"] = secret.Key, ["path"] = fileName }),
                ["defaultMode"] = FileMode,
            },
        });
        foreach (var container in containers)
        {
            PodSpecJson.Append(container, "volumeMounts", new JsonObject { ["name"] = volume, ["mountPath"] = mountPath, ["readOnly"] = true });
        }
        return $"{mountPath}/{fileName}";
    }
}
