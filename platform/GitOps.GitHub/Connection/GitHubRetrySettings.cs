using GitOps.Reconciler.Loop;

namespace GitOps.GitHub.Connection;

/// <summary>How long <see cref="GitHubApi"/> keeps trying one request before it gives up.</summary>
public sealed record GitHubRetrySettings
{
    /// <summary>Tries of one request, the first included.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>The longest single wait for a rate limit to lift; a later reset fails the request at once.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Waits between tries after a 5xx, a timeout or a refused connection.</summary>
    public Backoff ServerErrors { get; init; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>GitHub asks for at least a minute after a secondary limit that names no <c>Retry-After</c>.</summary>
    public TimeSpan SecondaryLimitDefault { get; init; } = TimeSpan.FromMinutes(1);
}
