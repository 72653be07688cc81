using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using GitOps.Serving.Batching;
using GitOps.Serving.Hosting;
using GitOps.Serving.Model;
using GitOps.Serving.Protocol;
using GitOps.Specs.Model;
using GitOps.Training.Builtin;
using GitOps.Training.Datasets;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Benchmarks.Serving;

/// <summary>
/// Inference server throughput and latency for the example fraud model: a closed loop of HttpClient
/// workers on 127.0.0.1 at several concurrencies, with dynamic batching on and off, next to ONNX
/// Runtime called in-process (the ceiling). Every phase is bounded by time.
/// Options: <c>--seconds N</c> per measurement (default 5), <c>--out FILE</c> to also write the markdown.
/// </summary>
public static class ServingBenchmark
{
    private static readonly int[] Concurrencies = [1, 16, 64];

    internal sealed record Measurement(string Mode, int Concurrency, long Requests, long Errors, double Seconds, double P50Ms, double P99Ms)
    {
        public double Rps => Requests / Seconds;
    }

    /// <summary>The options the serving benchmarks share: <c>--seconds N</c> (0-120], default 5) per measurement and
    /// <c>--out FILE</c> for the results; false, with the reason on stderr, for anything else.</summary>
    internal static bool TryParseOptions(string[] args, out double seconds, out string? outFile)
    {
        seconds = 5.0;
        outFile = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 && s <= 120:
                    seconds = s;
                    i++;
                    break;
                case "--out" when i + 1 < args.Length:
                    outFile = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"unknown or invalid option '{args[i]}'; options: --seconds N (0-120], --out FILE");
                    return false;
            }
        }
        return true;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (!ServingBenchmark.TryParseOptions(args, out var seconds, out var outFile))
        {
            return 2;
        }

        var root = Directory.CreateTempSubdirectory("gitops-bench-serving-").FullName;
        try
        {
            var model = await TrainExampleModelAsync(root);
            var rows = ReadRows(Path.Combine(root, "fraud.csv"), 512);
            var bodies = rows.Select(r => Encoding.UTF8.GetBytes(InferBody(r))).ToArray();
            var duration = TimeSpan.FromSeconds(seconds);

            var inProcess = MeasureInProcess(model, rows, duration);
            var http = new List<Measurement>();
            (string Mode, BatchingOptions Batching)[] modes =
            [
                ("batching off", new BatchingOptions { MaxBatchSize = 1 }),
                ("batching on, greedy (64 rows / 0 ms)", new BatchingOptions { MaxBatchSize = 64, MaxDelay = TimeSpan.Zero }),
                ("batching on (64 rows / 2 ms)", new BatchingOptions { MaxBatchSize = 64, MaxDelay = TimeSpan.FromMilliseconds(2) }),
            ];
            var servers = new List<InferenceServer>();
            try
            {
                foreach (var (_, batching) in modes)
                {
                    servers.Add(await InferenceServer.StartAsync(new ServerOptions
                    {
                        ModelPath = model,
                        ModelName = "fraud",
                        ModelVersion = "bench",
                        Port = 0,
                        Batching = batching,
                        MaxConcurrency = 1024,
                        Session = new ModelSessionOptions { Device = DevicePreference.Cpu },
                    }, configureLogging: null, TimeProvider.System, CancellationToken.None));
                }
                // Modes alternate within each concurrency so that drifting background load hits them alike.
                foreach (var concurrency in Concurrencies)
                {
                    for (var i = 0; i < modes.Length; i++)
                    {
                        var m = await MeasureHttpAsync([new Uri(servers[i].BaseAddress, "/v2/models/fraud/infer")], bodies, concurrency, duration, modes[i].Mode);
                        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.Mode}, c={concurrency}: {m.Rps:F0} req/s, p50 {m.P50Ms:F2} ms, p99 {m.P99Ms:F2} ms, errors {m.Errors}"));
                        http.Add(m);
                    }
                }
            }
            finally
            {
                foreach (var server in servers)
                {
                    await server.DisposeAsync();
                }
            }
            http = [.. http.OrderBy(m => Array.FindIndex(modes, x => x.Mode == m.Mode)).ThenBy(m => m.Concurrency)];

            var report = Format(inProcess, http, seconds);
            Console.WriteLine(report);
            if (outFile is not null)
            {
                await File.WriteAllTextAsync(outFile, report);
            }
            return http.Any(m => m.Errors > 0) ? 1 : 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    internal static async Task<string> TrainExampleModelAsync(string root)
    {
        var csv = Path.Combine(root, "fraud.csv");
        FraudDataset.WriteFile(csv, FraudDataset.DefaultRows, FraudDataset.DefaultSeed);
        var outcome = await new TabularTrainer(TimeProvider.System).TrainAsync(new TrainingRequest
        {
            DatasetPath = csv,
            Label = FraudDataset.Label,
            Task = ModelTasks.BinaryClassification,
            Algorithm = BuiltinAlgorithms.FastTree,
            Seed = FraudDataset.DefaultSeed,
            OutputDirectory = Path.Combine(root, "model"),
        }, CancellationToken.None);
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException(outcome.Error);
        }
        return outcome.Result!.ModelPath;
    }

    internal static float[][] ReadRows(string csv, int count) =>
        [.. File.ReadLines(csv).Skip(1).Take(count)
            .Select(l => l.Split(',').Take(FraudDataset.Features.Count).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray())];

    internal static string InferBody(float[] row)
    {
        var inputs = FraudDataset.Features.Select((f, i) =>
            string.Create(CultureInfo.InvariantCulture, $"{{\"name\":\"{f}\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[{row[i]:R}]}}"));
        return "{\"inputs\":[" + string.Join(',', inputs) + "]}";
    }

    private static ImmutableArray<Tensor> Inputs(float[][] rows, int from, int count) =>
        [.. FraudDataset.Features.Select((f, i) => new Tensor(f, TensorDatatype.Fp32, [count, 1], Enumerable.Range(from, count).Select(r => rows[r % rows.Length][i]).ToArray()))];

    /// <summary>Rows per second of <c>session.Run</c> without HTTP or JSON: one row per call and 64 rows per call.</summary>
    internal static List<(string Mode, double RowsPerSecond)> MeasureInProcess(string modelPath, float[][] rows, TimeSpan duration)
    {
        using var model = OnnxModel.Load(modelPath, new ModelSessionOptions { Device = DevicePreference.Cpu }, NullLogger.Instance);
        var results = new List<(string, double)>();
        foreach (var (mode, batch, threads) in new[]
        {
            ("1 row per run, 1 thread", 1, 1),
            ($"1 row per run, {Environment.ProcessorCount} threads", 1, Environment.ProcessorCount),
            ("64 rows per run, 1 thread", 64, 1),
        })
        {
            var inputs = Enumerable.Range(0, 16).Select(i => Inputs(rows, i * batch, batch)).ToArray();
            for (var i = 0; i < 200; i++)
            {
                model.Run(inputs[i % inputs.Length]);
            }
            long total = 0;
            var stopwatch = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
            {
                long runs = 0;
                while (stopwatch.Elapsed < duration)
                {
                    model.Run(inputs[runs++ % inputs.Length]);
                }
                Interlocked.Add(ref total, runs * batch);
            });
            var rps = total / stopwatch.Elapsed.TotalSeconds;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in-process {mode}: {rps:F0} rows/s"));
            results.Add((mode, rps));
        }
        return results;
    }

    /// <summary>A closed loop of <paramref name="concurrency"/> workers posting <paramref name="bodies"/> for
    /// <paramref name="duration"/> after 1 s of warm-up; with several <paramref name="targets"/>, each request goes to
    /// the next one in turn (client-side round robin).</summary>
    internal static async Task<Measurement> MeasureHttpAsync(IReadOnlyList<Uri> targets, byte[][] bodies, int concurrency, TimeSpan duration, string mode)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        return await MeasureClosedLoopAsync(i => SendAsync(client, targets[i % targets.Count], bodies[i % bodies.Length]), concurrency, duration, mode);
    }

    /// <summary>
    /// A closed loop of <paramref name="concurrency"/> workers, each calling <paramref name="send"/> (with a running
    /// request number; true when answered well) one request after the other for <paramref name="duration"/>, after
    /// 1 s of warm-up that opens connections and JITs the paths.
    /// </summary>
    internal static async Task<Measurement> MeasureClosedLoopAsync(Func<int, Task<bool>> send, int concurrency, TimeSpan duration, string mode)
    {
        var warmUpEnd = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
        {
            var i = w;
            while (Stopwatch.GetTimestamp() < warmUpEnd)
            {
                await send(i++);
            }
        }));

        var latencies = new List<long>[concurrency];
        var errors = 0L;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
        {
            var mine = latencies[w] = new List<long>(4096);
            var i = w * 7;
            while (Stopwatch.GetTimestamp() < end)
            {
                var t0 = Stopwatch.GetTimestamp();
                var ok = await send(i++);
                mine.Add(Stopwatch.GetTimestamp() - t0);
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
        return new Measurement(mode, concurrency, all.Length, errors, elapsed, Percentile(0.50), Percentile(0.99));
    }

    private static async Task<bool> SendAsync(HttpClient client, Uri target, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(target, content);
        await response.Content.LoadIntoBufferAsync();
        return response.StatusCode == HttpStatusCode.OK;
    }

    private static string Format(List<(string Mode, double RowsPerSecond)> inProcess, List<Measurement> http, double seconds)
    {
        var md = new StringBuilder();
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}, {RuntimeInformation.ProcessArchitecture}; CPU execution provider; {seconds:G} s per measurement; client and server in one process on 127.0.0.1; 1-minute load average at the end: {load}.");
        md.AppendLine();
        md.AppendLine("| mode | concurrency | requests/s | p50 ms | p99 ms | errors |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var m in http)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {m.Mode} | {m.Concurrency} | {m.Rps:F0} | {m.P50Ms:F2} | {m.P99Ms:F2} | {m.Errors} |");
        }
        md.AppendLine();
        md.AppendLine("| in-process ONNX Runtime (no HTTP, no JSON) | rows/s |");
        md.AppendLine("|---|---:|");
        foreach (var (mode, rps) in inProcess)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {mode} | {rps:F0} |");
        }
        return md.ToString();
    }
}
