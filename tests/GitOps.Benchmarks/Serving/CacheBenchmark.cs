using System.Collections.Immutable;
using GitOps.Benchmarks.Harness;
using GitOps.Serving.Caching;
using GitOps.Serving.Protocol;
using GitOps.Testing.Redis;

namespace GitOps.Benchmarks.Serving;

/// <summary>
/// What the response cache costs on the request path: the key (sha256 of the inputs in canonical form) for 1-row and
/// 32-row requests of 9 features, a hit and a miss in the memory store, and a lookup in a real redis-server on
/// 127.0.0.1 (started and stopped here). Medians of 7 runs after a warm-up.
/// </summary>
public static class CacheBenchmark
{
    private const int Features = 9;

    public static async Task<int> RunAsync(TextWriter output)
    {
        var random = new Random(1);
        var scope = CacheKey.ScopeOf("fraud", "v1", new string('0', 64));
        output.WriteLine($"response cache cost, {Features} FP32 features (median of 7 runs)");
        output.WriteLine("| measure | cost |");
        output.WriteLine("|---|---|");
        foreach (var rows in new[] { 1, 32 })
        {
            var inputs = Inputs(rows, random);
            const int iterations = 100_000;
            var perKey = MicroTimer.Median(() =>
            {
                for (var i = 0; i < iterations; i++)
                {
                    CacheKey.Of(scope, inputs);
                }
            }) / iterations;
            output.WriteLine($"| key of a {rows}-row request | {MicroTimer.Ns(perKey)} |");
        }

        var store = new MemoryResponseCacheStore(256L * 1024 * 1024, null, TimeProvider.System);
        var answer = ImmutableArray.Create(new Tensor("Probability", TensorDatatype.Fp32, [1, 1], new[] { 0.5f }));
        var keys = Enumerable.Range(0, 10_000).Select(_ => CacheKey.Of(scope, Inputs(1, random))).ToArray();
        foreach (var key in keys)
        {
            store.Set(key, answer);
        }
        var missing = CacheKey.Of(scope, Inputs(1, random));
        var perHit = MicroTimer.Median(() =>
        {
            foreach (var key in keys)
            {
                _ = store.GetAsync(key, CancellationToken.None).Result;
            }
        }) / keys.Length;
        var perMiss = MicroTimer.Median(() =>
        {
            for (var i = 0; i < keys.Length; i++)
            {
                _ = store.GetAsync(missing, CancellationToken.None).Result;
            }
        }) / keys.Length;
        output.WriteLine($"| memory store, hit (10,000 entries) | {MicroTimer.Ns(perHit)} |");
        output.WriteLine($"| memory store, miss | {MicroTimer.Ns(perMiss)} |");

        await using var redis = await RedisProcess.StartAsync(CancellationToken.None);
        await using var shared = await RedisResponseCacheStore.ConnectAsync(redis.Address, null, TimeSpan.FromSeconds(1));
        shared.Set(keys[0], answer);
        const int lookups = 2_000;
        var perRedisHit = MicroTimer.Median(() =>
        {
            for (var i = 0; i < lookups; i++)
            {
                _ = shared.GetAsync(keys[0], CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
        }) / lookups;
        output.WriteLine($"| Redis on 127.0.0.1, hit (one round trip, sequential) | {MicroTimer.Ns(perRedisHit)} |");
        return 0;
    }

    private static ImmutableArray<Tensor> Inputs(int rows, Random random) =>
        [.. Enumerable.Range(0, Features).Select(f => new Tensor($"f{f}", TensorDatatype.Fp32, [rows, 1],
            Enumerable.Range(0, rows).Select(_ => (float)(random.NextDouble() * 100)).ToArray()))];
}
