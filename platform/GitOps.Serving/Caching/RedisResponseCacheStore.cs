using System.Collections.Immutable;
using GitOps.Serving.Protocol;
using StackExchange.Redis;

namespace GitOps.Serving.Caching;

/// <summary>
/// Answers kept in Redis, shared by every replica of a version. A lookup that Redis cannot answer within the
/// timeout computes the request instead; writes never wait for Redis.
/// </summary>
public sealed class RedisResponseCacheStore : IResponseCacheStore
{
    /// <summary>How long an answer stays when no time to live is set.</summary>
    public static readonly TimeSpan DefaultTimeToLive = TimeSpan.FromDays(1);

    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _database;
    private readonly TimeSpan _timeToLive;
    private readonly TimeSpan _timeout;

    private RedisResponseCacheStore(ConnectionMultiplexer connection, TimeSpan timeToLive, TimeSpan timeout)
    {
        _connection = connection;
        _database = connection.GetDatabase();
        _timeToLive = timeToLive;
        _timeout = timeout;
    }

    public bool Connected => _connection.IsConnected;

    /// <summary>Connects to Redis. The server starts even when Redis is down: lookups then count as errors until it
    /// is back. Throws <see cref="ArgumentException"/> for a configuration string that does not parse. A
    /// <paramref name="password"/> (read from a mounted Secret) replaces any password in the configuration.</summary>
    public static async Task<RedisResponseCacheStore> ConnectAsync(string configuration, TimeSpan? timeToLive, TimeSpan timeout, string? password = null)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--cache-redis '{Redact(configuration)}' is not a Redis address such as redis:6379 or host:6379,password=...: {e.Message}", e);
        }
        if (password is not null)
        {
            options.Password = password;
        }
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = (int)Math.Max(timeout.TotalMilliseconds * 10, 1000);
        options.AsyncTimeout = (int)Math.Max(timeout.TotalMilliseconds, 1);
        options.SyncTimeout = options.AsyncTimeout;
        options.ClientName = "gitops-serve";
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        return new RedisResponseCacheStore(connection, timeToLive ?? DefaultTimeToLive, timeout);
    }

    public async ValueTask<ImmutableArray<Tensor>?> GetAsync(CacheKey key, CancellationToken ct)
    {
        RedisValue value;
        try
        {
            value = await _database.StringGetAsync(key.ToString()).WaitAsync(_timeout, ct);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new ResponseCacheUnavailableException($"Redis did not answer: {e.Message}", e);
        }
        return value.IsNull ? null : CachedOutputsCodec.Decode(key.Scope, (byte[])value!);
    }

    public void Set(CacheKey key, ImmutableArray<Tensor> outputs)
    {
        try
        {
            _database.StringSet(key.ToString(), CachedOutputsCodec.Encode(key.Scope, outputs), _timeToLive, flags: CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Not kept this time; the next request for these inputs computes and tries again.
        }
    }

    public async ValueTask DisposeAsync() => await _connection.CloseAsync(allowCommandsToComplete: false);

    /// <summary>The configuration without its password, for messages.</summary>
    public static string Redact(string configuration) =>
        string.Join(',', configuration.Split(',').Select(p => p.TrimStart().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=***" : p));
}
