namespace GitOps.Cli.Tests.Support;

/// <summary>A file store folder whose registry logs are written by hand, as damage leaves them; deleted at the end.</summary>
public sealed class DamagedStore : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("gitops-damaged-store-").FullName;

    /// <summary>Writes <paramref name="json"/> as the first entry of the log in <paramref name="folder"/>; returns its path.</summary>
    public string Entry(string folder, string json)
    {
        var file = Path.Combine(Root, folder, "00000001.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, json);
        return file;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
