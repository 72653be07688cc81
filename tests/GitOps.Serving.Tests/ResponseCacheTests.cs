using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using GitOps.Serving.Caching;
using GitOps.Serving.Protocol;
using GitOps.Specs.Contracts;
using GitOps.Testing.Net;
using GitOps.Testing.Redis;
using Microsoft.Extensions.Time.Testing;

namespace GitOps.Serving.Tests;

public sealed class ResponseCacheTests
{
    private const string Scope = "gitops:infer:fraud:v1:0123";

    private static Tensor Input(string name, params float[] values) => new(name, TensorDatatype.Fp32, [values.Length, 1], values);

    public sealed class TheCacheKey
    {
        [Fact]
        public void Should_Give_The_Same_Key_When_The_Same_Values_Arrive_Again()
        {
            // Given the same values in two separately built requests
            var first = CacheKey.Of(Scope, [Input("amount", 1.5f, 2f), Input("hour", 3f, 4f)]);

            // When
            var second = CacheKey.Of(Scope, [Input("amount", 1.5f, 2f), Input("hour", 3f, 4f)]);

            // Then
            Assert.Equal(first, second);
            Assert.Equal(64, first.InputHash.Length);
        }

        [Fact]
        public void Should_Give_Another_Key_When_A_Value_A_Shape_A_Name_Or_The_Version_Differs()
        {
            // Given
            var key = CacheKey.Of(Scope, [Input("amount", 1.5f, 2f)]);

            // When
            ImmutableArray<CacheKey> others =
            [
                CacheKey.Of(Scope, [Input("amount", 1.5f, 2.0001f)]),
                CacheKey.Of(Scope, [new Tensor("amount", TensorDatatype.Fp32, [1, 2], new[] { 1.5f, 2f })]),
                CacheKey.Of(Scope, [Input("hour", 1.5f, 2f)]),
                CacheKey.Of(CacheKey.ScopeOf("fraud", "v2", "0123"), [Input("amount", 1.5f, 2f)]),
                CacheKey.Of(CacheKey.ScopeOf("fraud", "v1", "4567"), [Input("amount", 1.5f, 2f)]),
            ];

            // Then every one differs from the key and from each other
            Assert.Equal(others.Length + 1, others.Add(key).Select(k => k.ToString()).Distinct().Count());
        }
    }

    public sealed class TheMemoryStore
    {
        [Fact]
        public async Task Should_Drop_The_Least_Recently_Used_Answer_When_Over_Its_Bound()
        {
            // Given a store that holds about three answers of 1,000 floats
            var store = new MemoryResponseCacheStore(14_000, null, TimeProvider.System);
            var keys = Enumerable.Range(0, 4).Select(i => CacheKey.Of(Scope, [Input("amount", i)])).ToArray();
            var answer = ImmutableArray.Create(new Tensor("Probability", TensorDatatype.Fp32, [1000, 1], new float[1000]));
            store.Set(keys[0], answer);
            store.Set(keys[1], answer);
            store.Set(keys[2], answer);

            // When the first is read (now the most recent) and a fourth arrives
            Assert.NotNull(await store.GetAsync(keys[0], CancellationToken.None));
            store.Set(keys[3], answer);

            // Then the second, least recently used, went; the bound holds
            Assert.Null(await store.GetAsync(keys[1], CancellationToken.None));
            Assert.NotNull(await store.GetAsync(keys[0], CancellationToken.None));
            Assert.NotNull(await store.GetAsync(keys[2], CancellationToken.None));
            Assert.NotNull(await store.GetAsync(keys[3], CancellationToken.None));
            Assert.Equal(3, store.Count);
            Assert.True(store.Bytes <= 14_000, $"{store.Bytes} bytes kept");
        }

        [Fact]
        public async Task Should_Forget_An_Answer_When_Its_Time_To_Live_Has_Passed()
        {
            // Given an answer kept for ten minutes
            var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T10:00:00Z", CultureInfo.InvariantCulture));
            var store = new MemoryResponseCacheStore(1 << 20, TimeSpan.FromMinutes(10), time);
            var key = CacheKey.Of(Scope, [Input("amount", 1)]);
            store.Set(key, [Input("Probability", 0.25f)]);

            // When // Then
            time.Advance(TimeSpan.FromMinutes(9));
            Assert.NotNull(await store.GetAsync(key, CancellationToken.None));
            time.Advance(TimeSpan.FromMinutes(1));
            Assert.Null(await store.GetAsync(key, CancellationToken.None));
            Assert.Equal(0, store.Count);
        }
    }

