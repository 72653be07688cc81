using GitOps.Cli.Output;
using GitOps.Registry.Stores;
using GitOps.Specs;
using GitOps.Training.Artifacts;

namespace GitOps.Cli.Scoring;

/// <summary>
/// The input and output files of <c>gitops score</c>. A remote input (<c>http(s)://</c>, <c>s3://</c>) is fetched to
/// a temporary file first. The output is written to a temporary file and only a run that succeeded moves it into
/// place (a local file is replaced by a rename; a remote one is created in its store, which never overwrites), so a
/// stopped run leaves nothing that looks complete.
/// </summary>
public sealed class ScoreFiles(ArtifactTransfer transfer) : IDisposable
{
    private readonly List<string> _temporary = [];

    /// <summary>A local path to read <paramref name="input"/> from.</summary>
    public async Task<string> LocalInputAsync(string input, CancellationToken ct)
    {
        var location = Location(input, "--input");
        if (location.IsLocal)
        {
            return File.Exists(location.LocalPath)
                ? location.LocalPath!
                : throw new UserError($"--input '{input}' does not exist.");
        }
        var temporary = Temporary(input);
        var fetched = await transfer.FetchAsync(input, temporary, null, ct);
        return fetched.Succeeded ? temporary : throw new UserError($"--input: {fetched.Error}");
    }

    /// <summary>The temporary file the scores of <paramref name="output"/> are written to.</summary>
    public string StagingFor(string output)
    {
        var location = Location(output, "--out");
        if (!location.IsLocal)
        {
            return Temporary(output);
        }
        var full = Path.GetFullPath(location.LocalPath!);
        var directory = Path.GetDirectoryName(full)!;
        if (Directory.Exists(full))
        {
            throw new UserError($"--out '{output}' is a folder; name a file in it, e.g. {Path.Combine(output, "scores" + Path.GetExtension(full))}.");
        }
        if (!Directory.Exists(directory))
        {
            throw new UserError($"--out '{output}': the folder {directory} does not exist.");
        }
        var staging = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        _temporary.Add(staging);
        return staging;
    }

    /// <summary>Moves <paramref name="staging"/> to <paramref name="output"/>.</summary>
    public async Task CommitAsync(string staging, string output, CancellationToken ct)
    {
        var location = ArtifactLocation.Parse(output);
        if (location.IsLocal)
        {
            try
            {
                File.Move(staging, Path.GetFullPath(location.LocalPath!), overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UserError($"--out '{output}' cannot be written: {e.Message.TrimEnd('.')}. The scores were not written; pick another --out.");
            }
            return;
        }
        var (folder, name) = ArtifactFileUri.Split(output);
        var (store, error) = transfer.Open(folder);
        if (store is null)
        {
            throw new UserError($"--out: {error}");
        }
        using var owned = store as IDisposable;
        await using var content = File.OpenRead(staging);
        var contentType = BatchFiles.FormatOf(output) == BatchFiles.Parquet ? "application/vnd.apache.parquet" : "text/csv";
        if (await store.CreateAsync(name, content, contentType, ct) == CreateResult.AlreadyExists)
        {
            throw new UserError($"--out '{output}' already exists, and an artifact store is never overwritten; " +
                                "name a new file per run, e.g. with {date} in spec.batch.output.");
        }
    }

    private static ArtifactLocation Location(string uri, string option)
    {
        var location = ArtifactLocation.Parse(uri);
        return location.UnsupportedScheme is { } scheme
            ? throw new UserError($"{option}: {ArtifactLocation.UnsupportedMessage(uri, scheme)}")
            : location;
    }

    private string Temporary(string uri)
    {
        var extension = BatchFiles.FormatOf(uri) is { } format ? "." + format : "";
        var path = Path.Combine(Path.GetTempPath(), $"gitops-score-{Guid.NewGuid():N}{extension}");
        _temporary.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var path in _temporary)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // A temporary file left behind is harmless; the run's outcome stands.
            }
        }
    }
}
