using GitOps.Specs;

namespace GitOps.Serving.Caching;

/// <summary>Where answers to repeated inputs are kept: nowhere, in the server's memory, or in Redis.</summary>
public enum ResponseCacheStore
{
    Off,
    Memory,
    Redis,
}

/// <summary>The response cache of <c>gitops serve</c> (see <c>docs/serving.md#response-cache</c>).</summary>
public sealed record ResponseCacheOptions
{
    public static readonly ResponseCacheOptions Off = new();

    public ResponseCacheStore Store { get; init; } = ResponseCacheStore.Off;
    /// <summary>Memory store: the bound on the cached answers' size; the least recently used go first.</summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;
    /// <summary>How long an answer is kept; null keeps it until it is evicted (memory) or for a day (Redis).</summary>
    public TimeSpan? TimeToLive { get; init; }
    /// <summary>Redis store: the connection, in StackExchange.Redis form (<c>host:port,password=...</c>).</summary>
    public string? Redis { get; init; }
    /// <summary>Redis store: the password, read from <c>--cache-redis-password-file</c> (a mounted Secret).</summary>
    public string? RedisPassword { get; init; }
    /// <summary>Redis store: how long a lookup may take before the request is computed instead.</summary>
    public TimeSpan RedisTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    public bool Enabled => Store != ResponseCacheStore.Off;

    /// <summary>Problems with the options, each naming the option and what it should be.</summary>
    public IEnumerable<string> Validate()
    {
        if (Store == ResponseCacheStore.Memory && MaxBytes < 1024 * 1024)
        {
            yield return $"--cache-max-bytes must be at least 1Mi, found {MaxBytes} bytes";
        }
        if (TimeToLive is { } ttl && ttl < TimeSpan.FromSeconds(1))
        {
            yield return $"--cache-ttl must be at least 1s, found {Durations.Format(ttl)}";
        }
        if (Store == ResponseCacheStore.Redis && string.IsNullOrWhiteSpace(Redis))
        {
            yield return "--cache redis needs --cache-redis HOST:PORT (or the GITOPS_CACHE_REDIS environment variable)";
        }
    }
}
