using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;

namespace GitOps.Training.Artifacts;

/// <summary>The result of fetching or publishing artifacts: what was written, or what went wrong and the exit code.</summary>
public sealed record ArtifactOutcome
{
    public bool Succeeded { get; private init; }
    public ExitCode ExitCode { get; private init; }
    public string? Error { get; private init; }
    /// <summary>sha256 of the fetched file (hex), or of nothing for a push.</summary>
    public string? Sha256 { get; private init; }
    /// <summary>Files fetched or published (URIs or paths of the destination).</summary>
    public IReadOnlyList<string> Written { get; private init; } = [];

    public static ArtifactOutcome Fetched(string destination, string sha256) =>
        new() { Succeeded = true, Sha256 = sha256, Written = [destination] };

    public static ArtifactOutcome Pushed(IReadOnlyList<string> written) => new() { Succeeded = true, Written = written };

    /// <summary>The artifact is missing (exit code 1: it may appear once the version is trained).</summary>
    public static ArtifactOutcome Failure(string error) => new() { ExitCode = ExitCode.Findings, Error = error };

    /// <summary>A usage or I/O problem: bad URI, unreachable store, unwritable destination, or a digest mismatch,
    /// which no retry can fix (exit code 2, as the trainer's invalid input).</summary>
    public static ArtifactOutcome Problem(string error) => new() { ExitCode = ExitCode.Usage, Error = error };
}

/// <summary>
/// Fetches and publishes model artifacts and datasets (the client side of an environment's artifact store). Local paths and <c>file://</c> URIs are copied (through a
/// temporary file renamed into place, so a reader never sees half a file); http(s) URIs are read with GET and
/// written with one PUT per file, which WebDAV servers, S3-compatible gateways and generic artifact repositories
/// accept; <c>s3://</c> URIs go through the S3 API (<see cref="S3Options"/> from <paramref name="variables"/>, the
/// process environment when null). An optional bearer token is sent to http(s) stores and never printed.
/// </summary>
public sealed class ArtifactTransfer(HttpClient http, string? bearerToken = null, Func<string, string?>? variables = null)
{
    private const int BufferSize = 1 << 16;

    /// <summary>The store rooted at <paramref name="uri"/> with this transfer's credentials, or why it cannot be opened.</summary>
    public (IArtifactStore? Store, string? Error) Open(string uri) => ArtifactStores.Open(uri, http, bearerToken, variables);

