using GitOps.Registry.Stores;

namespace GitOps.Reconciler.Lifecycle;

/// <summary>
/// How the reconciler opens an environment's artifact store (its registry of record) from <c>spec.artifacts.uri</c>:
/// the same stores the trainer writes to, optionally seen through <paramref name="map"/> (the Local driver keeps the
/// default store in its state folder). A URI no store supports is a fault of the store, so the version waits.
/// </summary>
public static class RegistryStores
{
    public static Func<string, IArtifactStore> Opener(HttpClient http, string? bearerToken, Func<string, string>? map = null) =>
        WithTokens(http, _ => (bearerToken, null), map);

    /// <summary>Opens each store with the token <paramref name="tokenFor"/> gives its URI; a problem instead of a
    /// token is a fault of the store (its versions wait).</summary>
    public static Func<string, IArtifactStore> WithTokens(HttpClient http, Func<string, (string? Token, string? Problem)> tokenFor,
        Func<string, string>? map = null) => uri =>
    {
        var (token, problem) = tokenFor(uri);
        if (problem is not null)
        {
            throw new ArtifactStoreException(problem);
        }
        var (store, error) = ArtifactStores.Open(map is null ? uri : map(uri), http, token);
        return store ?? throw new ArtifactStoreException(error!);
    };
}
