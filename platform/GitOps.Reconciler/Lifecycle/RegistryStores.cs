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
/// and are safe to share; a rotated token or changed S3 settings open a new one.
/// </para>
/// </summary>
public static class RegistryStores
{
    public static Func<string, IArtifactStore> Opener(HttpClient http, string? bearerToken, Func<string, string>? map = null) =>
        WithTokens(http, _ => (bearerToken, null), map);

    /// <summary>Opens each store with the token <paramref name="tokenFor"/> gives its URI; a problem instead of a
    /// token is a fault of the store (its versions wait).</summary>
    /// <param name="settingsFor">The S3 settings of the store at a URI (its environment's <c>spec.artifacts.s3</c>) in
    /// front of the process's variables; null or none: the process's variables alone.</param>
    public static Func<string, IArtifactStore> WithTokens(HttpClient http, Func<string, (string? Token, string? Problem)> tokenFor,
        Func<string, string>? map = null, Func<string, IReadOnlyList<KeyValuePair<string, string>>>? settingsFor = null)
    {
        var opened = new ConcurrentDictionary<(string Uri, string? Token, string Settings), IArtifactStore>();
        return uri =>
        {
            var (token, problem) = tokenFor(uri);
            if (problem is not null)
            {
                throw new ArtifactStoreException(problem);
            }
            var target = map is null ? uri : map(uri);
            var settings = settingsFor?.Invoke(uri) ?? [];
            var key = (target, token, string.Join('\n', settings.Select(s => $"{s.Key}={s.Value}")));
            if (opened.TryGetValue(key, out var known))
            {
                return known;
            }
            var own = settings.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
            var (store, error) = ArtifactStores.Open(target, http, token,
                own.Count == 0 ? null : name => own.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable(name));
            if (store is null)
            {
                throw new ArtifactStoreException(error!);
            }
            var kept = opened.GetOrAdd(key, store);
            if (!ReferenceEquals(kept, store))
            {
                (store as IDisposable)?.Dispose();
            }
            return kept;
        };
    }
}
