using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Serving.Batching;
using GitOps.Serving.Hosting;
using GitOps.Serving.Metrics;
using GitOps.Serving.Model;
using GitOps.Serving.Monitoring;
using GitOps.Serving.Protocol;
using GitOps.Specs.Contracts;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Benchmarks.Serving;

/// <summary>
/// <c>gitops serve</c> beside its peer, a plain Node.js Open Inference Protocol v2 server on onnxruntime-node
/// (<c>Peer/server.js</c>), both driven by autocannon on 127.0.0.1 with the same request bodies (rows of the example
/// dataset, rotating on every connection) at c=1 and c=16. The servers are real processes: the Release build of
/// <c>gitops</c>, the published single file when it exists, and Node; they run the same model file and the servers
/// take turns so that background load hits them alike. The npm packages are installed into a temporary folder for the
/// run (never into the product); everything the benchmark starts stops when it ends.
/// Options: <c>--seconds N</c> per measurement (default 10), <c>--warmup N</c> seconds before each (default 2),
/// <c>--rounds N</c> (default 1; with several, medians too), <c>--connections 1,16</c>, <c>--gitops PATH</c> (another gitops executable to measure), <c>--node-dir DIR</c>
/// (keep the npm install there and reuse it), <c>--out FILE</c>.
/// </summary>
public static class PeerServingBenchmark
{
    private const string OnnxRuntimeNode = "onnxruntime-node@1.30.0";
    private const string Autocannon = "autocannon@9.0.0";
    private const string PeerName = "Node.js + onnxruntime-node 1.30.0";
    private sealed record Options(double Seconds, double WarmUp, int Rounds, IReadOnlyList<int> Connections, IReadOnlyList<string> Executables, string? NodeDir, string? OutFile);

    private sealed record Row(string Server, int Concurrency, int Round, double Rps, double P50Ms, double P99Ms, double AutocannonP99Ms, long Errors, double CpuMsPer1k, string Load);

    /// <summary>A server process the benchmark started; stopping it kills its whole tree.</summary>
    private sealed class ServerProcess(string name, Process process, Uri baseAddress) : IDisposable
    {
        private readonly StringBuilder _log = new();

        public string Name => name;
        public Uri BaseAddress => baseAddress;
        public Process Process => process;

        public void Capture()
        {
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (_log)
            {
                // The last few kilobytes are enough to say why a server did not start.
                if (_log.Length > 16_384)
                {
                    _log.Remove(0, _log.Length - 8_192);
                }
                _log.AppendLine(line);
            }
        }

