using System.Net;
using System.Net.Http.Headers;

namespace GitOps.Registry.Stores;

/// <summary>
/// A store behind HTTP(S): GET reads, HEAD checks, and a create is a PUT with <c>If-None-Match: *</c>, which a
/// store that honours conditional writes (S3, most artifact repositories, WebDAV) answers with 412 when the key
/// exists. An optional bearer token is sent and never printed.
/// </summary>
public sealed class HttpArtifactStore(HttpClient http, Uri root, string? bearerToken = null, string tokenVariable = "GITOPS_ARTIFACTS_TOKEN") : IArtifactStore
{
    private readonly ArtifactLocation _root = new(null, root, null);

    public string Root => root.ToString();

    public string Describe(string key) => Url(key).ToString();

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken ct)
    {
        var url = Url(key);
        var response = await SendAsync(HttpMethod.Get, url, null, ct, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw Refused(url, response.StatusCode, "read");
        }
        return new OwnedStream(response, await response.Content.ReadAsStreamAsync(ct));
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        var url = Url(key);
        using var response = await SendAsync(HttpMethod.Head, url, null, ct, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => false,
            _ when response.IsSuccessStatusCode => true,
            _ => throw Refused(url, response.StatusCode, "read"),
        };
    }

    public async Task<CreateResult> CreateAsync(string key, Stream content, string contentType, CancellationToken ct)
    {
        var url = Url(key);
        var body = new StreamContent(content, 1 << 16);
        body.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await SendAsync(HttpMethod.Put, url, body, ct, HttpCompletionOption.ResponseContentRead);
        return response.StatusCode switch
        {
            HttpStatusCode.PreconditionFailed => CreateResult.AlreadyExists,
            _ when response.IsSuccessStatusCode => CreateResult.Created,
            _ => throw Refused(url, response.StatusCode, "write"),
        };
    }

    private Uri Url(string key) => _root.Child(key).Url!;

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, HttpContent? content, CancellationToken ct, HttpCompletionOption completion)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (method == HttpMethod.Put)
        {
            request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
        }
        if (bearerToken is { Length: > 0 })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }
        try
        {
            return await http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e)
        {
            throw new ArtifactStoreException($"cannot reach '{url}': {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new ArtifactStoreException($"'{url}' did not answer in time", e);
        }
    }

    private ArtifactStoreException Refused(Uri url, HttpStatusCode status, string verb) => new(status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
            $"cannot {verb} '{url}': HTTP {(int)status} {status}; " +
            (bearerToken is { Length: > 0 } ? $"the token in {tokenVariable} was refused" : $"set {tokenVariable} to a bearer token the store accepts"),
        _ => $"cannot {verb} '{url}': HTTP {(int)status} {status}",
    });
}
