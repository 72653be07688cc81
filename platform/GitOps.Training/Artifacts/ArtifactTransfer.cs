using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
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

/// <summary>Where an artifact URI points: a local path (plain or <c>file://</c>) or an http(s) URL.</summary>
public sealed record ArtifactLocation(string? LocalPath, Uri? Url, string? UnsupportedScheme)
{
    public bool IsLocal => LocalPath is not null;

    public static ArtifactLocation Parse(string uri)
    {
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return new(uri, null, null);
        }
        var scheme = uri[..schemeEnd].ToLowerInvariant();
        if (scheme == "file" && Uri.TryCreate(uri, UriKind.Absolute, out var file))
        {
            return new(file.LocalPath, null, null);
        }
        if (scheme is "http" or "https" && Uri.TryCreate(uri, UriKind.Absolute, out var url))
        {
            return new(null, url, null);
        }
        return new(null, null, scheme);
    }

    /// <summary>The location of <paramref name="relative"/> under this one (a folder).</summary>
    public ArtifactLocation Child(string relative)
    {
        if (LocalPath is not null)
        {
            return this with { LocalPath = Path.Combine(LocalPath, relative) };
        }
        var escaped = string.Join('/', relative.Split('/', '\\').Select(Uri.EscapeDataString));
        var baseText = Url!.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return this with { Url = new Uri($"{baseText}/{escaped}{Url.Query}") };
    }

    public override string ToString() => LocalPath ?? Url?.ToString() ?? $"{UnsupportedScheme}://";

    public static string UnsupportedMessage(string uri, string scheme) =>
        $"'{uri}': artifact URI scheme '{scheme}' is not supported; supported: file:// or a plain path (a mounted volume), http:// and https:// (GET to fetch, PUT to publish). " +
        "For S3 or GCS use the bucket's HTTPS endpoint (public bucket, presigned URLs or an S3-compatible gateway) or mount the bucket as a volume and use its path";
}

/// <summary>
/// Fetches and publishes model artifacts and datasets (the client side of an environment's artifact store). Local paths and <c>file://</c> URIs are copied (through a
/// temporary file renamed into place, so a reader never sees half a file); http(s) URIs are read with GET and
/// written with one PUT per file, which WebDAV servers, S3-compatible gateways and generic artifact repositories
/// accept. An optional bearer token is sent to http(s) stores and never printed.
/// </summary>
public sealed class ArtifactTransfer(HttpClient http, string? bearerToken = null)
{
    private const int BufferSize = 1 << 16;

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
            File.Move(temp, full, overwrite: true);
            return ArtifactOutcome.Fetched(full, sha);
        }
        catch (HttpRequestException e)
        {
            return ArtifactOutcome.Problem($"cannot reach '{uri}': {e.Message}");
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
        var written = new List<string>();
        foreach (var relative in files)
        {
            var target = location.Child(relative);
            var source = Path.Combine(fromDirectory, relative);
            try
            {
                if (target.IsLocal)
                {
                    await CopyLocalAsync(source, target.LocalPath!, ct);
                }
                else
                {
                    await using var content = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
                    using var request = Request(HttpMethod.Put, target.Url!);
                    request.Content = new StreamContent(content, BufferSize);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue(
                        relative.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream");
                    using var response = await http.SendAsync(request, ct);
                    if (!response.IsSuccessStatusCode)
                    {
                        return HttpFailure(target.ToString(), response.StatusCode, "publish");
                    }
                }
            }
            catch (HttpRequestException e)
            {
                return ArtifactOutcome.Problem($"cannot reach '{target}': {e.Message}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return ArtifactOutcome.Problem($"cannot publish '{source}' to '{target}': {e.Message}");
            }
            written.Add(target.ToString());
        }
        return ArtifactOutcome.Pushed(written);
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

    private static async Task CopyLocalAsync(string source, string destination, CancellationToken ct)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(destination))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.partial");
        try
        {
            await using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true))
            {
                await CopyHashingAsync(input, temp, ct);
            }
            File.Move(temp, destination, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

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
