using System.Collections.Immutable;
using GitOps.Serving.Protocol;

namespace GitOps.Serving.Caching;

/// <summary>Where cached outputs live. Keys already carry the model version and digest; a store only maps them.</summary>
public interface IResponseCacheStore : IAsyncDisposable
{
    /// <summary>The outputs cached under <paramref name="key"/>, null when there are none. Throws
    /// <see cref="ResponseCacheUnavailableException"/> when the store cannot answer.</summary>
    ValueTask<ImmutableArray<Tensor>?> GetAsync(CacheKey key, CancellationToken ct);

    /// <summary>Keeps <paramref name="outputs"/> under <paramref name="key"/>; never blocks the request on a remote store.</summary>
    void Set(CacheKey key, ImmutableArray<Tensor> outputs);
}

/// <summary>The store did not answer; the request is computed as if the cache were off.</summary>
public sealed class ResponseCacheUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
