using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Octokit;

namespace GitOps.GitHub.Connection;

/// <summary>
/// Octokit behind the two rules every GitHub call of GitOps ML follows: rate limits are honoured (<c>Retry-After</c>
/// for secondary limits, <c>x-ratelimit-reset</c> when <c>x-ratelimit-remaining</c> is 0) and 5xx or network faults
/// are retried with the shared backoff, both a bounded number of times; and failures come out as
/// <see cref="GitHubRequestException"/> with a message that says what to do. Log lines name the action and the
/// status, never the token.
/// </summary>
public sealed class GitHubApi(IGitHubClient client, TimeProvider time, ILogger log, GitHubRetrySettings? settings = null)
{
    private readonly GitHubRetrySettings _settings = settings ?? new GitHubRetrySettings();

    public IGitHubClient Client => client;

    /// <summary>Where requests go (<c>https://api.github.com/</c> or <c>https://HOST/api/v3/</c>).</summary>
    public Uri BaseAddress => client.Connection.BaseAddress;

    /// <summary>
    /// Runs <paramref name="call"/>; <paramref name="action"/> (e.g. <c>create check run 'gitops / plan'</c>) and
    /// <paramref name="permission"/> (e.g. <c>checks: write</c>) make the failure message precise.
    /// </summary>
    public async Task<T> CallAsync<T>(string action, string permission, Func<IGitHubClient, Task<T>> call, CancellationToken ct)
    {
        var refreshed = false;
        for (var attempt = 1; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            TimeSpan wait;
            try
            {
                return await call(client);
            }
            catch (ApiException e) when (RateLimitWait(e) is { } limit)
            {
                if (attempt >= _settings.MaxAttempts || limit > _settings.MaxWait)
                {
                    throw new GitHubRequestException(GitHubFailure.RateLimited,
                        $"GitHub's rate limit stopped '{action}': {Describe(e)}; it lifts in {Seconds(limit)}s, longer than gitops waits "
                        + $"({Seconds(_settings.MaxWait)}s, {_settings.MaxAttempts} tries). Run again later, or authenticate as a GitHub App, whose limit grows with the installation.",
                        inner: e);
                }
                wait = limit;
                log.LogWarning("GitHub rate limit while trying to {Action} ({Status}): waiting {Wait}s (try {Attempt} of {Max})",
                    action, (int)e.StatusCode, Seconds(wait), attempt, _settings.MaxAttempts);
            }
            catch (AuthorizationException) when (!refreshed && client.Connection.CredentialStore is IRefreshableCredentials store)
            {
                // An installation token can be revoked or expire early: fetch a new one once before giving up.
                refreshed = true;
                store.Invalidate();
                log.LogInformation("GitHub answered 401 to {Action}: fetching a new installation token", action);
                continue;
            }
            catch (ApiException e) when (Transient(e.StatusCode))
            {
                if (attempt >= _settings.MaxAttempts)
                {
                    throw new GitHubRequestException(GitHubFailure.Unavailable,
                        $"GitHub is unavailable: '{action}' failed {attempt} times, last with {Describe(e)}. Check https://www.githubstatus.com (or your GitHub Enterprise Server) and run again.", inner: e);
                }
                wait = _settings.ServerErrors.After(attempt);
                log.LogWarning("GitHub answered {Status} to {Action}: retrying in {Wait}s (try {Attempt} of {Max})",
                    (int)e.StatusCode, action, Seconds(wait), attempt, _settings.MaxAttempts);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                if (attempt >= _settings.MaxAttempts)
                {
                    throw new GitHubRequestException(GitHubFailure.Unavailable,
                        $"cannot reach GitHub at {BaseAddress} to {action} after {attempt} tries: {e.Message.TrimEnd('.')}. Check the network and GITHUB_API_URL (--api-url).", inner: e);
                }
                wait = _settings.ServerErrors.After(attempt);
                log.LogWarning("Cannot reach GitHub to {Action} ({Error}): retrying in {Wait}s (try {Attempt} of {Max})",
                    action, e.GetType().Name, Seconds(wait), attempt, _settings.MaxAttempts);
            }
            catch (ApiException e)
            {
                throw Translate(e, action, permission);
            }
            await Task.Delay(wait, time, ct);
        }
    }