        public string Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToString();
                }
            }
        }

        public void Dispose()
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // It ended on its own.
            }
            process.Dispose();
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (ParseOptions(args) is not { } options)
        {
            return 2;
        }
        var root = Directory.CreateTempSubdirectory("gitops-bench-peer-").FullName;
        var started = new List<ServerProcess>();
        // Ctrl+C or SIGTERM still stop every server this run started.
        using var stopping = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            stopping.Cancel();
        };
        EventHandler onExit = (_, _) => StopAll(started);
        Console.CancelKeyPress += onCancel;
        AppDomain.CurrentDomain.ProcessExit += onExit;
        try
        {
            var model = await ServingBenchmark.TrainExampleModelAsync(root);
            var rows = ServingBenchmark.ReadRows(Path.Combine(root, "fraud.csv"), 64);
            var bodies = rows.Select(ServingBenchmark.InferBody).ToArray();
            var bodiesFile = Path.Combine(root, "bodies.json");
            await File.WriteAllTextAsync(bodiesFile, JsonSerializer.Serialize(bodies), stopping.Token);

            var nodeDir = options.NodeDir ?? Path.Combine(root, "node");
            await InstallNodePackagesAsync(nodeDir, stopping.Token);
            var peerScript = Path.Combine(nodeDir, "server.js");
            var loadScript = Path.Combine(nodeDir, "load.js");
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Serving", "Peer", "server.js"), peerScript, overwrite: true);
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Serving", "Peer", "load.js"), loadScript, overwrite: true);

            var inProcess = ServingBenchmark.MeasureInProcess(model, rows, TimeSpan.FromSeconds(Math.Min(3, options.Seconds)));
            inProcess.AddRange(await MeasureCoreAsync(model, bodies, TimeSpan.FromSeconds(Math.Min(3, options.Seconds))));

            var ours = options.Executables.Select(exe => (Name: Describe(exe), Exe: exe)).ToList();
            foreach (var (name, exe) in ours)
            {
                started.Add(await StartAsync(name, exe, ["serve", "--model", model, "--name", "fraud", "--version", "bench", "--device", "cpu", "--port", "{port}"], stopping.Token));
            }
            started.Add(await StartAsync(PeerName, "node", [peerScript, model, "fraud", "{port}"], stopping.Token));
            await CheckSameAnswersAsync(started, bodies, stopping.Token);

            var results = new List<Row>();
            foreach (var concurrency in options.Connections)
            {
                for (var round = 1; round <= options.Rounds; round++)
                {
                    // The peer goes first in odd rounds and last in even ones, so drifting load favours neither.
                    var order = round % 2 == 1 ? [started[^1], .. started[..^1]] : started;
                    foreach (var server in order)
                    {
                        var row = await MeasureAsync(server, loadScript, bodiesFile, concurrency, round, options, stopping.Token);
                        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{row.Server}, c={concurrency}, round {round}: {row.Rps:F0} req/s, p50 {row.P50Ms:F2} ms, p99 {row.P99Ms:F2} ms (autocannon {row.AutocannonP99Ms:F0}), errors {row.Errors}, server CPU {row.CpuMsPer1k:F0} ms per 1k requests, load {row.Load}"));
                        results.Add(row);
                    }
                }
            }

            var report = Format(results, inProcess, options);
            Console.WriteLine(report);
            if (options.OutFile is not null)
            {
                await File.WriteAllTextAsync(options.OutFile, report, CancellationToken.None);
            }
            return results.Any(r => r.Errors > 0) ? 1 : 0;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            Console.Error.WriteLine("cancelled; the servers were stopped");
            return 130;
        }
        finally
        {
            StopAll(started);
            Console.CancelKeyPress -= onCancel;
            AppDomain.CurrentDomain.ProcessExit -= onExit;
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// The server's own work per request without HTTP, one thread: parsing the JSON body, then the core
    /// (<see cref="InferenceService"/>: model run, score histogram, drift window), then writing the JSON answer, each
    /// step added to the previous one. Next to one model run per row, it shows what the server adds to ONNX Runtime.
    /// </summary>
    private static async Task<List<(string Mode, double RowsPerSecond)>> MeasureCoreAsync(string modelPath, string[] bodies, TimeSpan duration)
    {
        using var model = OnnxModel.Load(modelPath, new ModelSessionOptions { Device = DevicePreference.Cpu }, NullLogger.Instance);
        var metrics = new ServingMetrics(new ModelIdentity("fraud", "bench", "stable"), model.ExecutionProvider, 1);
        await using var executor = new InferenceExecutor(model, new BatchingOptions(), TimeProvider.System, metrics.RecordBatch);
        var profile = Path.Combine(Path.GetDirectoryName(modelPath)!, TrainingProfile.File);
        var drift = File.Exists(profile) && TrainingProfile.Parse(await File.ReadAllBytesAsync(profile)).Profile is { } p
            ? DriftMonitor.Create(p, model.Inputs, metrics.Registry, ["fraud", "bench", "stable"], 2000)
            : null;
        var service = new InferenceService(model, executor, metrics, null, drift);
        var utf8 = bodies.Select(Encoding.UTF8.GetBytes).ToArray();
        var identity = new ModelIdentity("fraud", "bench", "stable");
        var output = new ArrayBufferWriter<byte>(4096);
        // One writer reused, as the server keeps one per thread.
        using var json = new Utf8JsonWriter(output);
        var parsed = utf8.Select(b => InferRequestParser.Parse(b, model.Inputs, model.Outputs).Request!).ToArray();
        var results = new List<(string, double)>();
        (string Mode, int Steps)[] modes =
        [
            ("one model run of a parsed request", 0),
            ("server core, no HTTP: parse the JSON body", 1),
            ("… + infer (model run, score histogram, drift window)", 2),
            ("… + write the JSON answer", 3),
        ];
        using var self = Process.GetCurrentProcess();
        foreach (var (mode, steps) in modes)
        {
            long count = 0;
            var warmUp = Stopwatch.StartNew();
            var stopwatch = new Stopwatch();
            var cpuStart = TimeSpan.Zero;
            long allocatedStart = 0;
            while (stopwatch.Elapsed < duration)
            {
                if (!stopwatch.IsRunning && warmUp.ElapsedMilliseconds >= 300)
                {
                    count = 0;
                    self.Refresh();
                    cpuStart = self.TotalProcessorTime;
                    allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
                    stopwatch.Start();
                }
                if (steps == 0)
                {
                    model.Run(parsed[count % parsed.Length].Inputs);
                    count++;
                    continue;
                }
                var (request, _) = InferRequestParser.Parse(utf8[count % utf8.Length], model.Inputs, model.Outputs);
                if (steps >= 2)
                {
                    var result = await service.InferAsync(request!, CancellationToken.None);
                    if (steps >= 3)
                    {
                        output.ResetWrittenCount();
                        json.Reset(output);
                        InferResponseWriter.WriteResult(json, identity, result);
                    }
                }
                count++;
            }
            // Bytes allocated by the whole process per request: exact, and what sets how often the collector runs.
            var allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedStart) / (double)count;
            self.Refresh();
            // CPU time of the whole process per request: steadier than wall time on a machine shared with other work.
            var cpuUs = (self.TotalProcessorTime - cpuStart).TotalMicroseconds / count;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in-process {mode}: {count / stopwatch.Elapsed.TotalSeconds:F0} per s, {cpuUs:F1} µs CPU and {allocated:F0} bytes allocated each"));
            results.Add((mode + string.Create(CultureInfo.InvariantCulture, $" — CPU µs each: {cpuUs:F1}, bytes allocated each: {allocated:F0}"), count / stopwatch.Elapsed.TotalSeconds));
        }
        return results;
    }

    private static void StopAll(List<ServerProcess> servers)
    {
        lock (servers)
        {
            foreach (var server in servers)
            {
                server.Dispose();
            }
            servers.Clear();
        }
    }

    private static Options? ParseOptions(string[] args)
    {
        double warmUp = 2;
        var rounds = 1;
        IReadOnlyList<int> connections = [1, 16];
        string? nodeDir = null;
        var executables = new List<string> { ReleaseBuild() };
        if (PublishedSingleFile() is { } single)
        {
            executables.Add(single);
        }
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--warmup" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) && w is >= 0 and <= 60:
                    warmUp = w;
                    i++;
                    break;
                case "--rounds" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) && r is >= 1 and <= 10:
                    rounds = r;
                    i++;
                    break;
                case "--connections" when value is not null && value.Split(',').All(c => int.TryParse(c, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1024):
                    connections = [.. value.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))];
                    i++;
                    break;
                case "--gitops" when value is not null && File.Exists(value):
                    executables.Add(Path.GetFullPath(value));
                    i++;
                    break;
                case "--node-dir" when value is not null:
                    nodeDir = Path.GetFullPath(value);
                    i++;
                    break;
                case "--warmup" or "--rounds" or "--connections" or "--gitops" or "--node-dir":
                    Console.Error.WriteLine($"invalid value for {args[i]}: '{value}'; options: --seconds N (0-120], --warmup N [0-60], --rounds N [1-10], --connections 1,16, --gitops EXECUTABLE, --node-dir DIR, --out FILE");
                    return null;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }
        if (!rest.Contains("--seconds"))
        {
            rest.AddRange(["--seconds", "10"]);
        }
        if (!ServingBenchmark.TryParseOptions([.. rest], out var seconds, out var outFile))
        {
            return null;
        }
        return new Options(seconds, warmUp, rounds, connections, executables, nodeDir, outFile);
    }

    /// <summary>The <c>gitops</c> executable built beside this benchmark (Release when the benchmark runs in Release).</summary>
    private static string ReleaseBuild() => Path.Combine(AppContext.BaseDirectory, "gitops");

    /// <summary><c>artifacts/publish/linux-x64/gitops</c> of the checkout this benchmark was built in, when it was published.</summary>
    private static string? PublishedSingleFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GitOps.sln")))
            {
                var single = Path.Combine(dir.FullName, "artifacts", "publish", "linux-x64", "gitops");
                return File.Exists(single) ? single : null;
            }
        }
        return null;
    }

    private static string Describe(string executable) =>
        executable == ReleaseBuild() ? "gitops serve (Release build)"
        : executable == PublishedSingleFile() ? "gitops serve (published single file)"
        : $"gitops serve ({executable})";

    private static async Task InstallNodePackagesAsync(string dir, CancellationToken ct)
    {
        Directory.CreateDirectory(dir);
        if (Installed(dir, "onnxruntime-node", "1.30.0") && Installed(dir, "autocannon", "9.0.0"))
        {
            return;
        }
        Console.Error.WriteLine($"installing {OnnxRuntimeNode} and {Autocannon} with npm into {dir} (for this run only)");
        // The native library of onnxruntime-node ships in the package; its install script only fetches CUDA libraries.
        var (code, stdout, stderr) = await RunToEndAsync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", dir, OnnxRuntimeNode, Autocannon], dir, TimeSpan.FromMinutes(5), ct);
        if (code != 0 || !Installed(dir, "onnxruntime-node", "1.30.0") || !Installed(dir, "autocannon", "9.0.0"))
        {
            throw new InvalidOperationException($"npm install failed (exit code {code}); is npm on PATH and the registry reachable?\n{stdout}{stderr}");
        }
    }

    private static bool Installed(string dir, string package, string version)
    {
        var manifest = Path.Combine(dir, "node_modules", package, "package.json");
        return File.Exists(manifest) && JsonNode.Parse(File.ReadAllText(manifest))?["version"]?.GetValue<string>() == version;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunToEndAsync(string fileName, IEnumerable<string> args, string workingDirectory, TimeSpan timeout, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (ct.IsCancellationRequested)
            {
                throw;
            }
            throw new TimeoutException($"{fileName} did not finish within {timeout.TotalSeconds:F0} s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts a server on a free port of 127.0.0.1 (<c>{port}</c> in <paramref name="args"/>) and waits until
    /// it answers <c>/v2/health/ready</c>, for at most a minute.</summary>
    private static async Task<ServerProcess> StartAsync(string name, string fileName, IEnumerable<string> args, CancellationToken ct)
    {
        var port = FreePort();
        var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a == "{port}" ? port.ToString(CultureInfo.InvariantCulture) : a);
        }
        var server = new ServerProcess(name, Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {fileName}"), new Uri($"http://127.0.0.1:{port}"));
        server.Capture();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (server.Process.HasExited)
            {
                var log = server.Log;
                server.Dispose();
                throw new InvalidOperationException($"{name} exited with code {server.Process.ExitCode} before it was ready:\n{log}");
            }
            try
            {
                using var response = await client.GetAsync(new Uri(server.BaseAddress, "/v2/health/ready"), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // Not answering yet.
            }
            if (deadline.Elapsed > TimeSpan.FromMinutes(1))
            {
                var log = server.Log;
                server.Dispose();
                throw new TimeoutException($"{name} was not ready within a minute:\n{log}");
            }
            await Task.Delay(100, ct);
        }
    }

    /// <summary>Every server must give the same outputs for the same rows: otherwise they would not be doing the same work.</summary>
    private static async Task CheckSameAnswersAsync(IReadOnlyList<ServerProcess> servers, string[] bodies, CancellationToken ct)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var body in bodies.Take(16))
        {
            var answers = new List<(string Server, JsonArray Outputs)>();
            foreach (var server in servers)
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await client.PostAsync(new Uri(server.BaseAddress, "/v2/models/fraud/infer"), content, ct);
                var text = await response.Content.ReadAsStringAsync(ct);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"{server.Name} answered {(int)response.StatusCode}: {text}");
                }
                answers.Add((server.Name, JsonNode.Parse(text)!["outputs"]!.AsArray()));
            }
            foreach (var (server, outputs) in answers.Skip(1))
            {
                if (!SameOutputs(answers[0].Outputs, outputs))
                {
                    throw new InvalidOperationException($"{server} and {answers[0].Server} disagree on {body}:\n{outputs.ToJsonString()}\n{answers[0].Outputs.ToJsonString()}");
                }
            }
        }
    }

    private static bool SameOutputs(JsonArray a, JsonArray b)
    {
        static Dictionary<string, JsonNode> ByName(JsonArray outputs) => outputs.ToDictionary(o => o!["name"]!.GetValue<string>(), o => o!);
        var left = ByName(a);
        var right = ByName(b);
        if (!left.Keys.Order().SequenceEqual(right.Keys.Order()))
        {
            return false;
        }
        foreach (var (name, output) in left)
        {
            var other = right[name];
            if (output["datatype"]!.GetValue<string>() != other["datatype"]!.GetValue<string>()
                || output["shape"]!.ToJsonString() != other["shape"]!.ToJsonString())
            {
                return false;
            }
            var x = output["data"]!.AsArray();
            var y = other["data"]!.AsArray();
            if (x.Count != y.Count)
            {
                return false;
            }
            for (var i = 0; i < x.Count; i++)
            {
                var same = x[i]!.GetValueKind() switch
                {
                    JsonValueKind.Number => Math.Abs(x[i]!.GetValue<double>() - y[i]!.GetValue<double>()) <= 1e-6,
                    _ => x[i]!.ToJsonString() == y[i]!.ToJsonString(),
                };
                if (!same)
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static async Task<Row> MeasureAsync(ServerProcess server, string loadScript, string bodiesFile, int concurrency, int round, Options options, CancellationToken ct)
    {
        var url = new Uri(server.BaseAddress, "/v2/models/fraud/infer").ToString();
        if (options.WarmUp > 0)
        {
            await RunLoadAsync(server, loadScript, url, bodiesFile, concurrency, options.WarmUp, ct);
        }
        // Server CPU time around the measured run only (the warm-up ran in its own load process above).
        var cpuBefore = CpuTicks(server.Process.Id);
        var output = await RunLoadAsync(server, loadScript, url, bodiesFile, concurrency, options.Seconds, ct);
        var cpuAfter = CpuTicks(server.Process.Id);
        var result = JsonNode.Parse(output)!;
        var total = result["requests"]!["total"]!.GetValue<double>();
        var duration = result["duration"]!.GetValue<double>();
        var errors = result["errors"]!.GetValue<long>() + result["timeouts"]!.GetValue<long>() + result["non2xx"]!.GetValue<long>();
        var cpuMs = (cpuAfter - cpuBefore) * 1000.0 / ClockTicksPerSecond;
        return new Row(server.Name, concurrency, round, total / duration,
            result["exact"]!["p50"]!.GetValue<double>(), result["exact"]!["p99"]!.GetValue<double>(), result["latency"]!["p99"]!.GetValue<double>(), errors,
            total > 0 ? cpuMs / total * 1000 : double.NaN, LoadAverage());
    }

    private static async Task<string> RunLoadAsync(ServerProcess server, string loadScript, string url, string bodiesFile, int concurrency, double seconds, CancellationToken ct)
    {
        var (code, stdout, stderr) = await RunToEndAsync("node", [loadScript, url, bodiesFile,
            concurrency.ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture)],
            Path.GetDirectoryName(loadScript)!, TimeSpan.FromSeconds(seconds + 60), ct);
        if (code != 0)
        {
            throw new InvalidOperationException($"autocannon against {server.Name} failed (exit code {code}):\n{stderr}");
        }
        return stdout;
    }

    // USER_HZ: the unit of /proc/PID/stat times on Linux.
    private const double ClockTicksPerSecond = 100;

    /// <summary>User plus system CPU time of a process in clock ticks (<c>/proc/PID/stat</c> fields 14 and 15).</summary>
    private static long CpuTicks(int pid)
    {
        var path = $"/proc/{pid}/stat";
        if (!File.Exists(path))
        {
            return 0;
        }
        var stat = File.ReadAllText(path);
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis are plain.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static string Format(List<Row> rows, List<(string Mode, double RowsPerSecond)> inProcess, Options options)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Machine: {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}, {RuntimeInformation.ProcessArchitecture}, Node.js {NodeVersion()}; CPU execution provider; autocannon 9.0.0 on the same machine, {options.WarmUp:G} s warm-up then {options.Seconds:G} s per measurement; one row per request, 64 rows rotating; response cache off (the default); 1-minute load average at the end: {LoadAverage()}.");
        md.AppendLine();
        md.AppendLine("| server | connections | requests/s | p50 ms | p99 ms | autocannon's p99 (whole ms) | errors | ours / peer requests/s | server CPU ms per 1k requests | load average |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var peer = rows.First(r => r.Server == PeerName && r.Concurrency == row.Concurrency && r.Round == row.Round);
            var ratio = row.Server == PeerName ? "" : (row.Rps / peer.Rps).ToString("F2", CultureInfo.InvariantCulture) + "×";
            var name = options.Rounds > 1 ? $"{row.Server}, round {row.Round}" : row.Server;
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {row.Concurrency} | {row.Rps:F0} | {row.P50Ms:F2} | {row.P99Ms:F2} | {row.AutocannonP99Ms:F0} | {row.Errors} | {ratio} | {row.CpuMsPer1k:F0} | {row.Load} |");
        }
        if (options.Rounds > 1)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Medians over the {options.Rounds} rounds:");
            md.AppendLine();
            md.AppendLine("| server | connections | requests/s | p99 ms | ours / peer requests/s (median of the rounds' ratios) | server CPU ms per 1k requests |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var group in rows.GroupBy(r => (r.Server, r.Concurrency)))
            {
                var ratios = group.Select(r => r.Rps / rows.First(p => p.Server == PeerName && p.Concurrency == r.Concurrency && p.Round == r.Round).Rps);
                var ratio = group.Key.Server == PeerName ? "" : Median(ratios).ToString("F2", CultureInfo.InvariantCulture) + "×";
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {group.Key.Server} | {group.Key.Concurrency} | {Median(group.Select(r => r.Rps)):F0} | {Median(group.Select(r => r.P99Ms)):F2} | {ratio} | {Median(group.Select(r => r.CpuMsPer1k)):F0} |");
            }
        }
        md.AppendLine();
        md.AppendLine("| in-process, the ceiling (no HTTP) | rows or requests/s |");
        md.AppendLine("|---|---:|");
        foreach (var (mode, rps) in inProcess)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {mode} | {rps:F0} |");
        }
        return md.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string NodeVersion()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
            var version = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit(5_000);
            return version.TrimStart('v');
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "n/a";
        }
    }
}
