using System.Collections.Immutable;
using GitOps.GitHub.Connection;
using GitOps.Reconciler.Loop;

namespace GitOps.GitHub.Notifications;

/// <summary>Where and how the reconciler reports to GitHub.</summary>
public sealed record GitHubNotifierSettings
{
    /// <summary>The repository the reconciler follows, whose commits get the deployments and statuses.</summary>
    public required GitHubRepository Repository { get; init; }

    /// <summary>Where each environment serves (the deployment's environment URL), by environment name.</summary>
    public ImmutableDictionary<string, string> EnvironmentUrls { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>The link from deployment and commit statuses: the reconciler's status or logs page.</summary>
    public string? LogUrl { get; init; }

    /// <summary>Notifications waiting for delivery at most; when full, the oldest is dropped with a warning.</summary>
    public int QueueCapacity { get; init; } = 1000;

    /// <summary>Deliveries of one notification, the first included, before it is dropped with a warning. Each delivery
    /// already retries rate limits and 5xx itself (<see cref="GitHubRetrySettings"/>).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Waits between deliveries of a notification GitHub could not take (GitHub down).</summary>
    public Backoff Retry { get; init; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));

    /// <summary>The reconciler's shard (<c>2/3</c>) when several share the environments: each writes its own commit
    /// status (<c>gitops/prod (shard 2/3)</c>) and says which shard it is in its deployment statuses; null when one
    /// reconciler converges everything.</summary>
    public string? Shard { get; init; }
}
