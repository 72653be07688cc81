using System.Text.Json.Nodes;
using GitOps.Testing.FakeGitHub;
using GitOps.Testing.FakeKubernetes;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class GitHubPrCheckTests : IAsyncLifetime
{
    private const string Repository = "acme/ml-platform";
    private const string HeadSha = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    private const string Token = "ghs_e2e_token_that_must_never_be_printed";

    private static readonly string SmallRepository = RepositoryPaths.Combine("tests", "GitOps.Cli.Tests", "testdata", "validate", "warnings-only");
    private static readonly string BrokenRepository = RepositoryPaths.Combine("tests", "GitOps.Cli.Tests", "testdata", "validate", "broken-repo");
    private static readonly string Events = RepositoryPaths.Combine("tests", "GitOps.Cli.Tests", "testdata", "github");

    private readonly string _dir = Directory.CreateTempSubdirectory("gitops-pr-check-").FullName;
    private FakeGitHubServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeGitHubServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string TokenFile(string token)
    {
        var path = Path.Combine(_dir, "token");
        File.WriteAllText(path, token + "\n");
        return path;
    }

    private Task<CliRunner.Result> PrCheckAsync(string repo, string eventFile, string token, params string[] more) =>
        CliRunner.RunAsync([
            "github", "pr-check", "--repo", repo, "--event", Path.Combine(Events, eventFile),
            "--api-url", _server.ApiUrl.ToString(), "--token-file", TokenFile(token),
            "--summary-file", Path.Combine(_dir, "summary.md"), .. more]);

    [Fact]
    public async Task Should_Publish_Two_Check_Runs_And_One_Comment_Then_Edit_Them_When_Run_Again()
    {
        // Given a pull request and a token with the workflow's permissions
        var number = _server.Store.AddPullRequest(Repository, HeadSha, number: 7);
        _server.AddToken(Token, integration: true, [.. FakeGitHubServer.AllPermissions]);

        // When the workflow runs with the variables GitHub Actions sets, then is re-run on the same commit
        var actions = new Dictionary<string, string>
        {
            ["GITHUB_TOKEN"] = Token,
            ["GITHUB_REPOSITORY"] = Repository,
            ["GITHUB_EVENT_PATH"] = Path.Combine(Events, "pull_request.synchronize.json"),
            ["GITHUB_API_URL"] = _server.ApiUrl.ToString(),
            ["GITHUB_STEP_SUMMARY"] = Path.Combine(_dir, "summary.md"),
        };
        var first = await CliRunner.RunWithVariablesAsync(actions, "github", "pr-check", SmallRepository);
        var second = await CliRunner.RunWithVariablesAsync(actions, "github", "pr-check", SmallRepository);

        // Then
        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        Assert.True(second.ExitCode == 0, second.Stdout + second.Stderr);
        var runs = _server.Store.CheckRuns(Repository);
        Assert.Equal(["gitops / plan", "gitops / validate"], runs.Select(r => (string)r["name"]!).Order());
        Assert.All(runs, r => Assert.Equal(HeadSha, (string?)r["head_sha"]));
        Assert.Equal("neutral", (string?)runs.Single(r => (string?)r["name"] == "gitops / validate")["conclusion"]);
        Assert.Equal("success", (string?)runs.Single(r => (string?)r["name"] == "gitops / plan")["conclusion"]);
        var validate = runs.Single(r => (string?)r["name"] == "gitops / validate");
        Assert.Single(_server.Store.Annotations((long)validate["id"]!));
        var comment = Assert.Single(_server.Store.Comments(Repository, number));
        Assert.StartsWith("<!-- gitops-plan -->", (string?)comment["body"]);
        Assert.Contains($"### GitOps plan for `{HeadSha}`", (string?)comment["body"]);
        Assert.Contains("check run 'gitops / validate': created", first.Stdout);
        Assert.Contains("check run 'gitops / validate': updated", second.Stdout);
        Assert.Contains($"plan comment on #{number}: updated", second.Stdout);
        Assert.DoesNotContain(Token, first.Stdout + first.Stderr + second.Stdout + second.Stderr);
        Assert.All(_server.Requests, r => Assert.Equal("Token", r.AuthorizationScheme));
    }

    [Fact]
    public async Task Should_Plan_Against_What_The_Cluster_Runs_When_Asked_For_The_Live_Cluster()
    {
        // Given a cluster already holding the model's ConfigMap, from an older spec, and a read-only kubeconfig
        const string clusterToken = "kube-readonly-token-for-pr-checks";
        await using var cluster = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = clusterToken });
        cluster.Seed(JsonNode.Parse("""
            {"apiVersion":"v1","kind":"ConfigMap",
             "metadata":{"name":"churn-model","namespace":"ml-dev",
               "labels":{"ml.gitops/environment":"dev","ml.gitops/managed-by":"gitops","ml.gitops/model":"churn","ml.gitops/track":"shared"}},
             "data":{"model.json":"{\"inputs\":[{\"name\":\"months\",\"shape\":[-1,1],\"type\":\"float32\"}]}"}}
            """)!.AsObject(), manager: "gitops");
        var kubeconfig = cluster.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"), contextName: "ci-readonly", token: clusterToken);
        var number = _server.Store.AddPullRequest(Repository, HeadSha, number: 7);
        _server.AddToken(Token, integration: true, [.. FakeGitHubServer.AllPermissions]);

        // When
        var result = await PrCheckAsync(SmallRepository, "pull_request.synchronize.json", Token, "--live-cluster", "--kubeconfig", kubeconfig);

        // Then the plan shows the update of what runs, not a first deploy of everything
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var body = (string)Assert.Single(_server.Store.Comments(Repository, number))["body"]!;
        Assert.Contains("| dev | 1 | 1 | 0 | 0 |", body);
        Assert.Contains("<code>update</code> ConfigMap/ml-dev/churn-model", body);
        Assert.Contains("months", body);
        var plan = _server.Store.CheckRuns(Repository).Single(r => (string?)r["name"] == "gitops / plan");
        Assert.Contains("| dev | 1 | 1 | 0 | 0 |", (string?)plan["output"]!["summary"]);
        // and nothing was written to the cluster
        Assert.DoesNotContain(cluster.Requests, r => r.Method is "POST" or "PUT" or "DELETE" or "PATCH" && !r.Query.Contains("dryRun=All", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_Edit_The_One_Plan_Comment_When_A_New_Commit_Is_Pushed_To_The_Pull_Request()
    {
        // Given the plan comment of the first push, under a discussion longer than one page
        const string pushed = "0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b";
        var number = _server.Store.AddPullRequest(Repository, HeadSha, number: 7);
        _server.AddToken(Token, integration: true, [.. FakeGitHubServer.AllPermissions]);
        var first = await PrCheckAsync(SmallRepository, "pull_request.synchronize.json", Token);
        _server.Store.AddComments(Repository, number, 40);
        var commentId = (long)_server.Store.Comments(Repository, number).Single(c => ((string?)c["body"])!.StartsWith("<!-- gitops-plan -->", StringComparison.Ordinal))["id"]!;

        // When the workflow runs for the next push
        var second = await PrCheckAsync(SmallRepository, "pull_request.synchronize.json", Token, "--sha", pushed);

        // Then the same comment now shows the new commit's plan, and the new commit has its own check runs
        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        Assert.True(second.ExitCode == 0, second.Stdout + second.Stderr);
        var ours = Assert.Single(_server.Store.Comments(Repository, number), c => ((string?)c["body"])!.StartsWith("<!-- gitops-plan -->", StringComparison.Ordinal));
        Assert.Equal(commentId, (long)ours["id"]!);
        Assert.Contains($"### GitOps plan for `{pushed}`", (string?)ours["body"]);
        Assert.Contains(_server.Requests, r => r.Method == "PATCH" && r.Path.EndsWith($"/issues/comments/{commentId}", StringComparison.Ordinal) && r.Status == 200);
        Assert.Equal(2, _server.Store.CheckRuns(Repository).Count(r => (string?)r["head_sha"] == pushed));
        Assert.Contains($"plan comment on #{number}: updated", second.Stdout);
    }

    [Fact]
    public async Task Should_Fail_The_Validate_Check_And_Skip_The_Plan_When_The_Specs_Have_Errors()
    {
        // Given
        var number = _server.Store.AddPullRequest(Repository, HeadSha, number: 7);
        _server.AddToken(Token, integration: true, [.. FakeGitHubServer.AllPermissions]);

        // When
        var result = await PrCheckAsync(BrokenRepository, "pull_request.synchronize.json", Token);

        // Then
        Assert.True(result.ExitCode == 1, result.Stdout + result.Stderr);
        var runs = _server.Store.CheckRuns(Repository);
        var validate = runs.Single(r => (string?)r["name"] == "gitops / validate");
        Assert.Equal("failure", (string?)validate["conclusion"]);
        Assert.Equal(6, _server.Store.Annotations((long)validate["id"]!).Count);
        Assert.Equal("skipped", (string?)runs.Single(r => (string?)r["name"] == "gitops / plan")["conclusion"]);
        Assert.Contains("Not planned: the specs have 6 error(s)", (string?)Assert.Single(_server.Store.Comments(Repository, number))["body"]);
    }

    [Fact]
    public async Task Should_Fall_Back_To_The_Job_Summary_And_Annotations_When_The_Pull_Request_Comes_From_A_Fork()
    {
        // Given the read-only token a fork's workflow gets
        _server.Store.AddPullRequest(Repository, "9fceb02d0ae598e95dc970b74767f19372d61af8", number: 8);
        _server.AddToken(Token, integration: true, "checks: read", "pull-requests: read", "contents: read");

        // When
        var result = await PrCheckAsync(SmallRepository, "pull_request.from-fork.json", Token);

        // Then
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains("comes from the fork contributor/ml-platform", result.Stderr);
        Assert.Contains("job summary", result.Stderr);
        Assert.Contains("::warning file=", result.Stdout);
        var summary = File.ReadAllText(Path.Combine(_dir, "summary.md"));
        Assert.Contains("### GitOps plan for `9fceb02d0ae598e95dc970b74767f19372d61af8`", summary);
        Assert.Empty(_server.Store.CheckRuns(Repository));
        Assert.DoesNotContain(Token, result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task Should_Name_The_Missing_Permission_And_Exit_2_When_The_Workflow_Forgot_It()
    {
        // Given a same-repository pull request whose workflow did not grant checks: write
        _server.Store.AddPullRequest(Repository, HeadSha, number: 7);
        _server.AddToken(Token, integration: true, "checks: read", "pull-requests: write", "contents: read");

        // When
        var result = await PrCheckAsync(SmallRepository, "pull_request.synchronize.json", Token);

        // Then
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: GitHub refused to create check run 'gitops / validate' (403: Resource not accessible by integration): the token needs the 'checks: write' permission", result.Stderr);
        Assert.Contains("::warning file=", result.Stdout);
    }

    [Fact]
    public async Task Should_Say_What_Is_Missing_When_There_Is_No_Pull_Request()
    {
        // Given no event and no --pr
        // When
        var result = await CliRunner.RunAsync("github", "pr-check", "--repo", SmallRepository, "--repository", Repository,
            "--event", Path.Combine(_dir, "missing.json"));

        // Then
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cannot read the pull request event", result.Stderr);
    }
}
