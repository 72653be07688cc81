namespace GitOps.Registry.Stores;

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
