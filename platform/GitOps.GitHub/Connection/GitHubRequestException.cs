namespace GitOps.GitHub.Connection;

/// <summary>Why a GitHub request failed, as far as the caller needs to decide what to do next.</summary>
public enum GitHubFailure
{
    /// <summary>401: the token is wrong or expired.</summary>
    Unauthorized,

    /// <summary>403 without a rate limit: the token lacks a permission (a fork's pull request gets a read-only token).</summary>
    MissingPermission,

    /// <summary>404: no such repository, pull request or resource, or the token cannot see it.</summary>
    NotFound,

    /// <summary>422: GitHub rejected the request's content.</summary>
    Invalid,

    /// <summary>The primary or secondary rate limit lasts longer than the caller is willing to wait.</summary>
    RateLimited,

    /// <summary>5xx, a timeout or no connection, still so after the bounded retries.</summary>
    Unavailable,
}

/// <summary>
/// A GitHub request that failed, with a message for people: what was being done, what GitHub answered and what to
/// do about it (for a 403, the permission to grant). Never carries the token.
/// </summary>
public sealed class GitHubRequestException(GitHubFailure failure, string message, string? permission = null, Exception? inner = null)
    : Exception(message, inner)
{
    public GitHubFailure Failure { get; } = failure;

    /// <summary>For <see cref="GitHubFailure.MissingPermission"/>: the permission the request needs, e.g. <c>checks: write</c>.</summary>
    public string? Permission { get; } = permission;
}
