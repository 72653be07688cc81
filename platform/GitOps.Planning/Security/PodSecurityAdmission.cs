using System.Collections.Frozen;
using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;
using GitOps.Specs.Model;

namespace GitOps.Planning.Security;

/// <summary>One way a pod template breaks a Pod Security Standard, named by the Kubernetes admission check.</summary>
/// <param name="Check">The check id of Kubernetes' Pod Security admission, e.g. <c>runAsNonRoot</c>.</param>
/// <param name="Level">The lowest standard the check belongs to: <c>baseline</c> or <c>restricted</c>.</param>
/// <param name="Detail">What is wrong and where, in the admission's words.</param>
public sealed record PodSecurityViolation(string Check, string Level, string Detail);

/// <summary>
/// The checks of Kubernetes' Pod Security admission (the <c>baseline</c> and <c>restricted</c> standards, version
/// latest) over the pod templates of rendered objects, so that <c>plan</c> and <c>render</c> report a pod the namespace
/// would refuse before a cluster does. Pure. Objects without a pod template pass.
/// </summary>
public static class PodSecurityAdmission
{
    private static readonly FrozenSet<string> BaselineCapabilities = FrozenSet.Create(StringComparer.Ordinal,
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP",
        "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");

    private static readonly FrozenSet<string> SafeSysctls = FrozenSet.Create(StringComparer.Ordinal,
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes");

    private static readonly FrozenSet<string> SeLinuxTypes = FrozenSet.Create(StringComparer.Ordinal,
        "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t");

    private static readonly FrozenSet<string> RestrictedVolumeSources = FrozenSet.Create(StringComparer.Ordinal,
        "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret");

    private const string AppArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/";

    /// <summary>The violations of <paramref name="level"/> by the pod template of <paramref name="obj"/>, in check order.</summary>
    public static IReadOnlyList<PodSecurityViolation> Check(JsonObject obj, string level)
    {
        if (level == PodSecurityLevels.Privileged || PodTemplate(obj) is not { } template)
        {
            return [];
        }
        var pod = template["spec"] as JsonObject ?? [];
        var annotations = template["metadata"]?["annotations"] as JsonObject;
        var containers = Containers(pod);
        var violations = new List<PodSecurityViolation>();
        Baseline(pod, annotations, containers, violations);
        if (level == PodSecurityLevels.Restricted)
        {
            Restricted(pod, containers, violations);
        }
        return violations;
    }

    /// <summary>The pod template of a Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or CronJob.</summary>
    public static JsonObject? PodTemplate(JsonObject obj) => ObjectKeys.Text(obj["kind"]) switch
    {
        "Pod" => obj,
        "Deployment" or "ReplicaSet" or "StatefulSet" or "DaemonSet" or "Job" => obj["spec"]?["template"] as JsonObject,
        "CronJob" => obj["spec"]?["jobTemplate"]?["spec"]?["template"] as JsonObject,
        _ => null,
    };

    private static void Baseline(JsonObject pod, JsonObject? annotations, List<(string Name, JsonObject Spec)> containers,
        List<PodSecurityViolation> violations)
    {
        const string level = PodSecurityLevels.Baseline;
        var sc = pod["securityContext"] as JsonObject;

        var host = new[] { "hostNetwork", "hostPID", "hostIPC" }.Where(f => True(pod[f])).ToList();
        if (host.Count > 0)
        {
            violations.Add(new("hostNamespaces", level, $"host namespaces ({string.Join(", ", host.Select(h => h + "=true"))})"));
        }

        var privileged = containers.Where(c => True(c.Spec["securityContext"]?["privileged"])).Select(c => c.Name).ToList();
        if (privileged.Count > 0)
        {
            violations.Add(new("privileged", level, $"privileged (container{Names(privileged)} must not set securityContext.privileged=true)"));
        }

        var added = containers
            .SelectMany(c => Strings(c.Spec["securityContext"]?["capabilities"]?["add"])
                .Where(cap => !BaselineCapabilities.Contains(cap)).Select(cap => (c.Name, cap)))
            .ToList();
        if (added.Count > 0)
        {
            violations.Add(new("capabilities_baseline", level,
                $"non-default capabilities (container{Names(added.Select(a => a.Name).Distinct().ToList())} must not include {string.Join(", ", added.Select(a => a.cap).Distinct())} in securityContext.capabilities.add)"));
        }

        var hostPaths = Volumes(pod).Where(v => v.Source.ContainsKey("hostPath")).Select(v => v.Name).ToList();
        if (hostPaths.Count > 0)
        {
            violations.Add(new("hostPathVolumes", level, $"hostPath volumes (volume{Names(hostPaths)})"));
        }

        var hostPorts = containers
            .SelectMany(c => (c.Spec["ports"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(p => (c.Name, Port: Number(p["hostPort"]) ?? 0)))
            .Where(p => p.Port != 0)
            .ToList();
        if (hostPorts.Count > 0)
        {
            violations.Add(new("hostPorts", level,
                $"hostPort (container{Names(hostPorts.Select(p => p.Name).Distinct().ToList())} uses hostPort {string.Join(", ", hostPorts.Select(p => p.Port))})"));
        }

        var badAppArmor = (annotations ?? [])
            .Where(a => a.Key.StartsWith(AppArmorAnnotationPrefix, StringComparison.Ordinal))
            .Where(a => ObjectKeys.Text(a.Value) is not { } v || (v != "runtime/default" && !v.StartsWith("localhost/", StringComparison.Ordinal)))
            .Select(a => $"{a.Key}=\"{ObjectKeys.Text(a.Value)}\"")
            .Concat(SecurityContexts(sc, containers)
                .Where(s => ObjectKeys.Text(s.Context?["appArmorProfile"]?["type"]) is { } t && t != "RuntimeDefault" && t != "Localhost")
                .Select(s => $"{s.Where} appArmorProfile.type=\"{ObjectKeys.Text(s.Context!["appArmorProfile"]!["type"])}\""))
            .ToList();
        if (badAppArmor.Count > 0)
        {
            violations.Add(new("appArmorProfile", level, $"forbidden AppArmor profiles ({string.Join(", ", badAppArmor)})"));
        }

        var badSeLinux = SecurityContexts(sc, containers)
            .Where(s => s.Context?["seLinuxOptions"] is JsonObject o
                && (!SeLinuxTypes.Contains(ObjectKeys.Text(o["type"]) ?? "") || o["user"] is not null || o["role"] is not null))
            .Select(s => s.Where)
            .ToList();
        if (badSeLinux.Count > 0)
        {
            violations.Add(new("seLinuxOptions", level, $"seLinuxOptions ({string.Join(", ", badSeLinux)} set forbidden securityContext.seLinuxOptions: type, user or role)"));
        }

        var procMount = containers.Where(c => ObjectKeys.Text(c.Spec["securityContext"]?["procMount"]) is { } m && m != "Default").Select(c => c.Name).ToList();
        if (procMount.Count > 0)
        {
            violations.Add(new("procMount", level, $"procMount (container{Names(procMount)} must not set securityContext.procMount to a value other than Default)"));
        }

        var unconfined = SecurityContexts(sc, containers)
            .Where(s => ObjectKeys.Text(s.Context?["seccompProfile"]?["type"]) == "Unconfined")
            .Select(s => s.Where)
            .ToList();
        if (unconfined.Count > 0)
        {
            violations.Add(new("seccompProfile_baseline", level, $"seccompProfile ({string.Join(", ", unconfined)} must not set securityContext.seccompProfile.type to \"Unconfined\")"));
        }

        var sysctls = (sc?["sysctls"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(s => ObjectKeys.Text(s["name"]) ?? "").Where(n => !SafeSysctls.Contains(n)).ToList();
        if (sysctls.Count > 0)
        {
            violations.Add(new("sysctls", level, $"forbidden sysctls ({string.Join(", ", sysctls)})"));
        }

        var hostProcess = SecurityContexts(sc, containers)
            .Where(s => True(s.Context?["windowsOptions"]?["hostProcess"]))
            .Select(s => s.Where)
            .ToList();
        if (hostProcess.Count > 0)
        {
            violations.Add(new("windowsHostProcess", level, $"hostProcess ({string.Join(", ", hostProcess)} must not set securityContext.windowsOptions.hostProcess=true)"));
        }
    }

    private static void Restricted(JsonObject pod, List<(string Name, JsonObject Spec)> containers, List<PodSecurityViolation> violations)
    {
        const string level = PodSecurityLevels.Restricted;
        var sc = pod["securityContext"] as JsonObject;

        var volumes = Volumes(pod)
            .Select(v => (v.Name, Type: v.Source.Select(p => p.Key).FirstOrDefault(k => k != "name")))
            .Where(v => v.Type is null || !RestrictedVolumeSources.Contains(v.Type))
            .ToList();
        if (volumes.Count > 0)
        {
            violations.Add(new("restrictedVolumes", level,
                $"restricted volume types (volume{Names(volumes.Select(v => v.Name).ToList())} uses {string.Join(", ", volumes.Select(v => v.Type ?? "no source").Distinct())})"));
        }

        var escalating = containers.Where(c => !False(c.Spec["securityContext"]?["allowPrivilegeEscalation"])).Select(c => c.Name).ToList();
        if (escalating.Count > 0)
        {
            violations.Add(new("allowPrivilegeEscalation", level,
                $"allowPrivilegeEscalation != false (container{Names(escalating)} must set securityContext.allowPrivilegeEscalation=false)"));
        }

        // A container's own setting wins over the pod's; unset in both is refused.
        var podNonRoot = sc?["runAsNonRoot"];
        var rootAllowed = containers
            .Where(c => c.Spec["securityContext"]?["runAsNonRoot"] is { } own ? !True(own) : !True(podNonRoot))
            .Select(c => c.Name)
            .ToList();
        if (False(podNonRoot) || rootAllowed.Count > 0)
        {
            violations.Add(new("runAsNonRoot", level, False(podNonRoot)
                ? "runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)"
                : $"runAsNonRoot != true (pod or container{Names(rootAllowed)} must set securityContext.runAsNonRoot=true)"));
        }

        var root = SecurityContexts(sc, containers).Where(s => Number(s.Context?["runAsUser"]) == 0).Select(s => s.Where).ToList();
        if (root.Count > 0)
        {
            violations.Add(new("runAsUser", level, $"runAsUser=0 ({string.Join(", ", root)} must not set runAsUser=0)"));
        }

        var podSeccomp = ObjectKeys.Text(sc?["seccompProfile"]?["type"]);
        var badSeccomp = new List<string>();
        if (podSeccomp is not null && podSeccomp is not ("RuntimeDefault" or "Localhost"))
        {
            badSeccomp.Add($"pod must not set securityContext.seccompProfile.type to \"{podSeccomp}\"");
        }
        var unset = containers
            .Where(c => ObjectKeys.Text(c.Spec["securityContext"]?["seccompProfile"]?["type"]) is not { } own
                ? podSeccomp is null
                : own is not ("RuntimeDefault" or "Localhost"))
            .Select(c => c.Name)
            .ToList();
        if (unset.Count > 0)
        {
            badSeccomp.Add($"pod or container{Names(unset)} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
        }
        if (badSeccomp.Count > 0)
        {
            violations.Add(new("seccompProfile_restricted", level, $"seccompProfile ({string.Join("; ", badSeccomp)})"));
        }

        var notDropped = containers
            .Where(c => !Strings(c.Spec["securityContext"]?["capabilities"]?["drop"]).Contains("ALL"))
            .Select(c => c.Name)
            .ToList();
        var addedBeyond = containers
            .Where(c => Strings(c.Spec["securityContext"]?["capabilities"]?["add"]).Any(cap => cap != "NET_BIND_SERVICE"))
            .Select(c => c.Name)
            .ToList();
        if (notDropped.Count > 0 || addedBeyond.Count > 0)
        {
            var parts = new List<string>();
            if (notDropped.Count > 0)
            {
                parts.Add($"container{Names(notDropped)} must set securityContext.capabilities.drop=[\"ALL\"]");
            }
            if (addedBeyond.Count > 0)
            {
                parts.Add($"container{Names(addedBeyond)} must not include capabilities other than NET_BIND_SERVICE in securityContext.capabilities.add");
            }
            violations.Add(new("capabilities_restricted", level, $"unrestricted capabilities ({string.Join("; ", parts)})"));
        }
    }

    private static List<(string Name, JsonObject Spec)> Containers(JsonObject pod) =>
        [.. new[] { "initContainers", "containers", "ephemeralContainers" }
            .SelectMany(f => (pod[f] as JsonArray ?? []).OfType<JsonObject>())
            .Select(c => (ObjectKeys.Text(c["name"]) ?? "", c))];

    private static IEnumerable<(string Name, JsonObject Source)> Volumes(JsonObject pod) =>
        (pod["volumes"] as JsonArray ?? []).OfType<JsonObject>().Select(v => (ObjectKeys.Text(v["name"]) ?? "", v));

    private static IEnumerable<(string Where, JsonObject? Context)> SecurityContexts(JsonObject? pod, List<(string Name, JsonObject Spec)> containers) =>
        new[] { ("pod", pod) }.Concat(containers.Select(c => ($"container \"{c.Name}\"", c.Spec["securityContext"] as JsonObject)));

    private static string Names(IReadOnlyList<string> names) =>
        (names.Count == 1 ? " " : "s ") + string.Join(", ", names.Select(n => $"\"{n}\""));

    private static IEnumerable<string> Strings(JsonNode? node) =>
        (node as JsonArray ?? []).Select(ObjectKeys.Text).OfType<string>();

    private static bool True(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static bool False(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && !b;

    private static long? Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var n) ? n
        : node is JsonValue w && w.TryGetValue<int>(out var i) ? i : null;
}
