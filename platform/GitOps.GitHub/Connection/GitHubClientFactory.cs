using Microsoft.Extensions.Logging;
using Octokit;
using Octokit.Internal;

namespace GitOps.GitHub.Connection;

/// <summary>Where and how to reach GitHub.</summary>
public sealed record GitHubConnectionSettings
{
    /// <summary>
    /// The REST API root: null or <c>https://api.github.com</c> for github.com; for GitHub Enterprise Server its
    /// <c>https://HOST/api/v3</c> (what <c>GITHUB_API_URL</c> holds in Actions) or just <c>https://HOST</c>.
    /// </summary>
    public Uri? ApiUrl { get; init; }

    public required GitHubAuth Auth { get; init; }

    public GitHubRetrySettings Retry { get; init; } = new();

    /// <summary>One request's timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Builds the Octokit client for a token or a GitHub App, on github.com or GitHub Enterprise Server.</summary>
public static class GitHubClientFactory
{
    public static readonly ProductHeaderValue ProductHeader = new("gitops-ml", "0.1");

    public static GitHubApi Create(GitHubConnectionSettings settings, TimeProvider time, ILogger log)
    {
        // Octokit maps github.com to https://api.github.com/ and any other host to https://HOST/api/v3/.
        var baseAddress = settings.ApiUrl ?? GitHubClient.GitHubApiUrl;
        ICredentialStore credentials = settings.Auth switch
        {
            GitHubAuth.Token t => new InMemoryCredentialStore(new Credentials(t.Value)),
            GitHubAuth.App a => new InstallationTokenStore(a, baseAddress, time),
            _ => throw new ArgumentOutOfRangeException(nameof(settings)),
        };
        var client = new GitHubClient(ProductHeader, credentials, baseAddress);
        client.SetRequestTimeout(settings.Timeout);
        return new GitHubApi(client, time, log, settings.Retry);
    }
}
