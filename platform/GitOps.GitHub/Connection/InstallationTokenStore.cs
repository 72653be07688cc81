using Octokit;

namespace GitOps.GitHub.Connection;

/// <summary>
/// Octokit credentials for a GitHub App installation: exchanges a fresh app JWT for an installation token on first
/// use and again <see cref="RefreshBefore"/> its expiry (tokens live an hour), so long-running reconcilers never
/// send an expired token. Thread-safe; one exchange at a time.
/// </summary>
public sealed class InstallationTokenStore(GitHubAuth.App app, Uri baseAddress, TimeProvider time) : ICredentialStore, IRefreshableCredentials
{
    public static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private AccessToken? _current;

    /// <summary>When the cached installation token expires (null before the first exchange).</summary>
    public DateTimeOffset? ExpiresAt => _current?.ExpiresAt;

    public async Task<Credentials> GetCredentials()
    {
        await _gate.WaitAsync();
        try
        {
            if (_current is null || _current.ExpiresAt - RefreshBefore <= time.GetUtcNow())
            {
                var jwt = GitHubAppJwt.Create(app.AppId, app.PrivateKeyPem, time.GetUtcNow());
                var appClient = new GitHubClient(GitHubClientFactory.ProductHeader, baseAddress)
                {
                    Credentials = new Credentials(jwt, AuthenticationType.Bearer),
                };
                try
                {
                    _current = await appClient.GitHubApps.CreateInstallationToken(app.InstallationId);
                }
                catch (ApiException e)
                {
                    throw new GitHubRequestException(e is NotFoundException ? GitHubFailure.NotFound : GitHubFailure.Unauthorized,
                        $"cannot get an installation token for GitHub App {app.AppId}, installation {app.InstallationId} ({GitHubApi.Describe(e)}). "
                        + "Check the app id, the installation id (in the installation's settings URL) and that the private key belongs to this app.", inner: e);
                }
            }
            return new Credentials(_current.Token);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Invalidate() => _current = null;
}
