namespace GitOps.Reconciler.Status;

/// <summary>
/// What the reconciler last did for one environment, persisted in the cluster so a restarted reconciler resumes
/// from it (the last applied commit is the "last good" one an invalid commit falls back to).
/// </summary>
public sealed record EnvironmentStatus
{
    public required string Environment { get; init; }

    /// <summary>The commit whose plan was last applied successfully.</summary>
    public string? LastAppliedCommit { get; init; }

    /// <summary>The commit of the most recent pass, whatever its outcome.</summary>
    public string? LastAttemptedCommit { get; init; }

    /// <summary>Outcome of the most recent pass: <c>Applied</c>, <c>NoChange</c>, <c>Stalled</c> or <c>Retry</c>.</summary>
    public string Outcome { get; init; } = "Unknown";

    public string? Message { get; init; }

    /// <summary>Compiler-style diagnostics of the last attempted commit, one per line (truncated when very long).</summary>
    public string? DiagnosticsSummary { get; init; }

    /// <summary>The plan of the last attempted commit in its text form (truncated when very long).</summary>
    public string? PlanSummary { get; init; }

    /// <summary>One line per model's rollout after the last pass: phase, versions, weight, step, why it waits.</summary>
    public string? RolloutSummary { get; init; }
    /// <summary>Trained versions not served here and why (<c>fraud 9a75b5701b77 rejected: ...</c>), one per line.</summary>
    public string? Held { get; init; }

    /// <summary>Training Jobs that failed or cannot start and why (<c>fraud 9a75b5701b77 backoff_exhausted: ...</c>), one per line.</summary>
    public string? Training { get; init; }

    /// <summary>One line per experiment the environment runs: trials finished and running, or the finished run's best
    /// trial and candidate.</summary>
    public string? Experiments { get; init; }

    /// <summary>One line per model with <c>spec.training.retrain</c>: why it was retrained (reason, detail, dataset), why
    /// a due retrain waits, or when the next one is due (docs/retraining.md).</summary>
    public string? Retraining { get; init; }

    public DateTimeOffset? LastAttemptTime { get; init; }

    public DateTimeOffset? LastAppliedTime { get; init; }

    /// <summary>Concurrency token of the stored copy (null: never stored). A save with a stale token fails.</summary>
    public string? ResourceVersion { get; init; }
}

/// <summary>Someone else saved the status since it was read (optimistic concurrency): read it again and retry.</summary>
public sealed class StatusConflictException(string environment, string detail)
    : Exception($"the status of environment \"{environment}\" changed since it was read ({detail}); read it again and retry")
{
    public string Environment { get; } = environment;
}

/// <summary>Port for persisting <see cref="EnvironmentStatus"/>.</summary>
public interface IEnvironmentStatusStore
{
    Task<EnvironmentStatus?> ReadAsync(string environment, CancellationToken ct);

    /// <summary>The status of the whole environment, as a view for a person (the web console): a store that keeps one
    /// shard's status reads every current shard's and merges them (<see cref="ShardStatuses"/>); any other store, its own.</summary>
    Task<EnvironmentStatus?> ReadWholeAsync(string environment, CancellationToken ct) => ReadAsync(environment, ct);

    /// <summary>Stores the status if nobody saved since it was read (per <see cref="EnvironmentStatus.ResourceVersion"/>);
    /// returns it with its new token, or throws <see cref="StatusConflictException"/>.</summary>
    Task<EnvironmentStatus> SaveAsync(EnvironmentStatus status, CancellationToken ct);
}
