using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using GitOps.Serving.Hosting;
using GitOps.Serving.Model;
using GitOps.Serving.Protocol.Grpc;
using GitOps.Training.Datasets;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace GitOps.Benchmarks.Serving;

/// <summary>
/// REST beside gRPC on one inference server (the example fraud model, <c>gitops serve</c>'s default batching:
/// greedy, up to 64 rows): a closed loop of workers on 127.0.0.1 sending one row per request at c=1 and c=16, the
/// two protocols alternating within each concurrency so that background load hits them alike. REST posts v2 JSON
/// with HttpClient; gRPC calls ModelInfer with raw contents through Grpc.Net.Client. Every phase is bounded by time.
/// Options: <c>--seconds N</c> per measurement (default 5), <c>--out FILE</c> to also write the markdown.
/// </summary>
public static class GrpcServingBenchmark
{
    private static readonly int[] Concurrencies = [1, 16];

    public static async Task<int> RunAsync(string[] args)
    {
        if (!ServingBenchmark.TryParseOptions(args, out var seconds, out var outFile))
        {
            return 2;
        }

        var root = Directory.CreateTempSubdirectory("gitops-bench-grpc-").FullName;
        try
        {
            var model = await ServingBenchmark.TrainExampleModelAsync(root);
            var rows = ServingBenchmark.ReadRows(Path.Combine(root, "fraud.csv"), 512);
            var bodies = rows.Select(r => Encoding.UTF8.GetBytes(ServingBenchmark.InferBody(r))).ToArray();
            var messages = rows.Select(RawRequest).ToArray();
            var duration = TimeSpan.FromSeconds(seconds);

            var results = new List<ServingBenchmark.Measurement>();
            await using (var server = await InferenceServer.StartAsync(new ServerOptions
            {
                ModelPath = model,
                ModelName = "fraud",
                ModelVersion = "bench",
                Port = 0,
                GrpcPort = 0,
                MaxConcurrency = 1024,
                Session = new ModelSessionOptions { Device = DevicePreference.Cpu },
            }, configureLogging: null, TimeProvider.System, CancellationToken.None))
            {
                var rest = new Uri(server.BaseAddress, "/v2/models/fraud/infer");
                using var channel = GrpcChannel.ForAddress(server.GrpcAddress!, new GrpcChannelOptions
                {
                    HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionLifetime = Timeout.InfiniteTimeSpan },
                });
                var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
                foreach (var concurrency in Concurrencies)
                {
                    var pair = new[]
                    {
                        await ServingBenchmark.MeasureHttpAsync([rest], bodies, concurrency, duration, "REST (JSON)"),
                        await ServingBenchmark.MeasureClosedLoopAsync(i => InferAsync(client, messages[i % messages.Length]), concurrency, duration, "gRPC (raw contents)"),
                    };
                    foreach (var m in pair)
                    {
                        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.Mode}, c={concurrency}: {m.Rps:F0} req/s, p50 {m.P50Ms:F2} ms, p99 {m.P99Ms:F2} ms, errors {m.Errors}"));
                    }
                    results.AddRange(pair);
                }
            }

            var report = Format(results, seconds);
            Console.WriteLine(report);
            if (outFile is not null)
            {
                await File.WriteAllTextAsync(outFile, report);
            }
            return results.Any(m => m.Errors > 0) ? 1 : 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static ModelInferRequest RawRequest(float[] row)
    {
        var request = new ModelInferRequest { ModelName = "fraud" };
        for (var f = 0; f < FraudDataset.Features.Count; f++)
        {
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = FraudDataset.Features[f], Datatype = "FP32", Shape = { 1, 1 } });
            request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(row.AsSpan(f, 1))));
        }
        return request;
    }

    private static async Task<bool> InferAsync(GRPCInferenceService.GRPCInferenceServiceClient client, ModelInferRequest request)
    {
        try
        {
            var response = await client.ModelInferAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            return response.RawOutputContents.Count == response.Outputs.Count;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    private static string Format(List<ServingBenchmark.Measurement> results, double seconds)
    {
        var md = new StringBuilder();
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}, {RuntimeInformation.ProcessArchitecture}; CPU execution provider; {seconds:G} s per measurement; client and server in one process on 127.0.0.1; one row per request; 1-minute load average at the end: {load}.");
        md.AppendLine();
        md.AppendLine("| protocol | concurrency | requests/s | p50 ms | p99 ms | errors | gRPC / REST requests/s |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var m in results)
        {
            var rest = results.First(r => r.Concurrency == m.Concurrency);
            var ratio = ReferenceEquals(m, rest) ? "" : (m.Rps / rest.Rps).ToString("F2", CultureInfo.InvariantCulture) + "×";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {m.Mode} | {m.Concurrency} | {m.Rps:F0} | {m.P50Ms:F2} | {m.P99Ms:F2} | {m.Errors} | {ratio} |");
        }
        return md.ToString();
    }
}