    /// <summary>Downloads <paramref name="uri"/> to <paramref name="outFile"/>, checking <paramref name="expectedSha256"/> when given.</summary>
    public async Task<ArtifactOutcome> FetchAsync(string uri, string outFile, string? expectedSha256, CancellationToken ct)
    {
        var location = ArtifactLocation.Parse(uri);
        if (location.UnsupportedScheme is { } scheme)
        {
            return ArtifactOutcome.Problem(ArtifactLocation.UnsupportedMessage(uri, scheme));
        }
        var full = Path.GetFullPath(outFile);
        var directory = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            Directory.CreateDirectory(directory);
            string sha;
            if (location.IsLocal)
            {
                if (!File.Exists(location.LocalPath))
                {
                    return ArtifactOutcome.Failure(NotFound(uri));
                }
                await using var source = new FileStream(location.LocalPath!, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
                sha = await CopyHashingAsync(source, temp, ct);
            }
            else if (location.S3 is { } s3)
            {
                var (folder, name) = s3.Split();
                var (store, error) = ArtifactStores.Open(folder.ToString(), http, bearerToken, variables);
                if (store is null)
                {
                    return ArtifactOutcome.Problem(error!);
                }
                using var owned = store as IDisposable;
                await using var source = await store.OpenReadAsync(name, ct);
                if (source is null)
                {
                    return ArtifactOutcome.Failure(NotFound(uri));
                }
                sha = await CopyHashingAsync(source, temp, ct);
            }
            else
            {
                using var request = Request(HttpMethod.Get, location.Url!);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                if (!response.IsSuccessStatusCode)
                {
                    return HttpFailure(uri, response.StatusCode, "fetch");
                }
                await using var source = await response.Content.ReadAsStreamAsync(ct);
                sha = await CopyHashingAsync(source, temp, ct);
            }
            if (expectedSha256 is { Length: > 0 } expected && !string.Equals(expected.Trim(), sha, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(temp);
                return ArtifactOutcome.Problem(
                    $"'{uri}' has sha256 {sha}, but {expected.Trim().ToLowerInvariant()} was expected; the artifact changed or the digest in the spec is stale");
            }
            if (!TryMoveNew(temp, full) && Sha256Of(full) != sha)
            {
                return ArtifactOutcome.Failure(
                    $"'{outFile}' already exists with other content; artifacts are never overwritten: remove it or fetch to another path");
            }
            return ArtifactOutcome.Fetched(full, sha);
        }
        catch (HttpRequestException e)
        {
            return ArtifactOutcome.Problem($"cannot reach '{uri}': {e.Message}");
        }
        catch (ArtifactStoreException e)
        {
            return ArtifactOutcome.Problem(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ArtifactOutcome.Problem($"cannot fetch '{uri}' to '{outFile}': {e.Message}");
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Publishes every file under <paramref name="fromDirectory"/> to the folder <paramref name="uri"/>;
    /// the model file goes last so that its presence means the version is complete.</summary>
    public async Task<ArtifactOutcome> PushAsync(string fromDirectory, string uri, CancellationToken ct)
    {
        var location = ArtifactLocation.Parse(uri);
        if (location.UnsupportedScheme is { } scheme)
        {
            return ArtifactOutcome.Problem(ArtifactLocation.UnsupportedMessage(uri, scheme));
        }
        if (!Directory.Exists(fromDirectory))
        {
            return ArtifactOutcome.Problem($"'{fromDirectory}': the directory does not exist");
        }
        var files = Directory.EnumerateFiles(fromDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(fromDirectory, f).Replace('\\', '/'))
            .OrderBy(f => f == TrainingContract.ModelFile ? 1 : 0)
            .ThenBy(f => f, StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            return ArtifactOutcome.Problem($"'{fromDirectory}' is empty; nothing to publish");
        }
        var (store, error) = ArtifactStores.Open(uri, http, bearerToken, variables);
        if (store is null)
        {
            return ArtifactOutcome.Problem(error!);
        }
        using var owned = store as IDisposable;
        var written = new List<string>();
        // model.onnx is written last: until it is there, the version is incomplete (a failed attempt's leftovers) and a
        // retry replaces those files; once it is there, the version is write-once.
        bool? incomplete = null;
        foreach (var relative in files)
        {
            var source = Path.Combine(fromDirectory, relative);
            var target = store.Describe(relative);
            try
            {
                CreateResult result;
                await using (var content = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true))
                {
                    result = await store.CreateAsync(relative, content,
                        relative.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream", ct);
                }
                if (result == CreateResult.AlreadyExists && await SameContentAsync(store, relative, source, ct) is { } existing)
                {
                    incomplete ??= !await store.ExistsAsync(TrainingContract.ModelFile, ct);
                    if (incomplete != true || relative == TrainingContract.ModelFile)
                    {
                        // Published artifacts are write-once: re-publishing the same bytes (a retried Job) is fine,
                        // different bytes under a version that is complete are refused.
                        return ArtifactOutcome.Failure(
                            $"'{target}' already exists with sha256 {existing}, which differs from '{source}': artifacts are write-once, " +
                            "a version's files are never replaced; train under a new version (change the model's inputs)");
                    }
                    await using var replacement = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
                    await store.ReplaceAsync(relative, replacement,
                        relative.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream", ct);
                }
            }
            catch (ArtifactStoreException e)
            {
                return ArtifactOutcome.Problem(e.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return ArtifactOutcome.Problem($"cannot publish '{source}' to '{target}': {e.Message}");
            }
            written.Add(target);
        }
        return ArtifactOutcome.Pushed(written);
    }

    /// <summary>Null when the stored <paramref name="key"/> has the same bytes as <paramref name="localFile"/>, otherwise the stored sha256.</summary>
    private static async Task<string?> SameContentAsync(IArtifactStore store, string key, string localFile, CancellationToken ct)
    {
        var storedSha = (await store.DigestAsync(key, ct))?.Sha256 ?? "(unreadable)";
        return storedSha == Sha256Of(localFile) ? null : storedSha;
    }

    private static string Sha256Of(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Moves <paramref name="temp"/> to <paramref name="destination"/> unless something is already there.</summary>
    private static bool TryMoveNew(string temp, string destination)
    {
        try
        {
            File.Move(temp, destination, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(destination))
        {
            return false;
        }
    }

    private HttpRequestMessage Request(HttpMethod method, Uri url)
    {
        var request = new HttpRequestMessage(method, url);
        if (bearerToken is { Length: > 0 })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }
        return request;
    }

    private static string NotFound(string uri) => $"no artifact at '{uri}': was the version trained?";

    private ArtifactOutcome HttpFailure(string uri, HttpStatusCode status, string verb) => status switch
    {
        HttpStatusCode.NotFound when verb == "fetch" => ArtifactOutcome.Failure(NotFound(uri)),
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ArtifactOutcome.Problem(
            $"cannot {verb} '{uri}': HTTP {(int)status} {status}; " +
            (bearerToken is { Length: > 0 } ? $"the token in {TrainingContract.ArtifactsToken} was refused" : $"set {TrainingContract.ArtifactsToken} to a bearer token the store accepts")),
        _ => ArtifactOutcome.Problem($"cannot {verb} '{uri}': HTTP {(int)status} {status}"),
    };

    private static async Task<string> CopyHashingAsync(Stream source, string destination, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
        var buffer = new byte[BufferSize];
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await output.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        await output.FlushAsync(ct);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
