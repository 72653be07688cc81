using System.Net;
using System.Text;
using GitOps.Serving.Faults;
using GitOps.Serving.Hosting;
using GitOps.Serving.Metrics;
using GitOps.Training.Datasets;

namespace GitOps.Serving.Tests;

public sealed class InferenceServerTests
{
    [Collection(nameof(ServingCollection))]
    public sealed class TheInferEndpoint(ServingFixture fixture)
    {
        [Fact]
        public async Task Should_Serve_Predictions_Equal_To_MlNet_Over_Http()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(fixture.Options());
            using var client = Http.Client(server);

            // When
            var (status, body) = await Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(0, ServingFixture.SampleRows, id: "req-1"));

            // Then
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("fraud", body.GetProperty("model_name").GetString());
            Assert.Equal("v1", body.GetProperty("model_version").GetString());
            Assert.Equal("req-1", body.GetProperty("id").GetString());
            var probability = Http.Output(body, "Probability");
            Assert.Equal("FP32", probability.GetProperty("datatype").GetString());
            Assert.Equal([ServingFixture.SampleRows, 1], probability.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
            var served = probability.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            for (var i = 0; i < served.Length; i++)
            {
                Assert.True(Math.Abs(served[i] - fixture.ExpectedProbabilities[i]) < 1e-5, $"row {i}: ML.NET {fixture.ExpectedProbabilities[i]}, served {served[i]}");
            }
            var labels = Http.Output(body, "PredictedLabel").GetProperty("data").EnumerateArray().Select(v => v.GetBoolean());
            Assert.Equal(fixture.ExpectedLabels, labels);
            Assert.Contains(fixture.ExpectedLabels, l => l);
        }

        [Fact]
        public async Task Should_Return_Only_The_Requested_Outputs_On_The_Versioned_Route()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(fixture.Options());
            using var client = Http.Client(server);
            var body = fixture.InferBody(0, 3).TrimEnd('}') + ",\"outputs\":[{\"name\":\"Score\"}]}";

            // When
            var (status, response) = await Http.PostAsync(client, "/v2/models/fraud/versions/v1/infer", body);

            // Then
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(["Score"], response.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        }

        [Fact]
        public async Task Should_Accept_Nested_Row_Major_Data()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(fixture.Options());
            using var client = Http.Client(server);
            var flat = fixture.InferBody(5, 2);
            var nested = System.Text.RegularExpressions.Regex.Replace(flat, "\"data\":\\[([^,\\]]+),([^\\]]+)\\]", "\"data\":[[$1],[$2]]");

            // When
            var (_, a) = await Http.PostAsync(client, "/v2/models/fraud/infer", flat);
            var (status, b) = await Http.PostAsync(client, "/v2/models/fraud/infer", nested);

