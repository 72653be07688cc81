namespace GitOps.Registry.Stores;

/// <summary>
/// The sha256 of a dataset named by URI (a path or <c>file://</c>, <c>http(s)://</c> or <c>s3://</c>), computed while
/// streaming it through the store its folder opens as, without keeping it: what a retrain pins before training.
/// </summary>
public static class DatasetDigests
{
    /// <summary>The digest of <paramref name="uri"/>, or null when nothing is there (yet). Throws
    /// <see cref="ArtifactStoreException"/> for an unsupported URI or a store that cannot be read.</summary>
    public static async Task<StoredDigest?> OfAsync(string uri, HttpClient http, string? bearerToken, Func<string, string?>? variables, CancellationToken ct)
    {
        var location = ArtifactLocation.Parse(uri);
        if (location.UnsupportedScheme is { } scheme)
        {
            throw new ArtifactStoreException(ArtifactLocation.UnsupportedMessage(uri, scheme));
        }
        string folder, name;
        if (location.S3 is { } s3)
        {
            var (parent, key) = s3.Split();
            (folder, name) = (parent.ToString(), key);
        }
        else if (location.LocalPath is { } path)
        {
            (folder, name) = (Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/", Path.GetFileName(path));
        }
        else
        {
            var url = location.Url!;
            var text = url.GetLeftPart(UriPartial.Path);
            var slash = text.LastIndexOf('/');
            (folder, name) = (text[..slash] + url.Query, Uri.UnescapeDataString(text[(slash + 1)..]));
        }
        if (name.Length == 0)
        {
            throw new ArtifactStoreException($"'{uri}' names a folder, not a dataset file");
        }
        var (store, error) = ArtifactStores.Open(folder, http, bearerToken, variables);
        if (store is null)
        {
            throw new ArtifactStoreException(error!);
        }
        using var owned = store as IDisposable;
        return await store.DigestAsync(name, ct);
    }
}
