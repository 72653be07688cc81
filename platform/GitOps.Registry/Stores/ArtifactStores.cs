namespace GitOps.Registry.Stores;

/// <summary>Opens the store an artifact URI names: a path or <c>file://</c> URI, or an <c>http(s)://</c> URL.</summary>
public static class ArtifactStores
{
    /// <summary>The store rooted at <paramref name="uri"/>, or an error message for an unsupported scheme.</summary>
    public static (IArtifactStore? Store, string? Error) Open(string uri, HttpClient http, string? bearerToken)
    {
        var location = ArtifactLocation.Parse(uri);
        if (location.UnsupportedScheme is { } scheme)
        {
            return (null, ArtifactLocation.UnsupportedMessage(uri, scheme));
        }
        return location.IsLocal
            ? (new FileArtifactStore(location.LocalPath!), null)
            : (new HttpArtifactStore(http, location.Url!, bearerToken), null);
    }
}
