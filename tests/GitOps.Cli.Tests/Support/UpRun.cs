using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests.Support;

/// <summary>
/// A <c>gitops up</c> started as a real process on a repository, with its output captured. Disposing it kills it
/// and every process its state folder records, so nothing outlives a test.
/// </summary>
public sealed class UpRun : IDisposable
{
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Process _process;

    private UpRun(Process process, string state)
    {
        _process = process;
        State = state;
    }

    /// <summary>The state folder: <c>.gitops</c> in the repository.</summary>
    public string State { get; }

    public string Output => string.Join("\n", _output);

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>gitops up REPO --listen 127.0.0.1:0</c>, with <paramref name="options"/> after it.</summary>
    public static UpRun Start(string repository, params string[] options) => Start(repository, environment: null, options);

    /// <summary>Starts <c>gitops up REPO --env ENV --state STATE --listen 127.0.0.1:0</c>: one of several local
    /// environments of a repository, each with its own state folder.</summary>
    public static UpRun StartEnvironment(string repository, string environment, string state) =>
        Start(repository, null, state, ["--env", environment, "--state", state]);

    /// <summary>Starts <c>gitops up REPO --listen 127.0.0.1:0</c> with <paramref name="options"/> after it, and
    /// <paramref name="environment"/> added to its environment (and so to every process it starts).</summary>
    public static UpRun Start(string repository, IReadOnlyDictionary<string, string>? environment, params string[] options) =>
        Start(repository, environment, Path.Combine(repository, StateFolder.DefaultName), options);

    private static UpRun Start(string repository, IReadOnlyDictionary<string, string>? environment, string state, string[] options)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "gitops.dll"), "up", repository, "--listen", "127.0.0.1:0" }.Concat(options))
        {
            psi.ArgumentList.Add(arg);
        }
        var run = new UpRun(Process.Start(psi)!, state);
        run._process.OutputDataReceived += (_, e) => run._output.Enqueue(e.Data ?? "");
        run._process.ErrorDataReceived += (_, e) => run._output.Enqueue(e.Data ?? "");
        run._process.BeginOutputReadLine();
        run._process.BeginErrorReadLine();
        return run;
    }

    /// <summary>The proxy address <c>gitops up</c> recorded in its state folder, without a trailing slash.</summary>
    public string Proxy => UpLock.Owner(StateFolder.For(State))!["proxy"]!.GetValue<string>().TrimEnd('/');

    /// <summary>Every process the state folder records (servers, trainers, Prometheus).</summary>
    public IReadOnlyList<ProcessRecord> Processes => ProcessTable.Load(Path.Combine(State, "processes.json"));

    public IReadOnlyList<ProcessRecord> Servers =>
        [.. ProcessTable.Load(Path.Combine(State, "processes.json")).Where(r => r.Role == ProcessRole.Serving)];

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with the output when gitops up exits or the deadline passes.</summary>
    public async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null)
    {
        var end = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(150));
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not answering yet.
            }
            Assert.False(_process.HasExited, $"gitops up exited ({(_process.HasExited ? _process.ExitCode : 0)}) before {what}; its output:\n{Tail()}");
            Assert.True(DateTime.UtcNow < end, $"{what} did not happen before the deadline; output:\n{Tail()}");
            await Task.Delay(100);
        }
    }

    public Task WaitForExitAsync() => _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

    /// <summary>An infer request for one suspicious-looking transaction to the example fraud model.</summary>
    public static string ExampleRequest()
    {
        var features = new[] { "amount", "hour", "merchant_risk", "distance_km", "txn_count_1h", "txn_count_24h", "amount_ratio_30d", "is_foreign", "card_age_days" };
        var values = new[] { 950.0, 3, 0.8, 420, 6, 9, 7.5, 1, 12 };
        var inputs = features.Select((f, i) => $"{{\"name\":\"{f}\",\"shape\":[1,1],\"datatype\":\"FP32\",\"data\":[{values[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}]}}");
        return $"{{\"inputs\":[{string.Join(',', inputs)}]}}";
    }

    /// <summary>Infer requests for <paramref name="model"/> through <paramref name="proxy"/> every 20 ms until
    /// <paramref name="stop"/>; what the servers answer is not checked (a server being replaced answers nothing).</summary>
    public static async Task LoadAsync(HttpClient http, string proxy, string model, CancellationToken stop)
    {
        var request = ExampleRequest();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await http.PostAsync($"{proxy}/v2/models/{model}/infer",
                    new StringContent(request, System.Text.Encoding.UTF8, "application/json"), stop);
                await Task.Delay(20, stop);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // A server being replaced, or the end of the test.
            }
        }
    }

    /// <summary>This repository's example content (environments, models, policies), its local Prometheus on
    /// <paramref name="prometheusPort"/>, the forest smaller so that it trains in a second; nothing else depends on its size.</summary>
    public static Dictionary<string, string?> ExampleFiles(int prometheusPort)
    {
        var files = new Dictionary<string, string?>();
        foreach (var folder in new[] { "environments", "models", "policies" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, folder), "*", SearchOption.AllDirectories))
            {
                files[Path.GetRelativePath(RepositoryPaths.Root, file)] = File.ReadAllText(file);
            }
        }
        files["environments/local/environment.yaml"] = files["environments/local/environment.yaml"]!
            .Replace("http://127.0.0.1:9090", $"http://127.0.0.1:{prometheusPort}", StringComparison.Ordinal);
        files["models/fraud-detector/model.yaml"] = files["models/fraud-detector/model.yaml"]!
            .Replace("numberOfTrees: 200", "numberOfTrees: 20", StringComparison.Ordinal);
        // The latency probe measures on this machine, which runs other tests at the same time: a busy moment would
        // reject the version by its p99 and nothing would be served. Latency gates are tested on their own.
        files["policies/gates/fraud-quality.yaml"] = files["policies/gates/fraud-quality.yaml"]!
            .Replace("model.latencyP99Ms <= 20.0", "model.latencyP99Ms <= 2000.0", StringComparison.Ordinal);
        return files;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string Tail() => string.Join("\n", _output.TakeLast(60));

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
        foreach (var record in ProcessTable.Load(Path.Combine(State, "processes.json")))
        {
            OsProcesses.ForceKill(record.Pid, record.StartTime);
        }
    }
}
