using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using GitOps.Benchmarks.Harness;
using GitOps.Benchmarks.Serving;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Testing.Golden;
using GitOps.Training.Datasets;

namespace GitOps.Benchmarks.Local;

/// <summary>
/// <c>gitops up</c> as a newcomer runs it: from a fresh <c>git clone</c> of this repository to the example model
/// answering through the proxy (cold: the model is trained; warm: <c>gitops down</c>, then <c>up</c> again on the
/// same state folder, so only the servers and Prometheus start), the resident memory of the whole local platform,
/// and the proxy's overhead: a closed loop through the YARP route against the same two servers called directly
/// (client-side round robin) at concurrency 1, 16 and 64.
/// Options: <c>--runs N</c> cold and warm starts (default 3), <c>--seconds N</c> per load cell (default 5),
/// <c>--out FILE</c> to also write the markdown. Every process it starts is stopped before it returns.
/// </summary>
public static class LocalBenchmark
{
    private static readonly int[] Concurrencies = [1, 16, 64];
    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 3;
        var seconds = 5.0;
        string? outFile = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r is > 0 and <= 20:
                    runs = r;
                    i++;
                    break;
                case "--seconds" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s is > 0 and <= 120:
                    seconds = s;
                    i++;
                    break;
                case "--out" when i + 1 < args.Length:
                    outFile = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"unknown or invalid option '{args[i]}'; options: --runs N (1-20), --seconds N (0-120], --out FILE");
                    return 2;
            }
        }

        var root = Directory.CreateTempSubdirectory("gitops-bench-local-").FullName;
        try
        {
            var cold = new List<TimeSpan>();
            var warm = new List<TimeSpan>();
            Memory? memory = null;
            List<ServingBenchmark.Measurement>? load = null;
            for (var run = 1; run <= runs; run++)
            {
                var clone = Path.Combine(root, $"clone-{run}");
                Clone(clone);
                cold.Add(await TimeToServingAsync(clone));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run}: cold {cold[^1].TotalSeconds:F1} s"));
                Down(clone);
                warm.Add(await TimeToServingAsync(clone));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run}: warm {warm[^1].TotalSeconds:F1} s"));
                if (run == runs)
                {
                    memory = Measure(clone);
                    load = await MeasureProxyAsync(clone, root, TimeSpan.FromSeconds(seconds));
                }
                Down(clone);
            }
            var report = Format(cold, warm, memory!, load!, seconds);
            Console.WriteLine(report);
            if (outFile is not null)
            {
                await File.WriteAllTextAsync(outFile, report);
            }
            return load!.Any(m => m.Errors > 0) ? 1 : 0;
        }
        finally
        {
            foreach (var folder in Directory.GetDirectories(root, "clone-*"))
            {
                Down(folder);
            }
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>A fresh clone of the checkout this benchmark runs from, its Prometheus moved to a free port.</summary>
    private static void Clone(string folder)
    {
        Run("git", ["clone", "--quiet", "--no-local", RepositoryPaths.Root, folder]);
        var environment = Path.Combine(folder, "environments", "local", "environment.yaml");
        File.WriteAllText(environment, File.ReadAllText(environment)
            .Replace("http://127.0.0.1:9090", $"http://127.0.0.1:{FreePort()}", StringComparison.Ordinal));
    }

    /// <summary>Starts <c>gitops up --once</c> (detached: it keeps running) and returns the time until a v2 infer
    /// through the proxy answers 200.</summary>
    private static async Task<TimeSpan> TimeToServingAsync(string clone)
    {
        var state = StateFolder.For(Path.Combine(clone, ".gitops"));
        var stopwatch = Stopwatch.StartNew();
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = clone };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec dotnet \"$0\" up --once --listen 127.0.0.1:0 >up.out 2>&1 </dev/null");
        psi.ArgumentList.Add(Gitops);
        using var up = Process.Start(psi)!;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var body = Encoding.UTF8.GetBytes(ServingBenchmark.InferBody([950f, 3, 0.8f, 420, 6, 9, 7.5f, 1, 12]));
        while (stopwatch.Elapsed < StartDeadline)
        {
            if (up.HasExited)
            {
                throw new InvalidOperationException($"gitops up exited with {up.ExitCode}: {File.ReadAllText(Path.Combine(clone, "up.out"))}");
            }
            if (UpLock.Owner(state)?["proxy"]?.GetValue<string>() is { } proxy)
            {
                try
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    using var response = await http.PostAsync($"{proxy.TrimEnd('/')}/v2/models/fraud-detector/infer", content);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return stopwatch.Elapsed;
                    }
                }
                catch (HttpRequestException)
                {
                    // The proxy is not listening yet.
                }
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
        throw new TimeoutException($"the example model did not answer within {StartDeadline}; see {Path.Combine(clone, "up.out")}");
    }

    private static void Down(string clone)
    {
        if (Directory.Exists(Path.Combine(clone, ".gitops")))
        {
            Run("dotnet", [Gitops, "down", clone]);
        }
    }

    private sealed record Memory(long UpBytes, long ServersBytes, int Servers, long PrometheusBytes);

    /// <summary>Resident memory (VmRSS) of gitops up, its inference servers and Prometheus while they serve.</summary>
    private static Memory Measure(string clone)
    {
        var state = StateFolder.For(Path.Combine(clone, ".gitops"));
        var records = ProcessTable.Load(state.ProcessesFile).Where(r => r.IsAlive).ToList();
        var servers = records.Where(r => r.Role == ProcessRole.Serving).ToList();
        var upPid = UpLock.Owner(state)?["pid"]?.GetValue<int>() ?? 0;
        return new Memory(ProcessProbe.ResidentBytes(upPid), servers.Sum(s => ProcessProbe.ResidentBytes(s.Pid)), servers.Count,
            records.Where(r => r.Role == ProcessRole.Prometheus).Sum(r => ProcessProbe.ResidentBytes(r.Pid)));
    }

    private static async Task<List<ServingBenchmark.Measurement>> MeasureProxyAsync(string clone, string root, TimeSpan duration)
    {
        var state = StateFolder.For(Path.Combine(clone, ".gitops"));
        var proxy = new Uri(new Uri(UpLock.Owner(state)!["proxy"]!.GetValue<string>()), "/v2/models/fraud-detector/infer");
        var direct = ProcessTable.Load(state.ProcessesFile).Where(r => r.Role == ProcessRole.Serving && r.IsAlive)
            .Select(r => new Uri($"http://127.0.0.1:{r.Port}/v2/models/fraud-detector/infer")).ToList();
        var csv = Path.Combine(root, "rows.csv");
        FraudDataset.WriteFile(csv, 600, 3);
        var bodies = ServingBenchmark.ReadRows(csv, 512).Select(r => Encoding.UTF8.GetBytes(ServingBenchmark.InferBody(r))).ToArray();
        var results = new List<ServingBenchmark.Measurement>();
        foreach (var concurrency in Concurrencies)
        {
            // The two paths alternate within each concurrency so that drifting background load hits them alike.
            foreach (var (mode, targets) in new[] { ($"direct ({direct.Count} servers, round robin)", (IReadOnlyList<Uri>)direct), ("through the proxy route", [proxy]) })
            {
                var m = await ServingBenchmark.MeasureHttpAsync(targets, bodies, concurrency, duration, mode);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.Mode}, c={concurrency}: {m.Rps:F0} req/s, p50 {m.P50Ms:F2} ms, p99 {m.P99Ms:F2} ms, errors {m.Errors}"));
                results.Add(m);
            }
        }
        return results;
    }

    private static string Format(List<TimeSpan> cold, List<TimeSpan> warm, Memory memory, List<ServingBenchmark.Measurement> load, double seconds)
    {
        static string S(TimeSpan t) => t.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
        static TimeSpan Median(List<TimeSpan> xs) => xs.Order().ElementAt(xs.Count / 2);
        static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("F0", CultureInfo.InvariantCulture);
        var md = new StringBuilder();
        var loadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}, {RuntimeInformation.ProcessArchitecture}; {cold.Count} cold and warm starts; {seconds:G} s per load cell; 1-minute load average at the end: {loadAverage}.");
        md.AppendLine();
        md.AppendLine("| `gitops up` until the example model answers through the proxy | median s | min s | max s |");
        md.AppendLine("|---|---:|---:|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| cold: fresh clone, trains the model, starts 2 servers and Prometheus | {S(Median(cold))} | {S(cold.Min())} | {S(cold.Max())} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| warm: after `gitops down`, same state folder (no training) | {S(Median(warm))} | {S(warm.Min())} | {S(warm.Max())} |");
        md.AppendLine();
        md.AppendLine("| resident memory while serving (VmRSS) | MiB |");
        md.AppendLine("|---|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| `gitops up` (reconcile pass, Local driver, YARP proxy) | {Mb(memory.UpBytes)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| {memory.Servers} inference servers (`gitops serve`) | {Mb(memory.ServersBytes)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Prometheus | {Mb(memory.PrometheusBytes)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| **whole local platform** | **{Mb(memory.UpBytes + memory.ServersBytes + memory.PrometheusBytes)}** |");
        md.AppendLine();
        md.AppendLine("| path | concurrency | requests/s | p50 ms | p99 ms | errors | proxy cost in requests/s |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var m in load)
        {
            var baseline = load.First(d => d.Concurrency == m.Concurrency && d.Mode.StartsWith("direct", StringComparison.Ordinal));
            var cost = ReferenceEquals(baseline, m) ? "" : string.Create(CultureInfo.InvariantCulture, $"{(1 - (m.Rps / baseline.Rps)) * 100:F0} %");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {m.Mode} | {m.Concurrency} | {m.Rps:F0} | {m.P50Ms:F2} | {m.P99Ms:F2} | {m.Errors} | {cost} |");
        }
        return md.ToString();
    }

    private static string Gitops => Path.Combine(AppContext.BaseDirectory, "gitops.dll");

    internal static void Run(string fileName, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', psi.ArgumentList)} exited with {p.ExitCode}: {output.Result}{error.Result}");
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