    public sealed class TheCodec
    {
        [Fact]
        public void Should_Read_Back_What_It_Wrote_When_The_Scope_Is_The_Same()
        {
            // Given outputs of two datatypes
            ImmutableArray<Tensor> outputs =
            [
                new("PredictedLabel", TensorDatatype.Bool, [2, 1], new[] { true, false }),
                new("Probability", TensorDatatype.Fp32, [2, 1], new[] { 0.9f, 0.1f }),
            ];

            // When
            var read = CachedOutputsCodec.Decode(Scope, CachedOutputsCodec.Encode(Scope, outputs));

            // Then
            Assert.NotNull(read);
            Assert.Equal(["PredictedLabel", "Probability"], read.Value.Select(t => t.Name));
            Assert.Equal(new[] { true, false }, (bool[])read.Value[0].Data);
            Assert.Equal(new[] { 0.9f, 0.1f }, (float[])read.Value[1].Data);
            Assert.Equal(new long[] { 2, 1 }, read.Value[1].Shape.ToArray());
        }

        [Fact]
        public void Should_Refuse_An_Answer_When_Another_Version_Wrote_It_Or_It_Is_Damaged()
        {
            // Given an answer written by version v1
            var bytes = CachedOutputsCodec.Encode(Scope, [Input("Probability", 0.25f)]);

            // When // Then version v2 does not take it, nor anyone a truncated one
            Assert.Null(CachedOutputsCodec.Decode(CacheKey.ScopeOf("fraud", "v2", "0123"), bytes));
            Assert.Null(CachedOutputsCodec.Decode(Scope, bytes[..^2]));
            Assert.Null(CachedOutputsCodec.Decode(Scope, [.. bytes, 0]));
        }
    }

    [Collection(nameof(ServingCollection))]
    public sealed class InTheServer(ServingFixture fixture)
    {
        private static string Labels(string version) => $"model=\"fraud\",version=\"{version}\",track=\"canary\"";

        /// <summary>A lookup timeout no loaded test machine reaches: these tests are about sharing, not about a slow Redis.</summary>
        private static readonly TimeSpan UnhurriedRedis = TimeSpan.FromSeconds(10);

        private static double Lookups(string metrics, string version, string result) =>
            Http.Sample(metrics, InferenceMetrics.CacheRequests, Labels(version) + $",result=\"{result}\"");

        [Fact]
        public async Task Should_Answer_A_Repeated_Request_From_Memory_With_The_Computed_Outputs()
        {
            // Given a server with the memory cache
            await using var server = await ServingFixture.StartAsync(fixture.Options() with
            {
                Cache = new ResponseCacheOptions { Store = ResponseCacheStore.Memory },
            });
            using var client = Http.Client(server);
            var body = fixture.InferBody(0, 5);

            // When the same rows come three times, the last asking for one output
            var first = await Http.PostAsync(client, "/v2/models/fraud/infer", body);
            var second = await Http.PostAsync(client, "/v2/models/fraud/infer", body);
            var third = await Http.PostAsync(client, "/v2/models/fraud/infer", body[..^1] + ",\"outputs\":[{\"name\":\"Probability\"}]}");

            // Then each answer is what the model computes, only the first ran it, and the size is exported
            foreach (var (status, response) in new[] { first, second, third })
            {
                Assert.Equal(HttpStatusCode.OK, status);
                var probabilities = Http.Output(response, "Probability").GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                Assert.Equal(fixture.ExpectedProbabilities[..5], probabilities, (a, b) => Math.Abs(a - b) < 1e-5);
            }
            Assert.Single(third.Body.GetProperty("outputs").EnumerateArray());
            var metrics = await client.GetStringAsync("/metrics");
            Assert.Equal(1, Lookups(metrics, "v1", "miss"));
            Assert.Equal(2, Lookups(metrics, "v1", "hit"));
            Assert.Equal(1, Http.Sample(metrics, InferenceMetrics.CacheEntries, Labels("v1")));
            Assert.Equal(1, Http.Sample(metrics, InferenceMetrics.Count(InferenceMetrics.BatchSize), Labels("v1")));
        }

