using System.Diagnostics;
using System.Security.Cryptography;
using GitOps.Specs.Contracts;
using GitOps.Testing.FakeGitHub;
using GitOps.Testing.FakeKubernetes;
using GitOps.Testing.Generators;
using GitOps.Testing.Git;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests;

/// <summary>
/// The credentials the CLI is given — a GitHub token or a GitHub App's private key for <c>github pr-check</c>, and the
/// Git, artifact store and serving tokens a CI job may have in its environment — never reach what it prints (plans,
/// diagnostics, errors) nor what it writes to GitHub (check runs, annotations, the plan comment, the job summary), also
/// when GitHub fails; nor, for <c>gitops reconcile</c> reporting to GitHub, its logs or the deployments and statuses it
/// writes. The reconciler's Git, webhook and cluster secrets are checked by <c>GitOps.Reconciler.Tests.EndToEnd.SecretLeakTests</c>.
/// </summary>
public sealed class SecretLeakTests : IAsyncLifetime
{
    private const string Repository = "acme/ml-platform";
    private const string HeadSha = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    private const string GitHubToken = "ghp_LeakCheckGitHubToken0123456789abcd";
    private const string ClusterToken = "cluster-token-8e7d6c5b4a392817";

    private static readonly string SmallRepository = RepositoryPaths.Combine("tests", "GitOps.Cli.Tests", "testdata", "validate", "warnings-only");
    private static readonly string Event = RepositoryPaths.Combine("tests", "GitOps.Cli.Tests", "testdata", "github", "pull_request.synchronize.json");

    /// <summary>What a CI job's environment may hold besides the GitHub credentials.</summary>
    private static readonly Dictionary<string, string> OtherSecrets = new()
    {
        [GitOps.Cli.Conventions.EnvironmentVariables.GitToken] = "git-token-3c2b1a0f9e8d7c6b",
        [TrainingContract.ArtifactsToken] = "artifacts-token-6b5a4f3e2d1c0b9a",
        [GitOps.Cli.Conventions.EnvironmentVariables.ServingToken] = "serving-token-0a9b8c7d6e5f4a3b",
    };

    private readonly string _dir = Directory.CreateTempSubdirectory("gitops-secret-leak-").FullName;
    private readonly RSA _appKey = RSA.Create(2048);
    private FakeGitHubServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeGitHubServer.StartAsync();

    public async Task DisposeAsync()
    {
        _appKey.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Everything the fake GitHub stored for the pull request: check runs, their annotations, comments.</summary>
    private string Published(int number)
    {
        var runs = _server.Store.CheckRuns(Repository);
        return string.Join("\n", runs.Select(r => r.ToJsonString())
            .Concat(runs.SelectMany(r => _server.Store.Annotations((long)r["id"]!)).Select(a => a.ToJsonString()))
            .Concat(_server.Store.Comments(Repository, number).Select(c => c.ToJsonString())));
    }

    private static void AssertAbsent(IEnumerable<string> secrets, params (string What, string Text)[] places)
    {
        foreach (var (what, text) in places)
        {
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{what} contains the secret '{secret[..Math.Min(12, secret.Length)]}…'");
            }
        }
    }

    [Fact]
    public async Task Should_Keep_The_Token_Out_Of_Output_And_Everything_Published_When_GitHub_Fails_Then_Recovers()
    {
        // Given a token in a file (a mounted Secret), the other tokens in the environment, and GitHub failing at first
        var number = _server.Store.AddPullRequest(Repository, HeadSha, number: 7);
        _server.AddToken(GitHubToken, integration: true, [.. FakeGitHubServer.AllPermissions]);
        _server.FailNext(2, 502, pathContains: "check-runs");
        var summary = Path.Combine(_dir, "summary.md");

        // When pr-check runs, then runs again with a token GitHub refuses
        var args = new[] { "github", "pr-check", SmallRepository, "--repository", Repository, "--event", Event, "--api-url", _server.ApiUrl.ToString(),
            "--summary-file", summary };
        var first = await CliRunner.RunWithVariablesAsync(OtherSecrets, [.. args, "--token-file", Write("token", GitHubToken + "\n")]);
        var refused = await CliRunner.RunWithVariablesAsync(OtherSecrets, [.. args, "--token-file", Write("revoked", "ghp_RevokedToken9876543210fedcba\n")]);
        var plan = await CliRunner.RunWithVariablesAsync(OtherSecrets, "plan", SmallRepository, "-o", "json");

        // Then it published, and nothing it printed or wrote holds a secret
        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains(_server.Requests, r => r.Status == 502);
        Assert.NotEmpty(_server.Store.Comments(Repository, number));
        AssertAbsent([GitHubToken, "ghp_RevokedToken9876543210fedcba", .. OtherSecrets.Values],
            ("pr-check output", first.Stdout + first.Stderr), ("refused pr-check output", refused.Stdout + refused.Stderr),
            ("plan output", plan.Stdout + plan.Stderr), ("published checks and comments", Published(number)),
            ("job summary", File.Exists(summary) ? File.ReadAllText(summary) : ""));
    }

