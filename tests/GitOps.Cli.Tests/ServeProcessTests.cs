using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using GitOps.Planning.Rendering;
using GitOps.Serving.Protocol.Grpc;
using GitOps.Specs;
using GitOps.Specs.Model;
using GitOps.Testing.Golden;
using GitOps.Testing.Redis;
using GitOps.Training.Builtin;
using GitOps.Training.Datasets;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed partial class ServeProcessTests
{
    private const string Token = "correct-horse-battery-staple";
    private const string RedisPassword = "tr0ub4dor&3";

    /// <summary>
    /// Starts <c>gitops serve</c> as its own process with the arguments the renderer gives the server of the example prod
    /// environment (which requires a token), the token file where the kubelet would mount the Secret's key, and the
    /// model where the init container would fetch it; only the listening address is changed to loopback. The model
    /// caches its answers in the environment's Redis (a real, password-protected <c>redis-server</c>), whose password
    /// file is mounted the same way.
    /// </summary>
    public sealed class TheServeCommand : IAsyncLifetime
    {
        private readonly string _root = Directory.CreateTempSubdirectory("gitops-serve-process-").FullName;
        private readonly ConcurrentQueue<string> _log = new();
        private Process? _server;
        private Uri? _address;
        private Uri? _grpcAddress;
        private RedisProcess? _redis;
        private string? _modelPath;

        public async Task InitializeAsync()
        {
            _redis = await RedisProcess.StartAsync(CancellationToken.None, RedisPassword);
            var dataset = Path.Combine(_root, "fraud.csv");
            FraudDataset.WriteFile(dataset, 400, 3);
            var (outcome, _) = await new TabularTrainer(TimeProvider.System).TrainWithModelAsync(new TrainingRequest
            {
                DatasetPath = dataset,
                Label = FraudDataset.Label,
                Task = ModelTasks.BinaryClassification,
                Algorithm = BuiltinAlgorithms.FastTree,
                Seed = 1,
                Hyperparameters = ImmutableSortedDictionary<string, string>.Empty.Add("numberOfTrees", "5"),
                OutputDirectory = Path.Combine(_root, "model"),
            }, CancellationToken.None);
            Assert.True(outcome.Succeeded, outcome.Error);

            var args = RenderedServerArguments();
            var tokenPath = args[args.IndexOf("--token-file") + 1];
            var tokenFile = Path.Combine(_root, "secret", Path.GetFileName(tokenPath));
            Directory.CreateDirectory(Path.GetDirectoryName(tokenFile)!);
            // As kubectl create secret --from-file writes it: with the file's trailing newline.
            File.WriteAllText(tokenFile, Token + "\n");
            Replace(args, "--token-file", tokenFile);
            var passwordFile = Path.Combine(_root, "secret", Path.GetFileName(args[args.IndexOf("--cache-redis-password-file") + 1]));
            File.WriteAllText(passwordFile, RedisPassword + "\n");
            Replace(args, "--cache-redis-password-file", passwordFile);
            Replace(args, "--cache-redis", _redis.Address);
            _modelPath = outcome.Result!.ModelPath;
            Replace(args, "--model", _modelPath);
            Replace(args, "--host", "127.0.0.1");
            Replace(args, "--port", "0");
            Replace(args, "--grpc-port", "0");

            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gitops.dll"));
            foreach (var arg in args)
            {
                psi.ArgumentList.Add(arg);
            }
            _server = Process.Start(psi)!;
            _server.OutputDataReceived += (_, e) => _log.Enqueue(e.Data ?? "");
            _server.ErrorDataReceived += (_, e) => _log.Enqueue(e.Data ?? "");
            _server.BeginOutputReadLine();
            _server.BeginErrorReadLine();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (_address is null)
            {
                Assert.False(_server.HasExited, $"gitops serve exited ({(_server.HasExited ? _server.ExitCode : 0)}):\n{string.Join("\n", _log)}");
                Assert.True(DateTime.UtcNow < deadline, $"gitops serve did not start listening:\n{string.Join("\n", _log)}");
                var line = _log.Select(l => ListeningOn().Match(l)).FirstOrDefault(m => m.Success);
                _address = line is null ? null : new Uri(line.Groups["url"].Value);
                var grpcLine = _log.Select(l => GrpcListeningOn().Match(l)).FirstOrDefault(m => m.Success);
                _grpcAddress = grpcLine is null ? null : new Uri(grpcLine.Groups["url"].Value);
                await Task.Delay(20);
            }
        }

        public async Task DisposeAsync()
        {
            if (_server is { HasExited: false })
            {
                _server.Kill(entireProcessTree: true);
                await _server.WaitForExitAsync();
            }
            _server?.Dispose();
            if (_redis is not null)
            {
                await _redis.DisposeAsync();
            }
            Directory.Delete(_root, recursive: true);
        }

        [Theory]
        [InlineData("127.0.0.1", "the port is in use by another process")]
        [InlineData("8.8.8.8", "this machine has no such address")]
        public async Task Should_Say_Why_It_Cannot_Listen_And_What_To_Do_Without_A_Stack_Trace(string host, string why)
        {
            // Given the port the running server holds, or an address this machine does not have
            var port = _address!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

            // When
            var result = await CliRunner.RunAsync("serve", "--model", _modelPath!, "--name", "fraud", "--host", host, "--port", port);

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"error: cannot listen on {host}:{port}: {why}. Pass another --port (0 picks a free one)", result.Stderr);
            Assert.DoesNotContain("   at ", result.Stdout + result.Stderr);
            Assert.DoesNotContain("internal error", result.Stderr);
        }

        [Fact]
        public async Task Should_Answer_401_Without_The_Token_And_200_With_It_When_The_Environment_Requires_One()
        {
            // Given
            using var client = new HttpClient { BaseAddress = _address };
            var body = InferBody();

            // When
            var none = await client.PostAsync("/v2/models/fraud-detector/infer", new StringContent(body, Encoding.UTF8, "application/json"));
            var wrong = await Send(client, body, "Bearer not-the-token");
            var right = await Send(client, body, "Bearer " + Token);
            var health = await client.GetAsync("/v2/health/ready");
            var metrics = await client.GetAsync("/metrics");

            // Then
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
            Assert.Contains("\"outputs\"", await right.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.DoesNotContain(Token, await metrics.Content.ReadAsStringAsync());
            Assert.DoesNotContain(_log, l => l.Contains(Token, StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_Serve_The_Grpc_Inference_Service_On_The_Rendered_Grpc_Port_With_The_Same_Token()
        {
            // Given
            Assert.NotNull(_grpcAddress);
            using var channel = GrpcChannel.ForAddress(_grpcAddress);
            var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
            var request = new ModelInferRequest { ModelName = "fraud-detector" };
            foreach (var feature in FraudDataset.Features)
            {
                request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = feature, Datatype = "FP32", Shape = { 1, 1 } });
                request.RawInputContents.Add(ByteString.CopyFrom(BitConverter.GetBytes(0.5f)));
            }

            // When
            var live = await client.ServerLiveAsync(new ServerLiveRequest());
            var none = await Assert.ThrowsAsync<RpcException>(async () => await client.ModelInferAsync(request));
            var right = await client.ModelInferAsync(request, new Grpc.Core.Metadata { { "authorization", "Bearer " + Token } });

            // Then
            Assert.True(live.Live);
            Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
            Assert.Equal(["PredictedLabel", "Score", "Probability"], right.Outputs.Select(o => o.Name));
            Assert.Equal(4, right.RawOutputContents[2].Length);
        }

        [Fact]
        public async Task Should_Answer_A_Repeated_Request_From_The_Environments_Redis_With_The_Mounted_Password()
        {
            // Given
            using var client = new HttpClient { BaseAddress = _address };
            var body = InferBody(0.25f);
            var first = await Send(client, body, "Bearer " + Token);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var computed = await first.Content.ReadAsStringAsync();

            // When the same question is asked again until Redis holds the answer (its writes are not waited for)
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            string metrics;
            string again;
            do
            {
                Assert.True(DateTime.UtcNow < deadline, $"no cache hit from Redis:\n{string.Join("\n", _log)}");
                again = await (await Send(client, body, "Bearer " + Token)).Content.ReadAsStringAsync();
                metrics = await client.GetStringAsync("/metrics");
            }
            while (!CacheHit().IsMatch(metrics));

            // Then the answer from Redis is the computed one, and the password never shows
            Assert.Equal(Outputs(computed), Outputs(again));
            Assert.DoesNotContain(RedisPassword, metrics);
            Assert.DoesNotContain(_log, l => l.Contains(RedisPassword, StringComparison.Ordinal));
            Assert.StartsWith("-NOAUTH", await _redis!.CommandAsync("DBSIZE", CancellationToken.None), StringComparison.Ordinal);
        }

        private static string Outputs(string response) =>
            System.Text.Json.JsonDocument.Parse(response).RootElement.GetProperty("outputs").GetRawText();

        private static async Task<HttpResponseMessage> Send(HttpClient client, string body, string authorization)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/fraud-detector/infer")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            return await client.SendAsync(request);
        }
    }

    /// <summary>The command and arguments of the server container of fraud-detector's stable Deployment in prod.</summary>
    private static List<string> RenderedServerArguments()
    {
        // The example prod environment, with a Redis for the response cache that fraud-detector uses there.
        var examples = SpecValidator.Validate(SpecFileReader.Read(RepositoryPaths.Root)).Specs;
        var specs = SpecSet.From(examples.All.Select(s => s switch
        {
            EnvironmentSpec { Name: "prod" } e => e with
            {
                Spec = e.Spec with
                {
                    Serving = e.Spec.Serving! with
                    {
                        CacheRedis = new RedisEndpoint("redis.ml-cache.svc.cluster.local:6379", new SecretKeyRef("model-serving-cache", "password")),
                    },
                },
            },
            ModelSpec { Name: "fraud-detector" } m => m with
            {
                Spec = m.Spec with { Serving = m.Spec.Serving with { Cache = new ServingCache(CacheStores.Redis) { Ttl = "10m" } } },
            },
            _ => s,
        }));
        var model = specs.Model("fraud-detector")!;
        var version = ModelVersions.Compute(model, specs.Environment("prod")!);
        var facts = RegistryFacts.Empty.WithTrained(model.Name, version)
            .WithDeployment(model.Name, "prod", new DeploymentFacts(version, null));
        var result = Renderer.Render(specs, "prod", facts, new RenderContext("0000000"));
        Assert.Empty(result.Diagnostics);
        var deployment = result.Objects.Single(o => o["kind"]!.ToString() == "Deployment" && o["metadata"]!["name"]!.ToString() == "fraud-detector-stable");
        var server = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("/app/gitops", Assert.Single(server["command"]!.AsArray())!.ToString());
        return [.. server["args"]!.AsArray().Select(a => a!.ToString())];
    }

    private static void Replace(List<string> args, string option, string value)
    {
        var i = args.IndexOf(option);
        Assert.True(i >= 0, $"the rendered server has no {option}");
        args[i + 1] = value;
    }

    private static string InferBody(float value = 0.5f)
    {
        var inputs = FraudDataset.Features.Select(f =>
            string.Create(CultureInfo.InvariantCulture, $"{{\"name\":\"{f}\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[{value}]}}"));
        return $"{{\"inputs\":[{string.Join(',', inputs)}]}}";
    }

    [GeneratedRegex(@" on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();

    [GeneratedRegex(@"gitops_inference_cache_requests_total\{[^}]*result=""hit""[^}]*\} [1-9]")]
    private static partial Regex CacheHit();

    [GeneratedRegex(@"gRPC on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex GrpcListeningOn();
}
