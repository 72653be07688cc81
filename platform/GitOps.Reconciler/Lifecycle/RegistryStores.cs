using System.Collections.Concurrent;
using GitOps.Planning.Rendering;
using GitOps.Registry.Stores;
using GitOps.Specs.Model;

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
    /// <param name="artifactsFor">The <c>spec.artifacts</c> of the environment whose store is at a URI: its S3 settings go
    /// in front of the process's variables (<see cref="S3Variables.Over"/>); null: the process's variables alone.</param>
    public static Func<string, IArtifactStore> WithTokens(HttpClient http, Func<string, (string? Token, string? Problem)> tokenFor,
        Func<string, string>? map = null, Func<string, ArtifactStore?>? artifactsFor = null)
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
            var artifacts = artifactsFor?.Invoke(uri);
            var key = (target, token, string.Join('\n', S3Variables.Of(artifacts).Select(s => $"{s.Key}={s.Value}")));
            if (opened.TryGetValue(key, out var known))
            {
                return known;
            }
            var (store, error) = ArtifactStores.Open(target, http, token, S3Variables.Over(artifacts, Environment.GetEnvironmentVariable));
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
