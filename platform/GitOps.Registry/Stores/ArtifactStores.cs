namespace GitOps.Registry.Stores;

/// <summary>Opens the store an artifact URI names: a path or <c>file://</c> URI, an <c>http(s)://</c> URL or an
/// <c>s3://bucket/prefix</c> location.</summary>
public static class ArtifactStores
{
    /// <summary>
    /// The store rooted at <paramref name="uri"/>, or an error message for an unsupported scheme. An <c>s3://</c> store
    /// takes its region, endpoint and addressing style from <paramref name="variables"/> (<see cref="S3Options"/>;
    /// the process environment when null) and its credentials from the AWS standard chain.
    /// </summary>
    public static (IArtifactStore? Store, string? Error) Open(string uri, HttpClient http, string? bearerToken, Func<string, string?>? variables = null)
    {
        var location = ArtifactLocation.Parse(uri);
        if (location.UnsupportedScheme is { } scheme)
        {
            return (null, ArtifactLocation.UnsupportedMessage(uri, scheme));
        }
        if (location.S3 is { } s3)
        {
            var (options, error) = S3Options.FromVariables(variables ?? Environment.GetEnvironmentVariable);
            return options is null ? (null, error) : S3ArtifactStore.Open(s3, options);
        }
        return location.IsLocal
            ? (new FileArtifactStore(location.LocalPath!), null)
            : (new HttpArtifactStore(http, location.Url!, bearerToken), null);
    }
}
