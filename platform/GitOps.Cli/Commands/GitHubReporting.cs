using System.Collections.Immutable;
using System.CommandLine;
using GitOps.Cli.Conventions;
using GitOps.Cli.Output;
using GitOps.GitHub.Connection;
using GitOps.GitHub.Notifications;
using Microsoft.Extensions.Logging;

namespace GitOps.Cli.Commands;

/// <summary>
/// The <c>--github-*</c> options of <c>gitops reconcile</c> and <c>gitops up</c>: reporting back to GitHub (Deployments,
/// commit statuses <c>gitops/ENV</c>, rollback issues). Off unless a repository is named; then credentials are required:
/// a token (<c>--github-token-file</c> or <c>GITHUB_TOKEN</c>) or a GitHub App (id, installation id, private key file).
/// </summary>
public sealed class GitHubReporting
{
    public const string RepositoryVariable = "GITOPS_GITHUB_REPOSITORY";

    private readonly Option<string?> _repository = new("--github-repository") { Description = $"Report deployments, commit statuses and rollbacks to this GitHub repository, owner/name (default: ${RepositoryVariable}; neither: off)", HelpName = "OWNER/NAME" };
    private readonly Option<string?> _apiUrl = new("--github-api-url") { Description = "GitHub REST API root (default: $GITHUB_API_URL, else https://api.github.com; GitHub Enterprise Server: https://HOST/api/v3)", HelpName = "URL" };
    private readonly Option<string?> _tokenFile = new("--github-token-file") { Description = $"File holding a GitHub token, e.g. a mounted Secret (default: ${GitHubCredentialSource.TokenVariable})", HelpName = "FILE" };
    private readonly Option<string?> _appId = new("--github-app-id") { Description = $"GitHub App id, to report as an app (default: ${GitHubCredentialSource.AppIdVariable})", HelpName = "ID" };
    private readonly Option<string?> _installationId = new("--github-installation-id") { Description = $"GitHub App installation id (default: ${GitHubCredentialSource.InstallationIdVariable})", HelpName = "ID" };
    private readonly Option<string?> _appKeyFile = new("--github-app-key-file") { Description = $"GitHub App private key, PEM (default: ${GitHubCredentialSource.AppKeyFileVariable})", HelpName = "FILE" };
    private readonly Option<string[]> _environmentUrls = new("--github-environment-url") { Description = "ENV=URL: where an environment serves, shown on its GitHub deployments (repeatable)", AllowMultipleArgumentsPerToken = false, HelpName = "ENV=URL" };
    private readonly Option<string?> _logUrl = new("--github-log-url") { Description = "Link from deployment and commit statuses, e.g. the reconciler's dashboard", HelpName = "URL" };

    public static GitHubReporting AddTo(Command command)
    {
        var reporting = new GitHubReporting();
        foreach (var option in new Option[] { reporting._repository, reporting._apiUrl, reporting._tokenFile, reporting._appId, reporting._installationId, reporting._appKeyFile, reporting._environmentUrls, reporting._logUrl })
        {
            command.Options.Add(option);
        }
        return reporting;
    }

    /// <summary>The notifier the options ask for; null when no repository is named. A <see cref="UserError"/> says what is
    /// missing or malformed (never the secret). <paramref name="defaultEnvironmentUrls"/> fill environments without a flag.</summary>
    public GitHubNotifier? Create(ParseResult parse, ILoggerFactory loggers, IReadOnlyDictionary<string, string>? defaultEnvironmentUrls = null,
        string? shard = null)
    {
        var environment = CliEnvironment.Current;
        var repositoryText = parse.GetValue(_repository) ?? environment.Get(RepositoryVariable);
        if (repositoryText is not { Length: > 0 })
        {
            return null;
        }
        var repository = GitHubRepository.TryParse(repositoryText)
            ?? throw new UserError($"--github-repository '{repositoryText}' is not owner/name (e.g. acme/ml-platform).");
        var apiUrlText = parse.GetValue(_apiUrl) ?? environment.Get("GITHUB_API_URL");
        Uri? apiUrl = null;
        if (apiUrlText is { Length: > 0 } && !Uri.TryCreate(apiUrlText, UriKind.Absolute, out apiUrl))
        {
            throw new UserError($"--github-api-url '{apiUrlText}' is not an absolute URL; use https://api.github.com or https://HOST/api/v3.");
        }
        GitHubAuth? auth;
        try
        {
            auth = GitHubCredentialSource.Resolve(new GitHubCredentialOptions
            {
                TokenFile = parse.GetValue(_tokenFile),
                AppId = parse.GetValue(_appId),
                InstallationId = parse.GetValue(_installationId),
                AppKeyFile = parse.GetValue(_appKeyFile),
            }, environment.Get);
        }
        catch (FormatException e)
        {
            throw new UserError(e.Message);
        }
        if (auth is null)
        {
            throw new UserError($"--github-repository {repository} needs credentials: --github-token-file FILE or {GitHubCredentialSource.TokenVariable}, "
                + $"or a GitHub App (--github-app-id, --github-installation-id, --github-app-key-file). See docs/github.md for the permissions.");
        }
        var urls = (defaultEnvironmentUrls ?? ImmutableDictionary<string, string>.Empty).ToImmutableDictionary(StringComparer.Ordinal).ToBuilder();
        foreach (var pair in parse.GetValue(_environmentUrls) ?? [])
        {
            var parts = pair.Split('=', 2);
            if (parts is not [{ Length: > 0 } name, { Length: > 0 } url] || !Uri.TryCreate(url, UriKind.Absolute, out _))
            {
                throw new UserError($"--github-environment-url '{pair}' is not ENV=URL (e.g. prod=https://models.example.com).");
            }
            urls[name] = url;
        }
        var log = loggers.CreateLogger<GitHubNotifier>();
        var api = GitHubClientFactory.Create(new GitHubConnectionSettings { ApiUrl = apiUrl, Auth = auth }, TimeProvider.System, log);
        log.LogInformation("Reporting deployments, commit statuses and rollbacks to GitHub repository {Repository} at {Api} as {Auth}", repository, api.BaseAddress, auth);
        return new GitHubNotifier(api, new GitHubNotifierSettings
        {
            Repository = repository,
            EnvironmentUrls = urls.ToImmutable(),
            LogUrl = parse.GetValue(_logUrl),
            Shard = shard,
        }, TimeProvider.System, log);
    }
}
