namespace GitOps.Registry.Stores;

/// <summary>Where an artifact URI points: a local path (plain or <c>file://</c>), an http(s) URL or an
/// <c>s3://bucket/prefix</c> location.</summary>
public sealed record ArtifactLocation(string? LocalPath, Uri? Url, string? UnsupportedScheme, S3Location? S3 = null)
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
        if (scheme == S3Location.Scheme && S3Location.Parse(uri) is { } s3)
        {
            return new(null, null, null, s3);
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
        if (S3 is not null)
        {
            return this with { S3 = S3.Child(relative) };
        }
        var escaped = string.Join('/', relative.Split('/', '\\').Select(Uri.EscapeDataString));
        var baseText = Url!.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return this with { Url = new Uri($"{baseText}/{escaped}{Url.Query}") };
    }

    public override string ToString() => LocalPath ?? Url?.ToString() ?? S3?.ToString() ?? $"{UnsupportedScheme}://";

    public static string UnsupportedMessage(string uri, string scheme) =>
        scheme == S3Location.Scheme
            ? $"'{uri}': an s3:// URI needs a bucket, e.g. s3://my-bucket/artifacts"
            : $"'{uri}': artifact URI scheme '{scheme}' is not supported; supported: file:// or a plain path (a mounted volume), http:// and https:// (GET to fetch, PUT to publish), " +
              "s3://bucket/prefix (AWS S3 or an S3-compatible server). For GCS use its S3-compatible endpoint or mount the bucket as a volume and use its path";
}
