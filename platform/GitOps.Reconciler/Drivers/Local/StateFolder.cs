using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>
/// The folder where the Local driver keeps everything it knows (<c>.gitops/</c> by default): desired and observed
/// objects, environment status, the processes it started, training outputs and logs, the artifact store, the
/// Prometheus configuration and data. A restarted <c>gitops up</c> reads it back and adopts what still runs.
/// </summary>
public sealed record StateFolder(string Root)
{
    public const string DefaultName = ".gitops";

    public string ObjectsFile => Path.Combine(Root, "objects.json");
    public string StatusFolder => Path.Combine(Root, "status");
    public string ProcessesFile => Path.Combine(Root, "processes.json");
    public string LockFile => Path.Combine(Root, "up.lock");
    public string OwnerFile => Path.Combine(Root, "up.json");
    public string ArtifactsFolder => Path.Combine(Root, "artifacts");
    public string DatasetsFolder => Path.Combine(Root, "datasets");
    public string PodsFolder => Path.Combine(Root, "pods");
    public string LogsFolder => Path.Combine(Root, "logs");
    public string PrometheusFolder => Path.Combine(Root, "prometheus");

    /// <summary>Where the values of Secrets live on this machine: <c>secrets/&lt;name&gt;/&lt;key&gt;</c>, the layout of a
    /// mounted Secret volume. Secrets are never in Git, so they are written here by hand (docs/local.md).</summary>
    public string SecretsFolder => Path.Combine(Root, "secrets");

    /// <summary>An artifact URI as this machine sees it: the default store of rendered pods lives in <see cref="ArtifactsFolder"/>.</summary>
    public string LocalArtifactUri(string uri) => uri.StartsWith(ContainerPaths.DefaultArtifactStore, StringComparison.Ordinal)
        ? "file://" + ArtifactsFolder + uri[ContainerPaths.DefaultArtifactStore.Length..]
        : uri;

    public static StateFolder For(string path) => new(Path.GetFullPath(path));

    /// <summary>Creates the folder, or says in plain words why it cannot be used.</summary>
    public void Create()
    {
        try
        {
            Directory.CreateDirectory(Root);
            var probe = Path.Combine(Root, ".write-probe");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"the state folder {Root} is not writable ({e.Message}); pass another folder with --state DIR", e);
        }
    }

    /// <summary>Writes a whole file or nothing: readers (another <c>gitops</c> process) never see half a file.</summary>
    public static void WriteAtomically(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    public static void WriteJson(string path, JsonNode node) =>
        WriteAtomically(path, node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The JSON in a file, or null when it does not exist or is not a complete JSON object.</summary>
    public static JsonObject? ReadJson(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