            // Then
            Assert.NotEqual(flat, nested);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(Http.Output(a, "Probability").GetRawText(), Http.Output(b, "Probability").GetRawText());
        }
    }

    [Collection(nameof(ServingCollection))]
    public sealed class WithDynamicBatching(ServingFixture fixture)
    {
        [Fact]
        public async Task Should_Answer_Concurrent_Requests_Exactly_As_Single_Unbatched_Requests()
        {
            // Given
            await using var single = await ServingFixture.StartAsync(fixture.Options(maxBatchSize: 1));
            await using var batched = await ServingFixture.StartAsync(fixture.Options(maxBatchSize: 32, maxDelayMs: 100));
            using var singleClient = Http.Client(single);
            using var batchedClient = Http.Client(batched);
            var bodies = Enumerable.Range(0, 48).Select(i => fixture.InferBody(i, 1 + i % 3)).ToList();
            var expected = new List<string>();
            foreach (var body in bodies)
            {
                expected.Add((await Http.PostAsync(singleClient, "/v2/models/fraud/infer", body)).Body.GetProperty("outputs").GetRawText());
            }

            // When
            var responses = await Task.WhenAll(bodies.Select(b => Http.PostAsync(batchedClient, "/v2/models/fraud/infer", b)));

            // Then
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Status));
            Assert.Equal(expected, responses.Select(r => r.Body.GetProperty("outputs").GetRawText()));
            var metrics = await batchedClient.GetStringAsync("/metrics");
            var runs = metrics.Split('\n').Single(l => l.StartsWith(ServingMetrics.BatchSize + "_count{", StringComparison.Ordinal));
            Assert.True(double.Parse(runs.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) < 48, $"requests were not merged: {runs}");
        }
    }

    [Collection(nameof(ServingCollection))]
    public sealed class TheHealthAndMetadataEndpoints(ServingFixture fixture)
    {
        [Fact]
        public async Task Should_Report_Live_Ready_And_The_Served_Tensor_Contract()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(fixture.Options());
            using var client = Http.Client(server);

            // When
            var live = await Http.GetAsync(client, "/v2/health/live");
            var ready = await Http.GetAsync(client, "/v2/health/ready");
            var modelReady = await Http.GetAsync(client, "/v2/models/fraud/ready");
            var metadata = await Http.GetAsync(client, "/v2/models/fraud");

            // Then
            Assert.Equal(HttpStatusCode.OK, live.Status);
            Assert.Equal(HttpStatusCode.OK, ready.Status);
            Assert.True(modelReady.Body.GetProperty("ready").GetBoolean());
            Assert.Equal(HttpStatusCode.OK, metadata.Status);
            Assert.Equal(["v1"], metadata.Body.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
            var inputs = metadata.Body.GetProperty("inputs").EnumerateArray().ToList();
            Assert.Equal(FraudDataset.Features, inputs.Select(i => i.GetProperty("name").GetString()));
            Assert.All(inputs, i => Assert.Equal("FP32", i.GetProperty("datatype").GetString()));
            Assert.All(inputs, i => Assert.Equal("[-1,1]", i.GetProperty("shape").GetRawText()));
            Assert.Equal(["PredictedLabel:BOOL", "Score:FP32", "Probability:FP32"],
                metadata.Body.GetProperty("outputs").EnumerateArray().Select(o => $"{o.GetProperty("name").GetString()}:{o.GetProperty("datatype").GetString()}"));
        }

        [Fact]
        public async Task Should_Answer_404_For_Another_Model_Or_Version()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(fixture.Options());
            using var client = Http.Client(server);

            // When
            var otherModel = await Http.GetAsync(client, "/v2/models/churn");
            var otherVersion = await Http.PostAsync(client, "/v2/models/fraud/versions/v9/infer", fixture.InferBody(0, 1));

            // Then
            Assert.Equal(HttpStatusCode.NotFound, otherModel.Status);
            Assert.Equal("model 'churn' is not served here; this server serves 'fraud'", otherModel.Body.GetProperty("error").GetString());
            Assert.Equal(HttpStatusCode.NotFound, otherVersion.Status);
            Assert.Contains("version 'v9'", otherVersion.Body.GetProperty("error").GetString());
        }

        [Fact]
        public async Task Should_Answer_A_Path_Or_Method_The_Protocol_Does_Not_Have_With_A_Json_Error_Naming_The_Endpoints()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(fixture.Options());
            using var client = Http.Client(server);

            // When
            var unknownPath = await Http.GetAsync(client, "/v1/models/fraud:predict");
            var wrongMethod = await Http.GetAsync(client, "/v2/models/fraud/infer");

            // Then
            Assert.Equal(HttpStatusCode.NotFound, unknownPath.Status);
            Assert.StartsWith("no endpoint GET /v1/models/fraud:predict; this server answers GET /v2,", unknownPath.Body.GetProperty("error").GetString());
            Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.Status);
            Assert.StartsWith("GET is not allowed on /v2/models/fraud/infer; this server answers", wrongMethod.Body.GetProperty("error").GetString());
            Assert.Contains("POST /v2/models/NAME[/versions/VERSION]/infer", wrongMethod.Body.GetProperty("error").GetString());
        }

        [Fact]
        public async Task Should_Stop_Being_Ready_After_Stop()
        {
            // Given
            var server = await ServingFixture.StartAsync(fixture.Options());
            Assert.True(server.IsReady);

            // When
            await server.StopAsync(CancellationToken.None);

            // Then
            Assert.False(server.IsReady);
        }
    }

    [Collection(nameof(ServingCollection))]
    public sealed class WhenTheRequestIsMalformed(ServingFixture fixture)
    {
        public static TheoryData<string, string, string> Cases(ServingFixture f) => new()
        {
            { "invalid-json", "{\"inputs\": [", "request body is not valid JSON" },
            { "not-an-object", "[1,2,3]", "request body must be a JSON object with an \"inputs\" array" },
            { "no-inputs", "{\"id\":\"x\"}", "request must have an \"inputs\" array; the model takes amount (FP32 [-1,1])" },
            { "unknown-input", Replace(f, "\"name\":\"hour\"", "\"name\":\"hours\""), "unknown input 'hours'; the model takes amount (FP32 [-1,1]), hour (FP32 [-1,1])" },
            { "missing-input", DropFirstInput(f), "missing input amount (FP32 [-1,1])" },
            { "duplicate-input", Replace(f, "\"name\":\"hour\"", "\"name\":\"amount\""), "input 'amount' is given more than once" },
            { "wrong-datatype", Replace(f, "\"name\":\"hour\",\"datatype\":\"FP32\"", "\"name\":\"hour\",\"datatype\":\"FP64\""), "input 'hour' has datatype FP64 but the model expects FP32" },
            { "wrong-rank", Replace(f, "\"name\":\"hour\",\"datatype\":\"FP32\",\"shape\":[2,1]", "\"name\":\"hour\",\"datatype\":\"FP32\",\"shape\":[2]"), "input 'hour' has shape [2] but the model expects [-1,1] (-1 = any size)" },
            { "wrong-fixed-dimension", Replace(f, "\"name\":\"hour\",\"datatype\":\"FP32\",\"shape\":[2,1]", "\"name\":\"hour\",\"datatype\":\"FP32\",\"shape\":[1,2]"), "input 'hour' has shape [1,2] but the model expects [-1,1] (-1 = any size)" },
            { "element-count", Replace(f, "\"name\":\"hour\",\"datatype\":\"FP32\",\"shape\":[2,1]", "\"name\":\"hour\",\"datatype\":\"FP32\",\"shape\":[3,1]"), "input 'hour' has 2 data elements but shape [3,1] needs 3" },
            { "string-value", ReplaceHourData(f, "[\"7\",1]"), "input 'hour': element 0 is \"7\", which is not a valid FP32 value" },
            { "out-of-range-value", ReplaceHourData(f, "[1e39,1]"), "input 'hour': element 0 is 1e39, which is not a valid FP32 value" },
            { "batch-mismatch", ReplaceHour(f, "\"shape\":[1,1],\"data\":[3]"), "all inputs must have the same batch size (first dimension): 'amount' has 2, 'hour' has 1" },
            { "negative-dimension", ReplaceHour(f, "\"shape\":[-1,1],\"data\":[3]"), "input 'hour' has an invalid shape [-1,1]: dimensions must be non-negative integers" },
            { "empty-batch", EmptyBatch(f), "batch size (first dimension) must be at least 1" },
            { "unknown-output", f.InferBody(0, 2).TrimEnd('}') + ",\"outputs\":[{\"name\":\"Probability.output\"}]}", "unknown output 'Probability.output'; the model returns PredictedLabel, Score, Probability" },
        };

        private static string Replace(ServingFixture f, string from, string to)
        {
            var body = f.InferBody(0, 2);
            Assert.Contains(from, body);
            return body.Replace(from, to, StringComparison.Ordinal);
        }

        private static string ReplaceHour(ServingFixture f, string shapeAndData)
        {
            var body = f.InferBody(0, 2);
            return System.Text.RegularExpressions.Regex.Replace(body, "(\"name\":\"hour\",\"datatype\":\"FP32\",)\"shape\":\\[2,1\\],\"data\":\\[[^\\]]*\\]", "$1" + shapeAndData);
        }

        private static string ReplaceHourData(ServingFixture f, string data) => ReplaceHour(f, "\"shape\":[2,1],\"data\":" + data);

        private static string DropFirstInput(ServingFixture f)
        {
            var body = f.InferBody(0, 2);
            var start = body.IndexOf("{\"name\":\"amount\"", StringComparison.Ordinal);
            var end = body.IndexOf("{\"name\":\"hour\"", StringComparison.Ordinal);
            return body.Remove(start, end - start);
        }

        private static string EmptyBatch(ServingFixture f) =>
            System.Text.RegularExpressions.Regex.Replace(f.InferBody(0, 2), "\"shape\":\\[2,1\\],\"data\":\\[[^\\]]*\\]", "\"shape\":[0,1],\"data\":[]");

        [Fact]
        public async Task Should_Answer_400_With_What_Was_Expected_For_Every_Malformed_Request_Class()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(fixture.Options(maxBatchSize: 8, maxDelayMs: 1));
            using var client = Http.Client(server);
            var failures = new List<string>();

            foreach (var row in Cases(fixture))
            {
                var (name, body, expected) = ((string)row[0], (string)row[1], (string)row[2]);

                // When
                var (status, response) = await Http.PostAsync(client, "/v2/models/fraud/infer", body);

                // Then
                var message = response.GetProperty("error").GetString()!;
                if (status != HttpStatusCode.BadRequest || !message.StartsWith(expected, StringComparison.Ordinal))
                {
                    failures.Add($"{name}: {(int)status} '{message}', expected 400 starting with '{expected}'");
                }
            }
            Assert.Empty(failures);
            Assert.Equal(16, Cases(fixture).Count);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public async Task Should_Answer_413_For_A_Body_Over_The_Limit(bool withContentLength)
        {
            // Given
            await using var server = await ServingFixture.StartAsync(fixture.Options() with { MaxRequestBodyBytes = 8 * 1024 });
            using var client = Http.Client(server);
            var body = Encoding.UTF8.GetBytes(fixture.InferBody(0, ServingFixture.SampleRows));
            HttpContent content = withContentLength
                ? new ByteArrayContent(body)
                : new StreamContent(new NonSeekableStream(body));

            // When
            using var response = await client.PostAsync("/v2/models/fraud/infer", content);
            var text = await response.Content.ReadAsStringAsync();

            // Then
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Contains("exceeds the limit of 8192 bytes", text);
        }

        private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
        {
            public override bool CanSeek => false;
        }
    }

    [Collection(nameof(ServingCollection))]
    public sealed class TheAccessControls(ServingFixture fixture)
    {
        private const string Labels = "model=\"fraud\",version=\"v1\",track=\"canary\"";

        [Fact]
        public async Task Should_Answer_429_Above_The_Concurrency_Limit()
        {
            // Given: one slot, and a batch window long enough to hold the first request in flight
            await using var server = await ServingFixture.StartAsync(fixture.Options(maxBatchSize: 64, maxDelayMs: 1500) with { MaxConcurrency = 1 });
            using var client = Http.Client(server);
            var first = Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(0, 1));
            await Http.WaitUntilAsync(() => server.InFlightRequests == 1, "the first request is in flight");

            // When
            var (status, body) = await Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(1, 1));

            // Then
            Assert.Equal((HttpStatusCode)429, status);
            Assert.Contains("limit 1", body.GetProperty("error").GetString());
            Assert.Equal(HttpStatusCode.OK, (await first).Status);
            var metrics = await client.GetStringAsync("/metrics");
            Assert.Equal(1, Http.Sample(metrics, ServingMetrics.RequestsTotal, Labels + ",code=\"429\""));
            Assert.Equal(1, Http.Sample(metrics, ServingMetrics.RequestsTotal, Labels + ",code=\"200\""));
        }

        [Fact]
        public async Task Should_Give_The_Slot_Back_When_Requests_End_Answered_Refused_Or_Failed()
        {
            // Given one slot, held by a request in a long batch window, and a second request refused with 429
            await using var server = await ServingFixture.StartAsync(fixture.Options(maxBatchSize: 64, maxDelayMs: 1500) with { MaxConcurrency = 1 });
            using var client = Http.Client(server);
            var first = Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(0, 1));
            await Http.WaitUntilAsync(() => server.InFlightRequests == 1, "the first request is in flight");
            var (refused, _) = await Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(1, 1));
            await first;

            // When a request that fails validation, then a good one, use the slot in turn
            var (invalid, _) = await Http.PostAsync(client, "/v2/models/fraud/infer", "{\"inputs\": []}");
            var (next, _) = await Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(2, 1));

            // Then the concurrency limiter's permit came back each time
            Assert.Equal((HttpStatusCode)429, refused);
            Assert.Equal(HttpStatusCode.BadRequest, invalid);
            Assert.Equal(HttpStatusCode.OK, next);
            Assert.Equal(0, server.InFlightRequests);
            var metrics = await client.GetStringAsync("/metrics");
            Assert.Equal(0, Http.Sample(metrics, ServingMetrics.InFlight, Labels));
        }

        [Fact]
        public async Task Should_Require_The_Bearer_Token_On_Model_Endpoints_Only()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(fixture.Options() with { Token = "s3cret" });
            using var client = Http.Client(server);

            // When
            var none = await Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(0, 1));
            var wrong = await Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(0, 1), token: "guess");
            var right = await Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(0, 1), token: "s3cret");
            var metadata = await Http.GetAsync(client, "/v2/models/fraud");
            var health = await Http.GetAsync(client, "/v2/health/ready");

            // Then
            Assert.Equal(HttpStatusCode.Unauthorized, none.Status);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
            Assert.Contains("Bearer", none.Body.GetProperty("error").GetString());
            Assert.Equal(HttpStatusCode.OK, right.Status);
            Assert.Equal(HttpStatusCode.Unauthorized, metadata.Status);
            Assert.Equal(HttpStatusCode.OK, health.Status);
            var metrics = await client.GetStringAsync("/metrics");
            Assert.Equal(2, Http.Sample(metrics, ServingMetrics.RequestsTotal, Labels + ",code=\"401\""));
            Assert.Equal(1, Http.Sample(metrics, ServingMetrics.RequestsTotal, Labels + ",code=\"200\""));
        }
    }

    [Collection(nameof(ServingCollection))]
    public sealed class TheMetricsEndpoint(ServingFixture fixture)
    {
        [Fact]
        public async Task Should_Count_Requests_By_Status_And_Record_Durations_Batches_And_Scores()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(fixture.Options(maxBatchSize: 16, maxDelayMs: 1));
            using var client = Http.Client(server);

            // When
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(i, 3))).Status);
            }
            for (var i = 0; i < 2; i++)
            {
                Assert.Equal(HttpStatusCode.BadRequest, (await Http.PostAsync(client, "/v2/models/fraud/infer", "{}")).Status);
            }
            var text = await client.GetStringAsync("/metrics");

            // Then
            const string labels = "model=\"fraud\",version=\"v1\",track=\"canary\"";
            Assert.Equal(5, Http.Sample(text, ServingMetrics.RequestsTotal, labels + ",code=\"200\""));
            Assert.Equal(2, Http.Sample(text, ServingMetrics.RequestsTotal, labels + ",code=\"400\""));
            Assert.Equal(7, Http.Sample(text, ServingMetrics.RequestDuration + "_count", labels));
            Assert.Equal(15, Http.Sample(text, ServingMetrics.Score + "_count", labels));
            var scoreSum = Http.Sample(text, ServingMetrics.Score + "_sum", labels);
            var expectedSum = Enumerable.Range(0, 5).Sum(i => Enumerable.Range(i, 3).Sum(r => (double)fixture.ExpectedProbabilities[r]));
            Assert.Equal(expectedSum, scoreSum, 4);
            Assert.Equal(15, Http.Sample(text, ServingMetrics.BatchSize + "_sum", labels));
            Assert.Equal(0, Http.Sample(text, ServingMetrics.InFlight, labels));
            Assert.Equal(1, Http.Sample(text, ServingMetrics.Ready, labels));
            Assert.Equal(1, Http.Sample(text, ServingMetrics.ModelInfo, labels + $",execution_provider=\"{server.ExecutionProvider}\",threads=\"1\""));
        }
    }

    [Collection(nameof(ServingCollection))]
    public sealed class TheShutdown(ServingFixture fixture)
    {
        [Fact]
        public async Task Should_Answer_Every_Accepted_Request_While_Stopping()
        {
            // Given: requests held in a long batch window when the stop begins
            var server = await ServingFixture.StartAsync(fixture.Options(maxBatchSize: 1000, maxDelayMs: 1500));
            using var client = Http.Client(server);
            var requests = Enumerable.Range(0, 12)
                .Select(i => Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(i, 1)))
                .ToList();
            await Http.WaitUntilAsync(() => server.InFlightRequests == 12, "12 requests are in flight");

            // When
            var stop = server.StopAsync(CancellationToken.None);
            var responses = await Task.WhenAll(requests);
            await stop;

            // Then
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Status));
            for (var i = 0; i < responses.Length; i++)
            {
                var p = Http.Output(responses[i].Body, "Probability").GetProperty("data")[0].GetSingle();
                Assert.True(Math.Abs(p - fixture.ExpectedProbabilities[i]) < 1e-5);
            }
            Assert.False(server.IsReady);
        }
    }

    [Collection(nameof(ServingCollection))]
    public sealed class WithFaultInjection(ServingFixture fixture)
    {
        private const string Labels = "model=\"fraud\",version=\"v1\",track=\"canary\"";

        [Fact]
        public async Task Should_Answer_Exactly_The_Given_Fraction_With_500_When_Errors_Are_Injected()
        {
            // Given a canary that fails one request in four
            await using var server = await ServingFixture.StartAsync(fixture.Options() with
            {
                Faults = new FaultInjectionOptions { ErrorFraction = 0.25, Track = "canary" },
            });
            using var client = Http.Client(server);

            // When
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 20; i++)
            {
                statuses.Add((await Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(i, 1))).Status);
            }
            var metrics = await client.GetStringAsync("/metrics");

            // Then the errors are spread evenly and counted like any other 5xx
            Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.InternalServerError));
            Assert.Equal(15, statuses.Count(s => s == HttpStatusCode.OK));
            Assert.Equal(HttpStatusCode.InternalServerError, statuses[3]);
            Assert.Equal(5, Http.Sample(metrics, ServingMetrics.RequestsTotal, Labels + ",code=\"500\""));
            Assert.Equal(15, Http.Sample(metrics, ServingMetrics.RequestsTotal, Labels + ",code=\"200\""));
            Assert.Equal(5, Http.Sample(metrics, ServingMetrics.InjectedFaults, Labels + ",kind=\"error\""));
            var (_, health) = await Http.GetAsync(client, "/v2/health/ready");
            Assert.True(health.GetProperty("ready").GetBoolean());
        }

        [Fact]
        public async Task Should_Add_The_Latency_To_Every_Infer_Request_When_Latency_Is_Injected()
        {
            // Given
            var latency = TimeSpan.FromMilliseconds(150);
            await using var server = await ServingFixture.StartAsync(fixture.Options() with { Faults = new FaultInjectionOptions { Latency = latency } });
            using var client = Http.Client(server);

            // When
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(i, 1))).Status);
            }
            var metrics = await client.GetStringAsync("/metrics");

            // Then every request waited at least the injected latency
            Assert.Equal(4, Http.Sample(metrics, ServingMetrics.InjectedFaults, Labels + ",kind=\"latency\""));
            Assert.True(Http.Sample(metrics, ServingMetrics.RequestDuration + "_sum", Labels) >= 4 * latency.TotalSeconds);
        }

        [Fact]
        public async Task Should_Inject_Nothing_When_The_Faults_Are_For_Another_Track()
        {
            // Given faults meant for stable servers, on a canary
            await using var server = await ServingFixture.StartAsync(fixture.Options() with
            {
                Faults = new FaultInjectionOptions { ErrorFraction = 1, Track = "stable" },
            });
            using var client = Http.Client(server);

            // When
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 5; i++)
            {
                statuses.Add((await Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(i, 1))).Status);
            }

            // Then
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
            Assert.DoesNotContain(ServingMetrics.InjectedFaults + "{", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);
        }

        [Theory]
        [InlineData(1.5, 0, null, "--fault-errors must be a fraction between 0 and 1")]
        [InlineData(-0.1, 0, null, "--fault-errors must be a fraction between 0 and 1")]
        [InlineData(0, 120_000, null, "--fault-latency must be between 0 and 1m")]
        [InlineData(0.1, 0, "blue", "--fault-track must be stable or canary, found 'blue'")]
        public void Should_Name_The_Option_When_A_Fault_Option_Is_Out_Of_Range(double errors, int latencyMs, string? track, string expected)
        {
            // Given
            var options = fixture.Options() with
            {
                Faults = new FaultInjectionOptions { ErrorFraction = errors, Latency = TimeSpan.FromMilliseconds(latencyMs), Track = track },
            };

            // When
            var problems = options.Validate();

            // Then
            Assert.Contains(problems, p => p.StartsWith(expected, StringComparison.Ordinal));
        }
    }
}