    [Fact]
    public async Task Should_Keep_The_App_Key_And_Installation_Tokens_Out_Of_Output_And_Everything_Published_When_GitHub_Fails()
    {
        // Given a GitHub App whose private key is in a file, and GitHub failing at first
        var number = _server.Store.AddPullRequest(Repository, HeadSha, number: 7);
        _server.Tokens.AddApp(new FakeGitHubApp(42, _appKey.ExportSubjectPublicKeyInfoPem(), 7, [.. FakeGitHubServer.AllPermissions], TimeSpan.FromHours(1)));
        _server.FailNext(2, 503, pathContains: "check-runs");
        var pem = _appKey.ExportRSAPrivateKeyPem();
        var keyFile = Write("app.pem", pem);

        // When
        var result = await CliRunner.RunWithVariablesAsync(OtherSecrets, "github", "pr-check", SmallRepository, "--repository", Repository,
            "--event", Event, "--api-url", _server.ApiUrl.ToString(), "--app-id", "42", "--installation-id", "7", "--app-key-file", keyFile,
            "--summary-file", Path.Combine(_dir, "summary.md"));

        // Then
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Equal(1, _server.Tokens.InstallationTokensIssued);
        var installationTokens = _server.Requests.Select(r => r.Token).OfType<string>().Where(t => t.StartsWith("ghs_", StringComparison.Ordinal)).Distinct().ToList();
        Assert.NotEmpty(installationTokens);
        // The key's base64 body, line by line: any one of them printed would be a leak.
        var keyLines = pem.Split('\n').Where(l => l.Length > 40 && !l.StartsWith("-----", StringComparison.Ordinal));
        AssertAbsent([.. keyLines, .. installationTokens, .. OtherSecrets.Values],
            ("pr-check output", result.Stdout + result.Stderr), ("published checks and comments", Published(number)));
    }

    [Fact]
    public async Task Should_Keep_The_Token_Out_Of_The_Reconcilers_Logs_And_Reports_When_It_Reports_To_GitHub_Through_Faults()
    {
        // Given a repository to reconcile, a cluster, the GitHub token in the environment and GitHub failing at first
        await using var cluster = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = ClusterToken });
        var kubeconfig = cluster.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"), @namespace: "ml");
        using var repo = FakeGitRepo.Create();
        var commit = repo.Commit("one model", SingleEnvironmentRepository.Files("ml", [("fraud", 100)]));
        _server.AddToken(GitHubToken, integration: true, [.. FakeGitHubServer.AllPermissions]);
        _server.FailNext(2, 502, pathContains: "/statuses");

        // When one pass runs as a process, with the credentials in its environment
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "gitops.dll"), "reconcile", "--once", "--repo", repo.Path, "--env", "prod",
                     "--kubeconfig", kubeconfig, "--workdir", Path.Combine(_dir, "work"), "--listen", "127.0.0.1:0",
                     "--github-repository", Repository, "--github-api-url", _server.ApiUrl.ToString(),
                     "--github-environment-url", "prod=https://models.example.com/prod",
                 })
        {
            psi.ArgumentList.Add(arg);
        }
        psi.Environment[GitOps.GitHub.Connection.GitHubCredentialSource.TokenVariable] = GitHubToken;
        foreach (var (name, value) in OtherSecrets)
        {
            psi.Environment[name] = value;
        }
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var exited = await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(3))) is var done && process.HasExited;
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
        }
        await done;
        var output = await stdout + await stderr;

        // Then the pass reported a deployment and a commit status, retrying through the faults, and no secret shows
        Assert.True(exited && process.ExitCode == 0, output);
        var deployment = Assert.Single(_server.Store.Deployments(Repository));
        Assert.Equal(commit, (string?)deployment["sha"]);
        var statuses = _server.Store.DeploymentStatuses((long)deployment["id"]!);
        Assert.Equal(["in_progress", "success"], statuses.Select(s => (string?)s["state"]));
        Assert.Equal("https://models.example.com/prod", (string?)statuses[^1]["environment_url"]);
        var status = Assert.Single(_server.Store.CommitStatuses(Repository, commit));
        Assert.Equal(("success", "gitops/prod"), ((string?)status["state"], (string?)status["context"]));
        Assert.Contains(_server.Requests, r => r.Status == 502);
        Assert.Contains("Reporting deployments, commit statuses and rollbacks to GitHub repository acme/ml-platform", output, StringComparison.Ordinal);
        var reported = string.Join("\n", _server.Store.Deployments(Repository).Select(d => d.ToJsonString())
            .Concat(statuses.Select(d => d.ToJsonString())).Concat(_server.Store.CommitStatuses(Repository, commit).Select(d => d.ToJsonString())));
        AssertAbsent([GitHubToken, ClusterToken, .. OtherSecrets.Values], ("reconcile output", output), ("deployments and statuses", reported));
    }
}