        [Fact]
        public async Task Should_Share_Answers_Between_Replicas_When_They_Serve_One_Version_And_Never_Across_Versions()
        {
            // Given a real Redis and three servers of the same file: two replicas of v1 and one of v2
            await using var redis = await RedisProcess.StartAsync(CancellationToken.None);
            // (a lookup slower than the 100 ms default counts as an error, and a loaded machine's first lookup can be)
            var cache = new ResponseCacheOptions { Store = ResponseCacheStore.Redis, Redis = redis.Address, RedisTimeout = UnhurriedRedis };
            await using var replicaA = await ServingFixture.StartAsync(fixture.Options() with { Cache = cache });
            await using var replicaB = await ServingFixture.StartAsync(fixture.Options() with { Cache = cache });
            await using var next = await ServingFixture.StartAsync(fixture.Options() with { ModelVersion = "v2", Cache = cache });
            using var clientA = Http.Client(replicaA);
            using var clientB = Http.Client(replicaB);
            using var clientNext = Http.Client(next);
            var body = fixture.InferBody(10, 3);

            // When replica A computes an answer (Redis writes are not waited for: wait until it holds the key)
            Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync(clientA, "/v2/models/fraud/infer", body)).Status);
            await Http.WaitUntilAsync(() => redis.CommandAsync("DBSIZE", CancellationToken.None).GetAwaiter().GetResult() == ":1", "the answer reaches Redis");
            var fromB = await Http.PostAsync(clientB, "/v2/models/fraud/infer", body);
            var fromNext = await Http.PostAsync(clientNext, "/v2/models/fraud/infer", body);

            // Then replica B answered from Redis with the same outputs; version v2 computed its own
            Assert.Equal(HttpStatusCode.OK, fromB.Status);
            var probabilities = Http.Output(fromB.Body, "Probability").GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.Equal(fixture.ExpectedProbabilities[10..13], probabilities, (a, b) => Math.Abs(a - b) < 1e-5);
            Assert.Equal(1, Lookups(await clientB.GetStringAsync("/metrics"), "v1", "hit"));
            var nextMetrics = await clientNext.GetStringAsync("/metrics");
            Assert.Equal(0, Lookups(nextMetrics, "v2", "hit"));
            Assert.Equal(1, Lookups(nextMetrics, "v2", "miss"));
        }

        [Fact]
        public async Task Should_Answer_From_A_Redis_That_Requires_A_Password_When_Given_The_Password_And_Only_Then()
        {
            // Given a Redis with a password, a server that has it and one that does not
            await using var redis = await RedisProcess.StartAsync(CancellationToken.None, password: "s3cret pass,word");
            var cache = new ResponseCacheOptions { Store = ResponseCacheStore.Redis, Redis = redis.Address, RedisTimeout = UnhurriedRedis };
            await using var trusted = await ServingFixture.StartAsync(fixture.Options() with { Cache = cache with { RedisPassword = "s3cret pass,word" } });
            await using var stranger = await ServingFixture.StartAsync(fixture.Options() with { Cache = cache });
            using var trustedClient = Http.Client(trusted);
            using var strangerClient = Http.Client(stranger);
            var body = fixture.InferBody(20, 2);

            // When each asks the same question until the trusted server answers from Redis (writes are not waited for)
            Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync(trustedClient, "/v2/models/fraud/infer", body)).Status);
            await Http.WaitUntilAsync(async () =>
            {
                Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync(trustedClient, "/v2/models/fraud/infer", body)).Status);
                return Lookups(await trustedClient.GetStringAsync("/metrics"), "v1", "hit") >= 1;
            }, "the password-protected Redis answers the trusted server");
            var (status, response) = await Http.PostAsync(strangerClient, "/v2/models/fraud/infer", body);

            // Then the server without the password still answers, from the model, and counts the refused lookup
            Assert.Equal(HttpStatusCode.OK, status);
            var probabilities = Http.Output(response, "Probability").GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.Equal(fixture.ExpectedProbabilities[20..22], probabilities, (a, b) => Math.Abs(a - b) < 1e-5);
            var strangerMetrics = await strangerClient.GetStringAsync("/metrics");
            Assert.Equal(0, Lookups(strangerMetrics, "v1", "hit"));
            Assert.Equal(1, Lookups(strangerMetrics, "v1", "error"));
        }

        [Fact]
        public async Task Should_Compute_Every_Request_And_Count_Errors_When_Redis_Is_Not_Reachable()
        {
            // Given a server whose Redis address has nothing listening
            await using var server = await ServingFixture.StartAsync(fixture.Options() with
            {
                Cache = new ResponseCacheOptions { Store = ResponseCacheStore.Redis, Redis = $"127.0.0.1:{LoopbackPorts.Free()}" },
            });
            using var client = Http.Client(server);

            // When
            var (status, response) = await Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(0, 2));

            // Then the request is answered by the model, and the lookup counted as an error
            Assert.Equal(HttpStatusCode.OK, status);
            var probabilities = Http.Output(response, "Probability").GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.Equal(fixture.ExpectedProbabilities[..2], probabilities, (a, b) => Math.Abs(a - b) < 1e-5);
            Assert.Equal(1, Lookups(await client.GetStringAsync("/metrics"), "v1", "error"));
        }
    }
}
