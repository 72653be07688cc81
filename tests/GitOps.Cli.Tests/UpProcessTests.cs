using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
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
        // A smaller forest trains in a second instead of several; nothing else depends on its size.
        files["models/fraud-detector/model.yaml"] = files["models/fraud-detector/model.yaml"]!
            .Replace("numberOfTrees: 200", "numberOfTrees: 20", StringComparison.Ordinal);
        _repo.Commit("example", files);

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

    private Process StartUp(string name)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
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
