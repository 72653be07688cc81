using System.Text;
using GitOps.Cli.Tests.Support;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Rollouts;
using GitOps.Registry.Records;
using GitOps.Rollouts.Rollout;
using GitOps.Testing.FakeGitHub;
using GitOps.Testing.Git;
using Xunit;

namespace GitOps.Cli.Tests;

/// <summary>
/// <c>gitops up --github-*</c> end to end: real <c>gitops serve</c> processes, a real Prometheus and the fake GitHub API.
/// The first version's deployment and commit status reach GitHub; a second version whose canary misses its latency
/// objective on real traffic is rolled back by the rollout runtime and reported as exactly one issue.
/// It runs in the rollout tests' collection: one gitops up under load at a time.
/// </summary>
[Collection(nameof(UpRolloutTests))]
public sealed class UpGitHubReportingTests : IAsyncLifetime
{
    private const string Model = "fraud-detector";
    private const string Repository = "acme/ml-platform";
    private const string Token = "ghs_up_reporting_token_never_printed";
    private static readonly RolloutScope Local = new("local", "ml-local");

    private readonly FakeGitRepo _repo = FakeGitRepo.Create();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly CancellationTokenSource _load = new(TimeSpan.FromMinutes(6));
    private FakeGitHubServer _github = null!;

    public async Task InitializeAsync()
    {
        _github = await FakeGitHubServer.StartAsync();
        _github.AddToken(Token, integration: true, [.. FakeGitHubServer.AllPermissions]);
    }

    public async Task DisposeAsync()
    {
        await _load.CancelAsync();
        _load.Dispose();
        _http.Dispose();
        await _github.DisposeAsync();
        _repo.Dispose();
    }

    /// <summary>
    /// Half the traffic to the canary, then a p99 objective of one microsecond that no real request meets. A busy
    /// machine can make Prometheus miss scrapes: measurements without data are Inconclusive and tolerated until the
    /// first one with data fails.
    /// </summary>
    private const string Policy = """
        apiVersion: ml.gitops/v1alpha1
        kind: RolloutPolicy
        metadata:
          name: e2e-strict-latency
        spec:
          strategy: canary
          progressDeadline: 10m
          steps:
            - setWeight: 50
            - analysis: {templates: [latency-p99]}
            - setWeight: 100
          analysis:
            - name: latency-p99
              query: >-
                histogram_quantile(0.99, sum by (le) (rate(gitops_inference_request_duration_seconds_bucket{model="{{model}}",track="{{track}}"}[10s])))
              successCondition: result < 0.000001
              failureCondition: result >= 0.000001
              interval: 2s
              count: 100
              inconclusiveLimit: 99

        """;

    private async Task<RolloutState?> StateAsync() =>
        (await new LocalRolloutStateStore(StateFolder.For(Path.Combine(_repo.Path, StateFolder.DefaultName))).LoadAsync(Local, Model, CancellationToken.None))?.State;

    [Fact]
    public async Task Should_Report_The_Deployment_And_Open_One_Issue_When_A_Canary_Is_Rolled_Back()
    {
        // Given the example model, rolled out locally by the strict policy, and gitops up reporting to GitHub
        var files = UpRun.ExampleFiles(UpRun.FreePort());
        files["policies/rollouts/e2e-strict-latency.yaml"] = Policy;
        files[$"models/{Model}/model.yaml"] = files[$"models/{Model}/model.yaml"]!
            .Replace("    local:\n      rollout: direct\n", "    local:\n      rollout: e2e-strict-latency\n", StringComparison.Ordinal);
        var first = _repo.Commit("example with a strict canary locally", files);
        var tokenFile = Path.Combine(_repo.Path, ".git", "github-token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        using var up = UpRun.Start(_repo.Path, "--github-repository", Repository, "--github-api-url", _github.ApiUrl.ToString(),
            "--github-token-file", tokenFile);
        await up.EventuallyAsync(async () => (await StateAsync())?.Stable is not null && up.Output.Contains("is serving:", StringComparison.Ordinal), "v1 served");
        var v1 = (await StateAsync())!.Stable!;
        await up.EventuallyAsync(() => Task.FromResult(_github.Store.CommitStatuses(Repository, first).Any(s => (string?)s["state"] == "success")),
            "the first commit's status on GitHub");
        var load = UpRun.LoadAsync(_http, up.Proxy, Model, _load.Token);

        // When a second version is committed and its canary is judged on real traffic
        var modelPath = $"models/{Model}/model.yaml";
        var second = _repo.Commit("more trees", modelPath,
            (await File.ReadAllTextAsync(Path.Combine(_repo.Path, modelPath))).Replace("numberOfTrees: 20", "numberOfTrees: 21", StringComparison.Ordinal));
        await up.EventuallyAsync(async () => (await StateAsync())?.Rejected.IsEmpty == false, "the canary to be rolled back", TimeSpan.FromMinutes(5));
        await up.EventuallyAsync(() => Task.FromResult(_github.Store.Issues(Repository).Count > 0), "the rollback issue");
        await _load.CancelAsync();
        await load;

        // Then the first version's deployment succeeded with the commit status set
        var state = (await StateAsync())!;
        Assert.Equal(v1, state.Stable);
        var rejected = Assert.Single(state.Rejected);
        var deployments = _github.Store.Deployments(Repository);
        var firstDeployment = Assert.Single(deployments, d => (string?)d["sha"] == first);
        Assert.Equal("local", (string?)firstDeployment["environment"]);
        Assert.Contains(_github.Store.DeploymentStatuses((long)firstDeployment["id"]!), s => (string?)s["state"] == "success");
        Assert.Contains(_github.Store.CommitStatuses(Repository, first), s => (string?)s["context"] == "gitops/local" && (string?)s["state"] == "success");
        // and the rollback of the second is one issue naming the metric, its values and the commands
        var issue = Assert.Single(_github.Store.Issues(Repository));
        Assert.Contains("latency-p99", (string?)issue["title"]);
        Assert.Contains(rejected.Version, (string?)issue["title"]);
        var body = (string)issue["body"]!;
        Assert.Contains(second, body);
        Assert.Contains("gitops rollout retry --env local --model fraud-detector", body);
        Assert.Contains("gitops rollout abort", body);
        Assert.Contains(RollbackLabel, issue["labels"]!.AsArray().Select(l => (string?)l!["name"]));
        Assert.DoesNotContain(Token, up.Output);
        // and the environment's deploy history in the registry has the deployment and the rollback
        var history = await CliRunner.RunAsync("models", "history", Model, "--env", "local", "--repo", _repo.Path, "-o", "json");
        Assert.True(history.ExitCode == 0, history.Stdout + history.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(history.Stdout);
        var events = json.RootElement.GetProperty("events").EnumerateArray()
            .Select(e => (Type: e.GetProperty("type").GetString(), Version: e.GetProperty("version").GetString())).ToList();
        Assert.Contains((RegistryEventTypes.Deployed, v1), events);
        Assert.Contains((RegistryEventTypes.RolledBack, rejected.Version), events);
    }

    private const string RollbackLabel = "gitops-rollback";
}
