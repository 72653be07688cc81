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
        var (folder, name) = ArtifactFileUri.Split(uri);
        var (store, error) = ArtifactStores.Open(folder, http, bearerToken, variables);
        if (store is null)
        {
            throw new ArtifactStoreException(error!);
        }
        using var owned = store as IDisposable;
        return await store.DigestAsync(name, ct);
    }
}
