using k8s.Models;

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

    public static V1PodSpec Harden(V1PodSpec pod, bool runAsRoot = false)
    {
        var seccomp = new V1SeccompProfile { Type = "RuntimeDefault" };
        pod.AutomountServiceAccountToken = false;
        pod.SecurityContext = runAsRoot
            ? new V1PodSecurityContext { RunAsNonRoot = false, RunAsUser = 0, RunAsGroup = 0, SeccompProfile = seccomp }
            : new V1PodSecurityContext
            {
                RunAsNonRoot = true,
                RunAsUser = NonRootUser,
                RunAsGroup = NonRootUser,
                FsGroup = NonRootUser,
                SeccompProfile = seccomp,
            };
        pod.Volumes = [.. pod.Volumes ?? [], new V1Volume { Name = TmpVolume, EmptyDir = new V1EmptyDirVolumeSource() }];
        foreach (var container in (pod.InitContainers ?? []).Concat(pod.Containers))
        {
            container.SecurityContext = new V1SecurityContext
            {
                AllowPrivilegeEscalation = false,
                Capabilities = runAsRoot ? null : new V1Capabilities { Drop = ["ALL"] },
                ReadOnlyRootFilesystem = !runAsRoot,
            };
            container.VolumeMounts = [.. container.VolumeMounts ?? [], new V1VolumeMount { Name = TmpVolume, MountPath = TmpPath }];
        }
        return pod;
    }
}
