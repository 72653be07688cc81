using System.Collections.Concurrent;
using GitOps.Planning.Rendering;
using GitOps.Registry.Stores;
using GitOps.Specs.Model;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Lifecycle;

/// <summary>
/// The bearer tokens of the environments' HTTP(S) artifact stores (and the S3 settings of their s3:// ones), each read from the Secret its environment names
/// (<c>spec.artifacts.tokenSecretRef</c>, in the environment's namespace) — the token the training Jobs and model
/// fetches of that environment get mounted. A store whose environment names no Secret gets
/// <paramref name="defaultToken"/> (the reconciler's own <c>GITOPS_ARTIFACTS_TOKEN</c> or <c>_FILE</c>).
/// <para>
/// <see cref="RefreshAsync"/> reads the Secrets of a commit's environments at most once per
/// <see cref="RereadAfter"/>; <see cref="Opener"/> opens a store with its token, or — when its Secret is missing,
/// refused or lacks the key — fails with what a person must do, so the versions of that store wait (nothing is
/// served on a guess) and the Secret is asked for again only after <see cref="RereadAfter"/>: no retry storm.
/// </para>
/// </summary>
public sealed class ArtifactStoreTokens(ISecrets secrets, string? defaultToken, TimeProvider time, ILogger log)
{
    /// <summary>How long a Secret read (or its failure) is used before it is read again: a rotated token is picked up
    /// within this time.</summary>
    public static readonly TimeSpan RereadAfter = TimeSpan.FromMinutes(1);

    private sealed record Read(SecretKeyRef Ref, string Namespace, SecretValue Value, DateTimeOffset At);

    private readonly ConcurrentDictionary<string, Read> _byStore = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ArtifactStore> _s3ByStore = new(StringComparer.Ordinal);

    /// <summary>Reads the token Secret of every environment of <paramref name="specs"/> with an HTTP(S) store, unless
    /// read within <see cref="RereadAfter"/>.</summary>
    public async Task RefreshAsync(SpecSet specs, CancellationToken ct)
    {
        foreach (var environment in specs.Environments)
        {
            // An s3:// store's region, endpoint and addressing style, as its environment's pods get them.
            if (environment.Spec.Artifacts is { S3: not null } s3Store)
            {
                _s3ByStore[ModelVersions.ArtifactStore(environment)] = s3Store;
            }
            else
            {
                _s3ByStore.TryRemove(ModelVersions.ArtifactStore(environment), out _);
            }
            if (environment.Spec.Artifacts?.TokenSecretRef is not { } secret || ArtifactLocation.Parse(ModelVersions.ArtifactStore(environment)).Url is null)
            {
                continue;
            }
            var store = ModelVersions.ArtifactStore(environment);
            var @namespace = environment.Spec.Namespace;
            var now = time.GetUtcNow();
            if (_byStore.TryGetValue(store, out var known) && known.Ref == secret && known.Namespace == @namespace && now - known.At < RereadAfter)
            {
                continue;
            }
            var value = await secrets.ReadAsync(@namespace, secret.Name, secret.Key, ct);          // I/O
            if (value.Transient && known is { Value.Value: not null } && known.Ref == secret && known.Namespace == @namespace)
            {
                // The API server hiccupped: the token read before is still the best one.
                log.LogWarning("{Environment}: {Problem}; using the artifact store token read before", environment.Name, value.Problem);
                continue;
            }
            if (value.Problem is { } problem && known?.Value.Problem != problem)
            {
                log.LogWarning("{Environment}: the artifact store {Store} cannot be used: {Problem}", environment.Name, store, problem);
            }
            _byStore[store] = new Read(secret, @namespace, value, now);
        }
    }

    /// <summary>The token of the store at <paramref name="uri"/>, or what a person must fix before it can be used.</summary>
    public (string? Token, string? Problem) For(string uri) =>
        _byStore.TryGetValue(uri.TrimEnd('/'), out var read)
            ? (read.Value.Value, read.Value.Value is null ? $"its token (spec.artifacts.tokenSecretRef): {read.Value.Problem}" : null)
            : (defaultToken, null);

    /// <summary>The <c>spec.artifacts</c> (with S3 settings) of the environment whose store is at <paramref name="uri"/>.</summary>
    public ArtifactStore? ArtifactsFor(string uri) => _s3ByStore.TryGetValue(uri.TrimEnd('/'), out var artifacts) ? artifacts : null;

    /// <summary>Opens stores as <see cref="RegistryStores.Opener"/> does, each with its environment's token and S3 settings.</summary>
    public Func<string, IArtifactStore> Opener(HttpClient http, Func<string, string>? map = null) =>
        RegistryStores.WithTokens(http, For, map, ArtifactsFor);
}
