using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using GitOps.Registry;
using GitOps.Registry.Publishing;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;

namespace GitOps.Training.Artifacts;

/// <summary>The result of fetching or publishing artifacts: what was written, or what went wrong and the exit code.</summary>
public sealed record ArtifactOutcome
{
    public bool Succeeded { get; private init; }
    public ExitCode ExitCode { get; private init; }
    public string? Error { get; private init; }
    /// <summary>sha256 of the fetched file, or of the published version's model (hex).</summary>
    public string? Sha256 { get; private init; }
    /// <summary>Files fetched or published (URIs or paths of the destination).</summary>
    public IReadOnlyList<string> Written { get; private init; } = [];
    /// <summary>For a publish: whether this call committed the version or found it committed.</summary>
    public PublishKind Publish { get; private init; }

    public static ArtifactOutcome Fetched(string destination, string sha256) =>
        new() { Succeeded = true, Sha256 = sha256, Written = [destination] };

    public static ArtifactOutcome Pushed(IReadOnlyList<string> written, PublishKind kind, string? modelSha256) =>
        new() { Succeeded = true, Written = written, Publish = kind, Sha256 = modelSha256 };

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
/// process environment when null). An optional bearer token is sent to the http(s) URIs <paramref name="tokenScope"/>
/// allows (every one by default) and never printed.
/// </summary>
public sealed class ArtifactTransfer(HttpClient http, string? bearerToken = null, Func<string, string?>? variables = null,
    TokenScope? tokenScope = null)
{
    private readonly TokenScope _scope = tokenScope ?? TokenScope.AnyUri;

    private const int BufferSize = 1 << 16;

    /// <summary>The store rooted at <paramref name="uri"/> with this transfer's credentials, or why it cannot be opened.</summary>
    public (IArtifactStore? Store, string? Error) Open(string uri) => ArtifactStores.Open(uri, http, TokenFor(uri), variables);

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
                sha = await ArtifactStoreReads.CopyToNewFileAsync(source, temp, ct);
            }
            else if (location.S3 is { } s3)
            {
                var (folder, name) = s3.Split();
                var (store, error) = ArtifactStores.Open(folder.ToString(), http, TokenFor(uri), variables);
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
                sha = await ArtifactStoreReads.CopyToNewFileAsync(source, temp, ct);
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
                sha = await ArtifactStoreReads.CopyToNewFileAsync(source, temp, ct);
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

    /// <summary>
    /// Publishes every file under <paramref name="fromDirectory"/> to the version folder <paramref name="uri"/>,
    /// write-once (<see cref="VersionPublication"/>): the files are staged, committed by a create-only
    /// <c>publish.json</c>, then created under their own names with the model last, so that its presence means the
    /// version is complete. Re-publishing the committed bytes succeeds without writing; other bytes are refused.
    /// </summary>
    public async Task<ArtifactOutcome> PushAsync(string fromDirectory, string uri, CancellationToken ct)
    {
        if (!Directory.Exists(fromDirectory))
        {
            return ArtifactOutcome.Problem($"'{fromDirectory}': the directory does not exist");
        }
        var files = Directory.EnumerateFiles(fromDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(fromDirectory, f).Replace('\\', '/'))
            .ToList();
        if (files.Count == 0)
        {
            return ArtifactOutcome.Problem($"'{fromDirectory}' is empty; nothing to publish");
        }
        return (await WithPublicationAsync(uri, async publication => Outcome(await publication.PublishAsync(fromDirectory, files, ct))))!;
    }

    /// <summary>
    /// The version already complete at the folder <paramref name="uri"/> (finishing the copy of one that was
    /// committed by an attempt that died before completing it), or null when nothing is committed there: a
    /// retried training Job asks this before training again.
    /// </summary>
    public async Task<ArtifactOutcome?> FindPublishedAsync(string uri, CancellationToken ct) =>
        await WithPublicationAsync(uri, async publication => await publication.FindAsync(ct) is { } found ? Outcome(found) : null);

    private async Task<ArtifactOutcome?> WithPublicationAsync(string uri, Func<VersionPublication, Task<ArtifactOutcome?>> action)
    {
        var location = ArtifactLocation.Parse(uri);
        if (location.UnsupportedScheme is { } scheme)
        {
            return ArtifactOutcome.Problem(ArtifactLocation.UnsupportedMessage(uri, scheme));
        }
        var (store, error) = ArtifactStores.Open(uri, http, TokenFor(uri), variables);
        if (store is null)
        {
            return ArtifactOutcome.Problem(error!);
        }
        using var owned = store as IDisposable;
        try
        {
            return await action(new VersionPublication(store));
        }
        catch (Exception e) when (e is ArtifactStoreException or RegistryDataException)
        {
            return ArtifactOutcome.Problem(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ArtifactOutcome.Problem($"cannot publish to '{uri}': {e.Message}");
        }
    }

    private static ArtifactOutcome Outcome(PublishOutcome publish) => publish.Succeeded
        ? ArtifactOutcome.Pushed(publish.Written, publish.Kind, publish.Manifest!.Files.FirstOrDefault(f => f.Path == TrainingContract.ModelFile)?.Sha256)
        : ArtifactOutcome.Failure(publish.Conflict!);

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

    /// <summary>The bearer token for requests under <paramref name="uri"/>, when the scope allows it there.</summary>
    private string? TokenFor(string uri) => _scope.Allows(uri) ? bearerToken : null;

    private HttpRequestMessage Request(HttpMethod method, Uri url)
    {
        var request = new HttpRequestMessage(method, url);
        if (bearerToken is { Length: > 0 } && _scope.Allows(url))
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
            (bearerToken is not { Length: > 0 } ? $"set {TrainingContract.ArtifactsToken} to a bearer token the store accepts"
                : _scope.Allows(uri) ? $"the token in {TrainingContract.ArtifactsToken} was refused"
                : $"the artifact store's token is sent to the artifact store only, and this host is not it{(_scope.Hint is { } hint ? $"; {hint}" : "")}")),
        _ => ArtifactOutcome.Problem($"cannot {verb} '{uri}': HTTP {(int)status} {status}"),
    };
}
