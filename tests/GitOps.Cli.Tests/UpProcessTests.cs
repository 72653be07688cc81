using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Cli.Tests.Support;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Testing.Git;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests;

/// <summary>
/// <c>gitops up</c> as a real process on a copy of the example repository: the builtin trainer and the inference
/// servers run as its children, the YARP proxy routes to them, the real Prometheus scrapes them. One scenario, so the
/// model is trained once: serve, measure, heal a killed server, stall on a bad edit, adopt after <c>kill -9</c> of
/// <c>gitops up</c>, remove a model, stop everything.
/// </summary>
public sealed class UpProcessTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(150);

    private readonly FakeGitRepo _repo = FakeGitRepo.Create();
    private readonly ConcurrentQueue<string> _log = new();
    private readonly List<Process> _processes = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private string State => Path.Combine(_repo.Path, ".gitops");

    /// <summary>Nothing outlives the test: gitops up, its servers, trainer and Prometheus.</summary>
    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            process.Dispose();
        }
        foreach (var record in ProcessTable.Load(Path.Combine(State, "processes.json")))
        {
            OsProcesses.ForceKill(record.Pid, record.StartTime);
        }
        _http.Dispose();
        _repo.Dispose();
    }

    [Fact]
    public async Task Should_Train_Serve_Measure_Heal_And_Adopt_When_Up_Runs_The_Example_Repository()
    {
        // Given the example repository, its local Prometheus on a free port
        var prometheusPort = UpRun.FreePort();
        _repo.Commit("example", UpRun.ExampleFiles(prometheusPort));

        // When gitops up runs it
        var up = StartUp("first");
        await EventuallyAsync(() => Task.FromResult(Output("first").Contains("is serving:", StringComparison.Ordinal)), "the first model served", up);

        // Then the model answers through the proxy as it answers directly
        var proxy = UpLock.Owner(StateFolder.For(State))!["proxy"]!.GetValue<string>().TrimEnd('/');
        var servers = Serving();
        Assert.Equal(2, servers.Count);
        // and the trainer's log shows each step it took, as kubectl logs would
        var trainerLog = Directory.GetFiles(Path.Combine(State, "logs"), "attempt-1.log", SearchOption.AllDirectories).Single();
        var steps = File.ReadLines(trainerLog).Select(GitOps.Specs.Contracts.TrainingProgress.Parse).OfType<GitOps.Specs.Contracts.TrainingProgress>().ToList();
        Assert.True(steps.Count >= 5 && steps[^1].Step == steps[^1].Steps, $"progress lines in {trainerLog}: {string.Join(" | ", steps)}");
        var request = UpRun.ExampleRequest();
        var viaProxy = await InferAsync($"{proxy}/v2/models/fraud-detector/infer", request);
        var direct = await InferAsync($"http://127.0.0.1:{servers[0].Port}/v2/models/fraud-detector/infer", request);
        Assert.True(JsonNode.DeepEquals(direct["outputs"], viaProxy["outputs"]), $"proxy {viaProxy}\ndirect {direct}");

        // And gitops status shows the same from the state folder
        var status = await CliRunner.RunAsync("status", _repo.Path, "-o", "json");
        Assert.True(status.ExitCode == 0, status.Stdout + status.Stderr);
        var row = JsonNode.Parse(status.Stdout)!["environments"]![0]!["models"]![0]!;
        Assert.Equal(("fraud-detector", 2, 2, $"{proxy}/v2/models/fraud-detector/infer"),
            (row["model"]!.GetValue<string>(), row["readyReplicas"]!.GetValue<int>(), row["desiredReplicas"]!.GetValue<int>(), row["url"]!.GetValue<string>()));

        // And a second gitops up on the same state folder refuses, naming the first
        var second = await CliRunner.RunAsync("up", _repo.Path, "--listen", "127.0.0.1:0");
        Assert.Equal(2, second.ExitCode);
        Assert.Contains($"another gitops up (pid {up.Id}) is running", second.Stderr);

        // And Prometheus has scraped the servers' request counter
        await EventuallyAsync(async () =>
        {
            await InferAsync($"{proxy}/v2/models/fraud-detector/infer", request);
            var answer = await _http.GetStringAsync($"http://127.0.0.1:{prometheusPort}/api/v1/query?query=gitops_inference_requests_total%7Bmodel%3D%22fraud-detector%22%7D");
            return (JsonNode.Parse(answer)?["data"]?["result"] as JsonArray)?.Count > 0;
        }, "Prometheus to scrape the inference servers", up);

        // When a server is killed outright, the supervisor starts it again
        var killed = servers[0];
        OsProcesses.ForceKill(killed.Pid, killed.StartTime);
        await EventuallyAsync(() => Task.FromResult(Serving().Any(s => s.Id == killed.Id && s.Pid != killed.Pid && s.IsAlive) && Ready(up)),
            "the killed server to be replaced", up);
        Assert.Equal(2, Serving().Count);

        // When an edit breaks validation, the environment stalls and keeps serving what it had
        var model = Path.Combine(_repo.Path, "models", "fraud-detector", "model.yaml");
        var good = await File.ReadAllTextAsync(model);
        await File.WriteAllTextAsync(model, good.Replace("replicas: 2", "replicas: two", StringComparison.Ordinal));
        await EventuallyAsync(() => Task.FromResult(StatusOutcome() == "Stalled"), "the bad edit to stall the environment", up);
        Assert.Equal(direct["outputs"]!.ToJsonString(), (await InferAsync($"{proxy}/v2/models/fraud-detector/infer", request))["outputs"]!.ToJsonString());
        await File.WriteAllTextAsync(model, good);

        // When a new version trains but fails its quality gate, it is recorded as rejected and never served: the
        // champion keeps serving on the same processes
        var champion = Row("fraud-detector")!["version"]!.GetValue<string>();
        var gate = Path.Combine(_repo.Path, "policies", "gates", "fraud-quality.yaml");
        var goodGate = await File.ReadAllTextAsync(gate);
        var serving = Serving().Select(s => s.Pid).Order().ToList();
        await File.WriteAllTextAsync(gate, goodGate.Replace("condition: metrics.auc >= 0.85", "condition: metrics.auc >= 1.5", StringComparison.Ordinal));
        await File.WriteAllTextAsync(model, good.Replace("numberOfTrees: 20", "numberOfTrees: 21", StringComparison.Ordinal));
        await EventuallyAsync(() => Task.FromResult(Row("fraud-detector")?["held"]?.GetValue<string>() is { } held && held.Contains(" rejected: ", StringComparison.Ordinal)),
            "the failing version to be rejected", up);
        var rejected = Row("fraud-detector")!;
        Assert.Matches(@"^[0-9a-f]{12} rejected: gates failed: .*fraud-quality/auc-floor: AUC is below 0\.85: auc [0-9.]+ < 1\.5(;|$)", rejected["held"]!.GetValue<string>());
        Assert.Equal(champion, rejected["version"]!.GetValue<string>());
        Assert.Equal(serving, Serving().Select(s => s.Pid).Order().ToList());
        Assert.Equal(direct["outputs"]!.ToJsonString(), (await InferAsync($"{proxy}/v2/models/fraud-detector/infer", request))["outputs"]!.ToJsonString());
        await File.WriteAllTextAsync(gate, goodGate);
        await File.WriteAllTextAsync(model, good);
        await EventuallyAsync(() => Task.FromResult(Row("fraud-detector") is { } row && row["held"] is null && row["version"]?.GetValue<string>() == champion),
            "the champion to be the desired version again", up);

        // When gitops up itself is killed outright, the next one adopts the running servers: no duplicate, no restart
        var before = Serving().Select(s => s.Pid).Order().ToList();
        up.Kill();
        await up.WaitForExitAsync();
        var again = StartUp("second");
        await EventuallyAsync(() => Task.FromResult(Output("second").Contains("is serving:", StringComparison.Ordinal)), "the second gitops up to serve", again);
        Assert.Equal(before, Serving().Select(s => s.Pid).Order().ToList());
        Assert.Equal(2, ServerProcessesOnTheMachine());

        // When the model leaves the local environment, its servers stop and its route is gone
        await File.WriteAllTextAsync(model, good.Replace("environments: [dev, staging, prod, local]", "environments: [dev, staging, prod]", StringComparison.Ordinal)
            .Replace("    local:\n      rollout: direct\n", "", StringComparison.Ordinal));
        var newProxy = UpLock.Owner(StateFolder.For(State))!["proxy"]!.GetValue<string>().TrimEnd('/');
        await EventuallyAsync(async () =>
        {
            using var response = await _http.PostAsync($"{newProxy}/v2/models/fraud-detector/infer", new StringContent(request, Encoding.UTF8, "application/json"));
            return Serving().Count == 0 && ServerProcessesOnTheMachine() == 0 && response.StatusCode == HttpStatusCode.NotFound;
        }, "the removed model's servers and route to go", again);

        // And gitops down stops the rest
        var down = await CliRunner.RunAsync("down", "--state", State);
        Assert.True(down.ExitCode == 0, down.Stdout + down.Stderr);
        await again.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(ProcessTable.Load(Path.Combine(State, "processes.json")), r => r.IsAlive);
    }

    [Fact]
    public async Task Should_Refuse_To_Start_With_The_Fix_When_The_Port_Is_Taken_Or_The_State_Folder_Cannot_Be_Written()
    {
        // Given the example repository, a port another program holds and a state folder below a regular file
        _repo.Commit("example", UpRun.ExampleFiles(UpRun.FreePort()));
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var taken = ((IPEndPoint)holder.LocalEndpoint).Port;
        var blocker = Path.Combine(_repo.Path, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "");

        // When
        var portTaken = await CliRunner.RunAsync("up", _repo.Path, "--once", "--listen", $"127.0.0.1:{taken}", "--state", Path.Combine(_repo.Path, "state-a"));
        var notWritable = await CliRunner.RunAsync("up", _repo.Path, "--once", "--listen", "127.0.0.1:0", "--state", Path.Combine(blocker, "state"));

        // Then each says what is wrong and what to do, and nothing is left running
        Assert.Equal(2, portTaken.ExitCode);
        Assert.Contains($"cannot listen on 127.0.0.1:{taken}: the port is in use by another process.", portTaken.Stderr);
        Assert.Contains("Pass another --listen address", portTaken.Stderr);
        Assert.Equal(2, notWritable.ExitCode);
        Assert.Contains($"the state folder {Path.Combine(blocker, "state")} is not writable", notWritable.Stderr);
        Assert.Contains("--state DIR", notWritable.Stderr);
        Assert.DoesNotContain("   at ", portTaken.Stderr + notWritable.Stderr);
        Assert.DoesNotContain(ProcessTable.Load(Path.Combine(_repo.Path, "state-a", "processes.json")), r => r.IsAlive);
    }

    [Fact]
    public async Task Should_Keep_Serving_The_Other_Models_When_Prometheus_Is_Missing_A_Model_Cannot_Train_And_A_Server_Cannot_Start()
    {
        // Given the example model beside one whose dataset does not exist, and no Prometheus binary
        var files = UpRun.ExampleFiles(UpRun.FreePort());
        files["models/fraud-untrainable/model.yaml"] = files["models/fraud-detector/model.yaml"]!
            .Replace("name: fraud-detector", "name: fraud-untrainable", StringComparison.Ordinal)
            .Replace("https://data.ml.example.com/datasets/fraud.csv", "https://127.0.0.1:9/missing/fraud.csv", StringComparison.Ordinal)
            .Replace("05aa6bed18e649128849f370c12e5a2efc50ea24373342b7e4f2aca886e17223", new string('a', 64), StringComparison.Ordinal)
            .Replace("    retries: 2\n", "    retries: 0\n", StringComparison.Ordinal);
        _repo.Commit("example and a model that cannot train", files);

        // When gitops up runs it
        var up = StartUp("faults", ("GITOPS_PROMETHEUS", "/nonexistent/prometheus"));

        // Then Prometheus's absence is one line with the fix, the broken model fails with its reason, the other serves
        await EventuallyAsync(() => Task.FromResult(Row("fraud-detector")?["readyReplicas"]?.GetValue<int>() == 2), "the good model to be served", up);
        Assert.Contains(_log, l => l.StartsWith("faults! warning: Prometheus is not at /nonexistent/prometheus (GITOPS_PROMETHEUS)", StringComparison.Ordinal));
        await EventuallyAsync(() => Task.FromResult(Row("fraud-untrainable")?["training"]?.GetValue<string>() == "failed (BackoffLimitExceeded)"),
            "the untrainable model to fail", up);
        Assert.Contains("127.0.0.1:9/missing/fraud.csv", Row("fraud-untrainable")!["problem"]!.GetValue<string>());
        var proxy = UpLock.Owner(StateFolder.For(State))!["proxy"]!.GetValue<string>().TrimEnd('/');
        var url = $"{proxy}/v2/models/fraud-detector/infer";
        await InferAsync(url, UpRun.ExampleRequest());

        // When one server's model file is damaged and the server dies, it cannot start again
        var victim = Serving().First(s => s.Owner.Contains("fraud-detector", StringComparison.Ordinal));
        foreach (var file in Directory.GetFiles(State, "model.onnx", SearchOption.AllDirectories).Where(f => f.Contains("fraud-detector", StringComparison.Ordinal)))
        {
            await File.WriteAllTextAsync(file, "not an onnx model");
        }
        OsProcesses.ForceKill(victim.Pid, victim.StartTime);

        // Then its row says why, and the model keeps answering through the replica that still runs
        await EventuallyAsync(() => Task.FromResult(Row("fraud-detector")?["problem"] is JsonValue), "the crash loop to be reported", up);
        Assert.Equal(1, Row("fraud-detector")!["readyReplicas"]!.GetValue<int>());
        for (var i = 0; i < 5; i++)
        {
            await InferAsync(url, UpRun.ExampleRequest());
        }

        // And gitops down leaves nothing running
        var down = await CliRunner.RunAsync("down", "--state", State);
        Assert.True(down.ExitCode == 0, down.Stdout + down.Stderr);
        await up.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(ProcessTable.Load(Path.Combine(State, "processes.json")), r => r.IsAlive);
    }

    /// <summary>A model's row in <c>gitops status -o json</c> of the state folder.</summary>
    private JsonNode? Row(string model)
    {
        var status = CliRunner.RunAsync("status", _repo.Path, "--state", State, "-o", "json").GetAwaiter().GetResult();
        return status.ExitCode != 0 ? null
            : (JsonNode.Parse(status.Stdout)?["environments"]?[0]?["models"] as JsonArray)?.FirstOrDefault(m => m?["model"]?.GetValue<string>() == model);
    }

    private Process StartUp(string name, params (string Name, string Value)[] variables)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (variable, value) in variables)
        {
            psi.Environment[variable] = value;
        }
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "gitops.dll"), "up", _repo.Path, "--listen", "127.0.0.1:0" })
        {
            psi.ArgumentList.Add(arg);
        }
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => _log.Enqueue($"{name}: {e.Data}");
        process.ErrorDataReceived += (_, e) => _log.Enqueue($"{name}! {e.Data}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    private string Output(string name) => string.Join("\n", _log.Where(l => l.StartsWith(name + ":", StringComparison.Ordinal)));

    private List<ProcessRecord> Serving() =>
        [.. ProcessTable.Load(Path.Combine(State, "processes.json")).Where(r => r.Role == ProcessRole.Serving).OrderBy(r => r.Id, StringComparer.Ordinal)];

    private bool Ready(Process up) => !up.HasExited && Serving().Count == 2 && Serving().All(s => s.IsAlive);

    private string? StatusOutcome() =>
        StateFolder.ReadJson(Path.Combine(State, "status", "local.json"))?["data"]?["outcome"]?.GetValue<string>();

    /// <summary>Inference servers of this state folder running on the machine, whoever started them.</summary>
    private int ServerProcessesOnTheMachine() =>
        Directory.GetDirectories("/proc").Select(d => Path.Combine(d, "cmdline")).Count(cmdline =>
        {
            try
            {
                var text = File.ReadAllText(cmdline).Replace('\0', ' ');
                return text.Contains(" serve ", StringComparison.Ordinal) && text.Contains(State, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
        });

    private async Task<JsonNode> InferAsync(string url, string request)
    {
        using var response = await _http.PostAsync(url, new StringContent(request, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private async Task EventuallyAsync(Func<Task<bool>> condition, string what, Process running)
    {
        var deadline = DateTime.UtcNow + Deadline;
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
            if (running.HasExited)
            {
                Assert.Fail($"gitops up exited ({running.ExitCode}) before {what}; its output:\n{string.Join("\n", _log.TakeLast(60))}");
            }
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen before the deadline; output:\n{string.Join("\n", _log.TakeLast(60))}");
            await Task.Delay(100);
        }
    }
}
