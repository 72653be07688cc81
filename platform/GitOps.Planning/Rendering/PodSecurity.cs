using System.Text.Json.Nodes;

namespace GitOps.Planning.Rendering;

/// <summary>
/// Decorates the pod specs the renderer builds so they pass the restricted Pod Security Standard: a numeric non-root
/// user (the one the images in <c>platform/deploy/</c> run as), no privilege escalation, no capabilities, the
/// runtime's seccomp profile, a read-only root filesystem with an <c>emptyDir</c> at <c>/tmp</c>, and no service
/// account token (these pods never call the API server). A custom trainer that must run as root keeps a writable
/// root filesystem and the runtime's default capabilities, which the baseline standard allows.
/// </summary>
internal static class PodSecurity
{
    /// <summary>User and group of every rendered container; the server and trainer images are built with it.</summary>
    public const long NonRootUser = 65532;
    public const string TmpVolume = "tmp";
    public const string TmpPath = "/tmp";

    public static JsonObject Harden(JsonObject pod, bool runAsRoot = false)
    {
        var seccomp = new JsonObject { ["type"] = "RuntimeDefault" };
        pod["automountServiceAccountToken"] = false;
        pod["securityContext"] = runAsRoot
            ? new JsonObject { ["runAsNonRoot"] = false, ["runAsUser"] = 0L, ["runAsGroup"] = 0L, ["seccompProfile"] = seccomp }
            : new JsonObject
            {
                ["runAsNonRoot"] = true,
                ["runAsUser"] = NonRootUser,
                ["runAsGroup"] = NonRootUser,
                ["fsGroup"] = NonRootUser,
                ["seccompProfile"] = seccomp,
            };
        PodSpecJson.Append(pod, "volumes", new JsonObject { ["name"] = TmpVolume, ["emptyDir"] = new JsonObject() });
        foreach (var container in PodSpecJson.Containers(pod))
        {
            container["securityContext"] = new JsonObject
            {
                ["allowPrivilegeEscalation"] = false,
                ["capabilities"] = runAsRoot ? null : new JsonObject { ["drop"] = new JsonArray("ALL") },
                ["readOnlyRootFilesystem"] = !runAsRoot,
            };
            PodSpecJson.Append(container, "volumeMounts", new JsonObject { ["name"] = TmpVolume, ["mountPath"] = TmpPath });
        }
        return pod;
    }
}
