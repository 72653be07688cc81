using GitOps.GitHub.Connection;
using GitOps.Reconciler.Loop;
using GitOps.Testing.FakeGitHub;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.GitHub.Tests.Support;

/// <summary>One fake GitHub API per test class; each test works in a repository of its own.</summary>
public sealed class GitHubServerFixture : IAsyncLifetime
{
    private int _repositories;

    public FakeGitHubServer Server { get; private set; } = null!;

    public const string Token = "ghp_fixture_token_all_permissions";

    public async Task InitializeAsync()
    {
        Server = await FakeGitHubServer.StartAsync();
        Server.AddToken(Token, integration: true, [.. FakeGitHubServer.AllPermissions]);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A repository name no other test of the class uses.</summary>
    public GitHubRepository NewRepository() => new("acme", $"ml-{Interlocked.Increment(ref _repositories)}");

    /// <summary>Retries fast enough for tests: the waits are real but a few milliseconds long.</summary>
    public static readonly GitHubRetrySettings FastRetries = new()
    {
        ServerErrors = new Backoff(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20)),
    };

    public GitHubApi Api(string? token = null, TimeProvider? time = null, GitHubRetrySettings? retry = null) =>
        GitHubClientFactory.Create(new GitHubConnectionSettings
        {
            ApiUrl = Server.BaseAddress,
            Auth = new GitHubAuth.Token(token ?? Token),
            Retry = retry ?? FastRetries,
        }, time ?? TimeProvider.System, NullLogger.Instance);
}
