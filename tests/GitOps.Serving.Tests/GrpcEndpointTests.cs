using System.Net;
using System.Runtime.InteropServices;
using GitOps.Serving.Faults;
using GitOps.Serving.Hosting;
using GitOps.Serving.Metrics;
using GitOps.Serving.Protocol.Grpc;
using GitOps.Training.Datasets;
using Google.Protobuf;
using Grpc.Core;

namespace GitOps.Serving.Tests;

public sealed class GrpcEndpointTests
{
    private const string Labels = "model=\"fraud\",version=\"v1\",track=\"canary\"";

    private static ServerOptions WithGrpc(ServerOptions options) => options with { Host = "127.0.0.1", GrpcPort = 0 };

    [Collection(nameof(ServingCollection))]
    public sealed class TheHealthAndMetadataCalls(ServingFixture fixture)
    {
        [Fact]
        public async Task Should_Report_Live_Ready_And_The_Same_Tensor_Contract_As_Rest()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(WithGrpc(fixture.Options()));
            using var grpc = new GrpcCalls(server);
            using var http = Http.Client(server);

            // When
            var live = await grpc.Client.ServerLiveAsync(new ServerLiveRequest());
            var ready = await grpc.Client.ServerReadyAsync(new ServerReadyRequest());
            var modelReady = await grpc.Client.ModelReadyAsync(new ModelReadyRequest { Name = "fraud" });
            var versionReady = await grpc.Client.ModelReadyAsync(new ModelReadyRequest { Name = "fraud", Version = "v1" });
            var serverMetadata = await grpc.Client.ServerMetadataAsync(new ServerMetadataRequest());
            var metadata = await grpc.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "fraud" });
            var (status, rest) = await Http.GetAsync(http, "/v2/models/fraud");
            var (_, restServer) = await Http.GetAsync(http, "/v2");

            // Then
            Assert.NotEqual(server.BaseAddress.Port, server.GrpcAddress!.Port);
            Assert.True(live.Live);
            Assert.True(ready.Ready);
            Assert.True(modelReady.Ready);
            Assert.True(versionReady.Ready);
            Assert.Equal(restServer.GetProperty("name").GetString(), serverMetadata.Name);
            Assert.Equal(restServer.GetProperty("version").GetString(), serverMetadata.Version);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(rest.GetProperty("name").GetString(), metadata.Name);
            Assert.Equal(["v1"], metadata.Versions);
            Assert.Equal(rest.GetProperty("platform").GetString(), metadata.Platform);
            Assert.Equal(Describe(rest, "inputs"), metadata.Inputs.Select(t => $"{t.Name}:{t.Datatype}:[{string.Join(",", t.Shape)}]"));
            Assert.Equal(Describe(rest, "outputs"), metadata.Outputs.Select(t => $"{t.Name}:{t.Datatype}:[{string.Join(",", t.Shape)}]"));
            Assert.Equal(FraudDataset.Features, metadata.Inputs.Select(i => i.Name));
        }

        private static IEnumerable<string> Describe(System.Text.Json.JsonElement metadata, string property) =>
            metadata.GetProperty(property).EnumerateArray()
                .Select(t => $"{t.GetProperty("name").GetString()}:{t.GetProperty("datatype").GetString()}:{t.GetProperty("shape").GetRawText()}");

        [Fact]
        public async Task Should_Answer_NotFound_For_Another_Model_Or_Version()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(WithGrpc(fixture.Options()));
            using var grpc = new GrpcCalls(server);

            // When
            var otherModel = await GrpcCalls.FailsAsync(grpc.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "churn" }));
            var otherReady = await GrpcCalls.FailsAsync(grpc.Client.ModelReadyAsync(new ModelReadyRequest { Name = "fraud", Version = "v9" }));
            var otherInfer = await GrpcCalls.FailsAsync(grpc.Client.ModelInferAsync(GrpcCalls.RawRequest(fixture.Rows, 0, 1, model: "churn")));

            // Then
            Assert.Equal(StatusCode.NotFound, otherModel.StatusCode);
            Assert.Equal("model 'churn' is not served here; this server serves 'fraud'", otherModel.Status.Detail);
            Assert.Equal(StatusCode.NotFound, otherReady.StatusCode);
            Assert.Contains("version 'v9'", otherReady.Status.Detail);
            Assert.Equal(StatusCode.NotFound, otherInfer.StatusCode);
            Assert.True((await grpc.Client.ServerLiveAsync(new ServerLiveRequest())).Live);
        }
    }

    [Collection(nameof(ServingCollection))]
    public sealed class TheModelInferCall(ServingFixture fixture)
    {
        [Fact]
        public async Task Should_Answer_Raw_Contents_With_Exactly_The_Rest_Outputs_For_The_Same_Rows()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(WithGrpc(fixture.Options()));
            using var grpc = new GrpcCalls(server);
            using var http = Http.Client(server);
            var request = GrpcCalls.RawRequest(fixture.Rows, 0, ServingFixture.SampleRows);
            request.Id = "req-7";

            // When
            var response = await grpc.Client.ModelInferAsync(request);
            var (status, rest) = await Http.PostAsync(http, "/v2/models/fraud/infer", fixture.InferBody(0, ServingFixture.SampleRows));

            // Then
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("fraud", response.ModelName);
            Assert.Equal("v1", response.ModelVersion);
            Assert.Equal("req-7", response.Id);
            Assert.Equal(["PredictedLabel", "Score", "Probability"], response.Outputs.Select(o => o.Name));
            Assert.Equal(3, response.RawOutputContents.Count);
            Assert.All(response.Outputs, o => Assert.Null(o.Contents));
            var probability = response.Outputs.Single(o => o.Name == "Probability");
            Assert.Equal("FP32", probability.Datatype);
            Assert.Equal([ServingFixture.SampleRows, 1L], probability.Shape);
            foreach (var name in new[] { "Probability", "Score" })
            {
                var restValues = Http.Output(rest, name).GetProperty("data").EnumerateArray().Select(v => v.GetSingle());
                Assert.Equal(restValues, GrpcCalls.Floats(response, name));
            }
            Assert.Equal(Http.Output(rest, "PredictedLabel").GetProperty("data").EnumerateArray().Select(v => v.GetBoolean()), GrpcCalls.Bools(response, "PredictedLabel"));
            var served = GrpcCalls.Floats(response, "Probability");
            for (var i = 0; i < served.Length; i++)
            {
                Assert.True(Math.Abs(served[i] - fixture.ExpectedProbabilities[i]) < 1e-5, $"row {i}: ML.NET {fixture.ExpectedProbabilities[i]}, served {served[i]}");
            }
        }

        [Fact]
        public async Task Should_Answer_Typed_Contents_With_The_Same_Values_And_Only_The_Requested_Outputs()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(WithGrpc(fixture.Options(maxBatchSize: 16, maxDelayMs: 1)));
            using var grpc = new GrpcCalls(server);
            var raw = await grpc.Client.ModelInferAsync(GrpcCalls.RawRequest(fixture.Rows, 10, 25));
            var typed = GrpcCalls.TypedRequest(fixture.Rows, 10, 25);
            typed.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "Probability" });

            // When
            var response = await grpc.Client.ModelInferAsync(typed);

            // Then
            Assert.Empty(response.RawOutputContents);
            Assert.Equal(["Probability"], response.Outputs.Select(o => o.Name));
            Assert.Equal(25, response.Outputs[0].Contents.Fp32Contents.Count);
            Assert.Equal(GrpcCalls.Floats(raw, "Probability"), GrpcCalls.Floats(response, "Probability"));
        }

        [Fact]
        public async Task Should_Count_Grpc_Calls_In_The_Same_Request_Batch_And_Score_Metrics_As_Rest()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(WithGrpc(fixture.Options()));
            using var grpc = new GrpcCalls(server);
            using var http = Http.Client(server);

            // When three gRPC calls of 2 rows, one REST request of 4 rows and one malformed gRPC call
            for (var i = 0; i < 3; i++)
            {
                await grpc.Client.ModelInferAsync(GrpcCalls.RawRequest(fixture.Rows, i * 2, 2));
            }
            Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync(http, "/v2/models/fraud/infer", fixture.InferBody(6, 4))).Status);
            var bad = GrpcCalls.RawRequest(fixture.Rows, 0, 2);
            bad.Inputs[0].Datatype = "FP64";
            await GrpcCalls.FailsAsync(grpc.Client.ModelInferAsync(bad));
            var metrics = await http.GetStringAsync("/metrics");

            // Then each call is counted once, under its protocol, with the HTTP equivalent of its status
            Assert.Equal(3, Http.Sample(metrics, ServingMetrics.RequestsTotal, Labels + ",code=\"200\",protocol=\"grpc\""));
            Assert.Equal(1, Http.Sample(metrics, ServingMetrics.RequestsTotal, Labels + ",code=\"400\",protocol=\"grpc\""));
            Assert.Equal(1, Http.Sample(metrics, ServingMetrics.RequestsTotal, Labels + ",code=\"200\",protocol=\"rest\""));
            Assert.Equal(4, Http.Sample(metrics, ServingMetrics.RequestDuration + "_count", Labels + ",protocol=\"grpc\""));
            Assert.Equal(10, Http.Sample(metrics, ServingMetrics.BatchSize + "_sum", Labels));
            Assert.Equal(10, Http.Sample(metrics, ServingMetrics.Score + "_count", Labels));
            var expectedScores = Enumerable.Range(0, 10).Sum(r => (double)fixture.ExpectedProbabilities[r]);
            Assert.Equal(expectedScores, Http.Sample(metrics, ServingMetrics.Score + "_sum", Labels), 4);
            Assert.Equal(0, Http.Sample(metrics, ServingMetrics.InFlight, Labels));
        }

        [Fact]
        public async Task Should_Inject_The_Same_Faults_As_Rest_As_Internal_Errors()
        {
            // Given a canary that fails one request in two
            await using var server = await ServingFixture.StartAsync(WithGrpc(fixture.Options()) with
            {
                Faults = new FaultInjectionOptions { ErrorFraction = 0.5, Track = "canary" },
            });
            using var grpc = new GrpcCalls(server);
            using var http = Http.Client(server);

            // When
            var failures = new List<StatusCode>();
            for (var i = 0; i < 6; i++)
            {
                try
                {
                    await grpc.Client.ModelInferAsync(GrpcCalls.RawRequest(fixture.Rows, i, 1));
                    failures.Add(StatusCode.OK);
                }
                catch (RpcException e)
                {
                    failures.Add(e.StatusCode);
                }
            }
            var metrics = await http.GetStringAsync("/metrics");

            // Then
            Assert.Equal([StatusCode.OK, StatusCode.Internal, StatusCode.OK, StatusCode.Internal, StatusCode.OK, StatusCode.Internal], failures);
            Assert.Equal(3, Http.Sample(metrics, ServingMetrics.RequestsTotal, Labels + ",code=\"500\",protocol=\"grpc\""));
            Assert.Equal(3, Http.Sample(metrics, ServingMetrics.InjectedFaults, Labels + ",kind=\"error\""));
        }
    }

    [Collection(nameof(ServingCollection))]
    public sealed class WhenTheRequestIsMalformed(ServingFixture fixture)
    {
        [Fact]
        public async Task Should_Answer_InvalidArgument_Naming_The_Input_And_Keep_Serving()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(WithGrpc(fixture.Options()));
            using var grpc = new GrpcCalls(server);
            using var http = Http.Client(server);
            var cases = new List<(string Case, ModelInferRequest Request, string Message)>
            {
                ("raw bytes not a whole number of elements", Change(r => r.RawInputContents[1] = ByteString.CopyFrom(new byte[7])),
                    "input 'hour' has 7 bytes of raw_input_contents, not a whole number of 4-byte FP32 elements"),
                ("raw bytes for another shape", Change(r => r.RawInputContents[1] = ByteString.CopyFrom(new byte[12])),
                    "input 'hour' has 3 data elements but shape [2,1] needs 2"),
                ("shape of another size", Change(r => r.Inputs[1].Shape[0] = 3),
                    "input 'hour' has 2 data elements but shape [3,1] needs 3"),
                ("wrong rank", Change(r => r.Inputs[1].Shape.RemoveAt(1)),
                    "input 'hour' has shape [2] but the model expects [-1,1] (-1 = any size)"),
                ("wrong datatype", Change(r => r.Inputs[1].Datatype = "FP64"),
                    "input 'hour' has datatype FP64 but the model expects FP32"),
                ("missing input", Change(r => { r.Inputs.RemoveAt(0); r.RawInputContents.RemoveAt(0); }),
                    "missing input amount (FP32 [-1,1])"),
                ("unknown input", Change(r => r.Inputs[1].Name = "hours"),
                    "unknown input 'hours'; the model takes amount (FP32 [-1,1]), hour (FP32 [-1,1])"),
                ("infinite value", Change(r => r.RawInputContents[1] = ByteString.CopyFrom(MemoryMarshal.AsBytes(new[] { float.PositiveInfinity, 1f }.AsSpan()))),
                    "input 'hour': element 0 is Infinity, which is not a valid FP32 value"),
                ("fewer raw entries than inputs", Change(r => r.RawInputContents.RemoveAt(3)),
                    $"raw_input_contents has {FraudDataset.Features.Count - 1} entries for {FraudDataset.Features.Count} inputs"),
                ("raw and typed contents mixed", Change(r => r.Inputs[1].Contents = new InferTensorContents { Fp32Contents = { 1f, 2f } }),
                    "input 'hour' sets contents while raw_input_contents is used"),
                ("typed values in the field of another datatype", Typed(r => { r.Inputs[1].Contents.Fp32Contents.Clear(); r.Inputs[1].Contents.IntContents.Add([1, 2]); }),
                    "input 'hour' has values outside contents.fp32_contents; FP32 values go in contents.fp32_contents"),
                ("no values", Typed(r => r.Inputs[1].Contents = null),
                    "input 'hour' has no values; put its 2 FP32 values in contents.fp32_contents or in raw_input_contents"),
                ("unknown output", Change(r => r.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "Probability.output" })),
                    "unknown output 'Probability.output'; the model returns PredictedLabel, Score, Probability"),
            };

            // When
            var answers = new List<(string Case, RpcException Error, string Message)>();
            foreach (var (name, request, message) in cases)
            {
                answers.Add((name, await GrpcCalls.FailsAsync(grpc.Client.ModelInferAsync(request)), message));
            }
            var after = await grpc.Client.ModelInferAsync(GrpcCalls.RawRequest(fixture.Rows, 0, 2));

            // Then
            Assert.All(answers, a =>
            {
                Assert.True(a.Error.StatusCode == StatusCode.InvalidArgument, $"{a.Case}: {a.Error.StatusCode} {a.Error.Status.Detail}");
                Assert.True(a.Error.Status.Detail.StartsWith(a.Message, StringComparison.Ordinal), $"{a.Case}: '{a.Error.Status.Detail}' does not start with '{a.Message}'");
            });
            Assert.Equal(fixture.ExpectedProbabilities[..2], GrpcCalls.Floats(after, "Probability"), (a, b) => Math.Abs(a - b) < 1e-5);
            Assert.True(server.IsReady);
            var metrics = await http.GetStringAsync("/metrics");
            Assert.Equal(cases.Count, Http.Sample(metrics, ServingMetrics.RequestsTotal, Labels + ",code=\"400\",protocol=\"grpc\""));
        }

        private ModelInferRequest Change(Action<ModelInferRequest> change)
        {
            var request = GrpcCalls.RawRequest(fixture.Rows, 0, 2);
            change(request);
            return request;
        }

        private ModelInferRequest Typed(Action<ModelInferRequest> change)
        {
            var request = GrpcCalls.TypedRequest(fixture.Rows, 0, 2);
            change(request);
            return request;
        }

        [Fact]
        public async Task Should_Answer_ResourceExhausted_For_A_Message_Over_The_Size_Limit_And_Keep_Serving()
        {
            // Given a 64 KiB limit, and a message of 5,000 rows (about 140 KB)
            await using var server = await ServingFixture.StartAsync(WithGrpc(fixture.Options()) with { MaxRequestBodyBytes = 64 * 1024 });
            using var grpc = new GrpcCalls(server);
            using var http = Http.Client(server);
            var rows = Enumerable.Range(0, 5000).Select(i => fixture.Rows[i % ServingFixture.SampleRows]).ToList();

            // When
            var error = await GrpcCalls.FailsAsync(grpc.Client.ModelInferAsync(GrpcCalls.RawRequest(rows, 0, rows.Count)));
            var after = await grpc.Client.ModelInferAsync(GrpcCalls.RawRequest(fixture.Rows, 0, 100));

            // Then
            Assert.True(error.StatusCode == StatusCode.ResourceExhausted, $"{error.StatusCode}: {error.Status.Detail} {error.Status.DebugException}");
            Assert.Equal(100, GrpcCalls.Floats(after, "Probability").Length);
            var metrics = await http.GetStringAsync("/metrics");
            Assert.Equal(1, Http.Sample(metrics, ServingMetrics.RequestsTotal, Labels + ",code=\"413\",protocol=\"grpc\""));
            Assert.Equal(1, Http.Sample(metrics, ServingMetrics.RequestsTotal, Labels + ",code=\"200\",protocol=\"grpc\""));
        }
    }

    [Collection(nameof(ServingCollection))]
    public sealed class TheAccessControls(ServingFixture fixture)
    {
        [Fact]
        public async Task Should_Require_The_Rest_Bearer_Token_In_The_Authorization_Metadata_On_Model_Calls_Only()
        {
            // Given
            await using var server = await ServingFixture.StartAsync(WithGrpc(fixture.Options()) with { Token = "s3cret" });
            using var grpc = new GrpcCalls(server);
            using var http = Http.Client(server);

            // When
            var none = await GrpcCalls.FailsAsync(grpc.Client.ModelInferAsync(GrpcCalls.RawRequest(fixture.Rows, 0, 1)));
            var wrong = await GrpcCalls.FailsAsync(grpc.Client.ModelInferAsync(GrpcCalls.RawRequest(fixture.Rows, 0, 1), GrpcCalls.Bearer("guess")));
            var metadata = await GrpcCalls.FailsAsync(grpc.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "fraud" }));
            var right = await grpc.Client.ModelInferAsync(GrpcCalls.RawRequest(fixture.Rows, 0, 1), GrpcCalls.Bearer("s3cret"));
            var rightMetadata = await grpc.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "fraud" }, GrpcCalls.Bearer("s3cret"));
            var live = await grpc.Client.ServerLiveAsync(new ServerLiveRequest());

            // Then
            Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
            Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
            Assert.Contains("Bearer", none.Status.Detail);
            Assert.Equal(StatusCode.Unauthenticated, metadata.StatusCode);
            Assert.Single(GrpcCalls.Floats(right, "Probability"));
            Assert.Equal("fraud", rightMetadata.Name);
            Assert.True(live.Live);
            var metrics = await http.GetStringAsync("/metrics");
            Assert.Equal(2, Http.Sample(metrics, ServingMetrics.RequestsTotal, Labels + ",code=\"401\",protocol=\"grpc\""));
        }

        [Fact]
        public async Task Should_Answer_ResourceExhausted_Above_The_Concurrency_Limit()
        {
            // Given: one slot, and a batch window long enough to hold the first call in flight
            await using var server = await ServingFixture.StartAsync(WithGrpc(fixture.Options(maxBatchSize: 64, maxDelayMs: 1500)) with { MaxConcurrency = 1 });
            using var grpc = new GrpcCalls(server);
            using var first = grpc.Client.ModelInferAsync(GrpcCalls.RawRequest(fixture.Rows, 0, 1));
            await Http.WaitUntilAsync(() => server.InFlightRequests == 1, "the first call is in flight");

            // When
            var refused = await GrpcCalls.FailsAsync(grpc.Client.ModelInferAsync(GrpcCalls.RawRequest(fixture.Rows, 1, 1)));

            // Then
            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
            Assert.Contains("limit 1", refused.Status.Detail);
            Assert.Single(GrpcCalls.Floats(await first.ResponseAsync, "Probability"));
        }
    }
}