    /// <summary>The exception a non-retried failure becomes.</summary>
    public GitHubRequestException Translate(ApiException e, string action, string permission) => e switch
    {
        AuthorizationException => new GitHubRequestException(GitHubFailure.Unauthorized,
            $"GitHub did not accept the credentials to {action} ({Describe(e)}). Check GITHUB_TOKEN (or --token-file), or the GitHub App's id, installation id and private key.", inner: e),
        ForbiddenException => new GitHubRequestException(GitHubFailure.MissingPermission,
            $"GitHub refused to {action} ({Describe(e)}): the token needs the '{permission}' permission. "
            + $"In a workflow add it under 'permissions:'; for a GitHub App grant it in the app's settings and accept the new permissions on the installation. "
            + "A pull request from a fork only ever gets a read-only token.", permission, e),
        NotFoundException => new GitHubRequestException(GitHubFailure.NotFound,
            $"GitHub found nothing to {action} ({Describe(e)}): check the repository (GITHUB_REPOSITORY or --repository) and the pull request number; GitHub also answers 404 when the token cannot see the repository.", inner: e),
        ApiValidationException => new GitHubRequestException(GitHubFailure.Invalid, $"GitHub rejected the request to {action} ({Describe(e)}).", inner: e),
        _ => new GitHubRequestException(GitHubFailure.Unavailable, $"GitHub failed to {action} ({Describe(e)}).", inner: e),
    };

    /// <summary>How long a rate-limited reply asks to wait; null when <paramref name="e"/> is no rate limit.</summary>
    public TimeSpan? RateLimitWait(ApiException e)
    {
        if (e.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests))
        {
            return null;
        }
        if (Header(e, "Retry-After") is { } retryAfter && int.TryParse(retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }
        if (Header(e, "x-ratelimit-remaining") == "0"
            && long.TryParse(Header(e, "x-ratelimit-reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var reset))
        {
            var until = DateTimeOffset.FromUnixTimeSeconds(reset) - time.GetUtcNow();
            // The reset is in whole seconds: wait one more so the first request after it is not refused again.
            return until < TimeSpan.Zero ? TimeSpan.FromSeconds(1) : until + TimeSpan.FromSeconds(1);
        }
        return e is SecondaryRateLimitExceededException or AbuseException || e.StatusCode == HttpStatusCode.TooManyRequests
            ? _settings.SecondaryLimitDefault
            : null;
    }

    private static bool Transient(HttpStatusCode status) => (int)status >= 500;

    private static string? Header(ApiException e, string name) =>
        e.HttpResponse?.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary><c>403: Resource not accessible by integration</c>, with the validation errors of a 422.</summary>
    public static string Describe(ApiException e)
    {
        var message = e.ApiError?.Message ?? e.Message;
        var details = e.ApiError?.Errors?.Select(d => d.Message ?? $"{d.Resource}.{d.Field} {d.Code}").Where(d => !string.IsNullOrEmpty(d)).ToList() ?? [];
        var text = details.Count > 0 ? $"{message}: {string.Join("; ", details)}" : message;
        return $"{(int)e.StatusCode}: {text.ReplaceLineEndings(" ").Trim()}";
    }

    private static string Seconds(TimeSpan t) => Math.Ceiling(t.TotalSeconds).ToString(CultureInfo.InvariantCulture);
}

/// <summary>Credentials that can be fetched again, such as a GitHub App installation token.</summary>
public interface IRefreshableCredentials
{
    /// <summary>Forgets the cached credentials so the next request fetches new ones.</summary>
    void Invalidate();
}
