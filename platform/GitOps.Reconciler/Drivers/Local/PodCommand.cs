using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>A container of a rendered pod, as a process on this machine.</summary>
public sealed record ProcessCommand(
    string FileName,
    ImmutableArray<string> Arguments,
    ImmutableSortedDictionary<string, string> Environment,
    string WorkingDirectory);

/// <summary>
/// Runs a rendered pod's containers as processes: the <c>gitops</c> executable named in the container becomes the
/// running <c>gitops</c>, each volume a folder of the pod's own working folder (a ConfigMap volume holds the
/// ConfigMap's files), every mount path in arguments and environment that folder, the default artifact store
/// the state folder's <c>artifacts/</c>, and a server listens on 127.0.0.1 at the port it is given. Containers that
/// run anything else (custom trainer images) cannot run here; validation refuses them for local environments.
/// </summary>
public sealed class PodCommand(GitOpsExecutable executable, StateFolder state)
{
    /// <summary>
    /// Creates the pod's folder and its volumes; <paramref name="configMap"/> finds a ConfigMap by name, and a Secret
    /// volume's files are copied from <paramref name="secretsFolder"/> (<c>&lt;name&gt;/&lt;key&gt;</c>), readable by this
    /// user only. A missing Secret key throws <see cref="FileNotFoundException"/> saying which file to write, as a
    /// kubelet leaves a pod whose Secret is missing unstarted.
    /// </summary>
    public static void PrepareVolumes(JsonObject podSpec, string podFolder, Func<string, JsonObject?> configMap, string secretsFolder)
    {
        foreach (var volume in (podSpec["volumes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (volume["name"]?.GetValue<string>() is not { } name)
            {
                continue;
            }
            var folder = VolumeFolder(podFolder, name);
            Directory.CreateDirectory(folder);
            if (volume["configMap"]?["name"]?.GetValue<string>() is { } source && configMap(source)?["data"] is JsonObject data)
            {
                foreach (var (file, content) in data)
                {
                    StateFolder.WriteAtomically(Path.Combine(folder, file), content?.GetValue<string>() ?? "");
                }
            }
            if (volume["secret"] is JsonObject secret)
            {
                CopySecret(secret, folder, secretsFolder);
            }
        }
    }

    private static void CopySecret(JsonObject volume, string folder, string secretsFolder)
    {
        var name = volume["secretName"]?.GetValue<string>() ?? "";
        var source = Path.Combine(secretsFolder, name);
        var items = (volume["items"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(i => (Key: i["key"]?.GetValue<string>() ?? "", Path: i["path"]?.GetValue<string>() ?? ""))
            .ToList();
        if (items.Count == 0)
        {
            items = Directory.Exists(source) ? [.. Directory.GetFiles(source).Select(f => (Path.GetFileName(f), Path.GetFileName(f)))] : [];
        }
        foreach (var (key, path) in items)
        {
            var from = Path.Combine(source, key);
            if (!File.Exists(from))
            {
                throw new FileNotFoundException(
                    $"Secret '{name}' has no key '{key}' on this machine: write its value to {from} (readable only by you; docs/local.md)", from);
            }
            var to = Path.Combine(folder, path);
            var temp = to + ".tmp";
            File.Delete(temp);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using (var output = new FileStream(temp, options))
            {
                output.Write(File.ReadAllBytes(from));
            }
            File.Move(temp, to, overwrite: true);
        }
    }

    /// <summary>The process for <paramref name="container"/>, or an error saying why it cannot run on this machine.</summary>
    public (ProcessCommand? Command, string? Error) For(JsonObject container, string podFolder, int? port)
    {
        var name = container["name"]?.GetValue<string>() ?? "container";
        var command = Strings(container["command"]);
        var args = Strings(container["args"]);
        if (command.Count == 0 || command[0] != ContainerPaths.GitOpsExecutable)
        {
            var image = container["image"]?.GetValue<string>() ?? "?";
            return (null, $"container '{name}' runs '{(command.Count == 0 ? image + "'s entrypoint" : command[0])}' from image {image}; "
                          + "a local environment runs only the gitops executable (the builtin trainer and the inference server)");
        }
        var mounts = (container["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(m => (Path: m["mountPath"]?.GetValue<string>() ?? "", Folder: VolumeFolder(podFolder, m["name"]?.GetValue<string>() ?? "")))
            .Where(m => m.Path.Length > 0)
            .OrderByDescending(m => m.Path.Length)
            .ToList();
        string Map(string value)
        {
            if (value.StartsWith(ContainerPaths.DefaultArtifactStore, StringComparison.Ordinal))
            {
                return state.LocalArtifactUri(value);
            }
            foreach (var (mountPath, folder) in mounts)
            {
                if (value == mountPath || value.StartsWith(mountPath + "/", StringComparison.Ordinal))
                {
                    return folder + value[mountPath.Length..];
                }
            }
            return value;
        }

        var arguments = new List<string>(executable.LeadingArguments);
        var rest = command.Skip(1).Concat(args).Select(Map).ToList();
        for (var i = 0; i < rest.Count - 1; i++)
        {
            // A pod listens on every interface at its container port; a local process on loopback at its own port.
            if (rest[i] == "--host")
            {
                rest[i + 1] = "127.0.0.1";
            }
            else if (rest[i] == "--port" && port is { } p)
            {
                rest[i + 1] = p.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (rest[i] == "--grpc-port")
            {
                // The local router carries REST only; a free port keeps the servers of one machine apart.
                rest[i + 1] = "0";
            }
        }
        arguments.AddRange(rest);
        var environment = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var variable in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (variable["name"]?.GetValue<string>() is { } key && variable["value"]?.GetValue<string>() is { } value)
            {
                environment[key] = Map(value);
            }
        }
        return (new ProcessCommand(executable.FileName, [.. arguments], environment.ToImmutable(), podFolder), null);
    }

    public static string VolumeFolder(string podFolder, string volume) => Path.Combine(podFolder, "volumes", volume);

    private static List<string> Strings(JsonNode? node) =>
        (node as JsonArray ?? []).Select(n => n?.GetValue<string>() ?? "").ToList();
}
