using System.Collections.Concurrent;
using GitOps.Registry.Stores;

namespace GitOps.Reconciler.Lifecycle;

/// <summary>
/// How the reconciler opens an environment's artifact store (its registry of record) from <c>spec.artifacts.uri</c>:
/// the same stores the trainer writes to, optionally seen through <paramref name="map"/> (the Local driver keeps the
/// default store in its state folder). A URI no store supports is a fault of the store, so the version waits.
/// <para>
/// An opener keeps each store it opened, by URI and token, and hands the same one out again: admission, the deploy
/// history and experiments open the environment's store on every pass, and an <c>s3://</c> store holds an S3 client
/// (connections, credentials) that should not be built and dropped each time. Stores keep no state between calls
/// and are safe to share; a rotated token opens a new one.
/// </para>
/// </summary>
public static class RegistryStores
{
    public static Func<string, IArtifactStore> Opener(HttpClient http, string? bearerToken, Func<string, string>? map = null) =>
        WithTokens(http, _ => (bearerToken, null), map);

    /// <summary>Opens each store with the token <paramref name="tokenFor"/> gives its URI; a problem instead of a
    /// token is a fault of the store (its versions wait).</summary>
    public static Func<string, IArtifactStore> WithTokens(HttpClient http, Func<string, (string? Token, string? Problem)> tokenFor,
        Func<string, string>? map = null)
    {
        var opened = new ConcurrentDictionary<(string Uri, string? Token), IArtifactStore>();
        return uri =>
        {
            var (token, problem) = tokenFor(uri);
            if (problem is not null)
            {
                throw new ArtifactStoreException(problem);
            }
            var target = map is null ? uri : map(uri);
            if (opened.TryGetValue((target, token), out var known))
            {
                return known;
            }
            var (store, error) = ArtifactStores.Open(target, http, token);
            if (store is null)
            {
                throw new ArtifactStoreException(error!);
            }
            var kept = opened.GetOrAdd((target, token), store);
            if (!ReferenceEquals(kept, store))
            {
                (store as IDisposable)?.Dispose();
            }
            return kept;
        };
    }
}
