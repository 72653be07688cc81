using System.Collections.Immutable;
using System.Security.Cryptography;
using GitOps.Serving.Metrics;
using GitOps.Serving.Protocol;
using Microsoft.Extensions.Logging;

namespace GitOps.Serving.Caching;

/// <summary>
/// Answers to repeated inputs of one served model. Keys carry the model's name, version and file digest, and a
/// shared store's values carry them too, so an answer computed by another version is never returned. A store that
/// cannot answer never fails a request: it is computed, counted as <c>error</c>, and logged at most once a minute.
/// </summary>
public sealed class ResponseCache(IResponseCacheStore store, string scope, ServingMetrics metrics, ILogger logger, TimeProvider time) : IAsyncDisposable
{
    private static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);
    private long _lastWarning = long.MinValue;

    public string Scope => scope;

    /// <summary>Opens the store the options name for the model file at <paramref name="modelPath"/>.</summary>
    public static async Task<ResponseCache> OpenAsync(ResponseCacheOptions options, string modelPath, string model, string version,
        ServingMetrics metrics, ILogger logger, TimeProvider time, CancellationToken ct)
    {
        string digest;
        await using (var file = File.OpenRead(modelPath))
        {
            digest = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
        }
        IResponseCacheStore store;
        if (options.Store == ResponseCacheStore.Redis)
        {
            var redis = await RedisResponseCacheStore.ConnectAsync(options.Redis!, options.TimeToLive, options.RedisTimeout, options.RedisPassword);
            if (!redis.Connected)
            {
                logger.LogWarning("Response cache: Redis at {Redis} is not reachable; requests are computed until it is", RedisResponseCacheStore.Redact(options.Redis!));
            }
            store = redis;
            metrics.TrackCache(null);
        }
        else
        {
            var memory = new MemoryResponseCacheStore(options.MaxBytes, options.TimeToLive, time);
            store = memory;
            metrics.TrackCache(memory);
        }
        return new ResponseCache(store, CacheKey.ScopeOf(model, version, digest), metrics, logger, time);
    }

    /// <summary>The cached outputs for the request's inputs, else the outputs <paramref name="run"/> computes (then kept).</summary>
    public async ValueTask<ImmutableArray<Tensor>> GetOrRunAsync(InferenceRequest request, Func<InferenceRequest, CancellationToken, ValueTask<ImmutableArray<Tensor>>> run,
        CancellationToken ct)
    {
        var key = CacheKey.Of(scope, request.Inputs);
        try
        {
            if (await store.GetAsync(key, ct) is { } cached)
            {
                metrics.RecordCache(CacheResult.Hit);
                return cached;
            }
            metrics.RecordCache(CacheResult.Miss);
        }
        catch (ResponseCacheUnavailableException e)
        {
            metrics.RecordCache(CacheResult.Error);
            WarnAtMostOnceAMinute(e);
        }
        var outputs = await run(request, ct);
        store.Set(key, outputs);
        return outputs;
    }

    private void WarnAtMostOnceAMinute(ResponseCacheUnavailableException e)
    {
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastWarning);
        if (last != long.MinValue && time.GetElapsedTime(last, now) < WarningInterval)
        {
            return;
        }
        if (Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            logger.LogWarning("Response cache unavailable, computing requests instead: {Reason}", e.Message);
        }
    }

    public ValueTask DisposeAsync() => store.DisposeAsync();
}
