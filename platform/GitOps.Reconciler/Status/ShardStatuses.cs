namespace GitOps.Reconciler.Status;

/// <summary>
/// The statuses the shards of one environment wrote (<c>gitops reconcile --shard K/N</c>), read as one, for a view of the
/// whole environment such as the web console's: the worst outcome, each shard's outcome and commit in the message, and
/// the per-model lines (held versions, training, experiments, retraining) of every shard, which name only that shard's
/// models. Pure.
/// </summary>
public static class ShardStatuses
{
    /// <summary>Outcomes from the one a person must act on first to the quietest; any other outcome sits between.</summary>
    private static readonly string[] Severity = ["Stalled", "Refused", "Retry"];

    private static readonly string[] Quiet = ["Applied", "NoChange"];

    /// <summary>One status for <paramref name="environment"/> from its shards' (<c>2/3</c>, in shard order); null when none wrote one.</summary>
    public static EnvironmentStatus? Merge(string environment, IReadOnlyList<(string Shard, EnvironmentStatus Status)> shards)
    {
        if (shards.Count == 0)
        {
            return null;
        }
        if (shards.Count == 1)
        {
            return shards[0].Status;
        }
        var statuses = shards.Select(s => s.Status).ToList();
        var commits = statuses.Select(s => s.LastAttemptedCommit).Distinct(StringComparer.Ordinal).ToList();
        var applied = statuses.Select(s => s.LastAppliedCommit).Distinct(StringComparer.Ordinal).ToList();
        return new EnvironmentStatus
        {
            Environment = environment,
            Outcome = statuses.Select(s => s.Outcome).MinBy(Rank)!,
            LastAttemptedCommit = commits.Count == 1 ? commits[0] : null,
            LastAppliedCommit = applied.Count == 1 ? applied[0] : null,
            Message = string.Join("; ", shards.Select(s => $"shard {s.Shard}: {s.Status.Outcome}"
                + (s.Status.LastAttemptedCommit is { } commit ? $" at {commit[..Math.Min(12, commit.Length)]}" : "")
                + (string.IsNullOrWhiteSpace(s.Status.Message) ? "" : $" ({s.Status.Message})"))),
            DiagnosticsSummary = Lines(statuses, s => s.DiagnosticsSummary),
            PlanSummary = Lines(statuses, s => s.PlanSummary),
            RolloutSummary = Lines(statuses, s => s.RolloutSummary),
            Held = Lines(statuses, s => s.Held),
            Training = Lines(statuses, s => s.Training),
            Experiments = Lines(statuses, s => s.Experiments),
            Retraining = Lines(statuses, s => s.Retraining),
            LastAttemptTime = statuses.Max(s => s.LastAttemptTime),
            // The environment is as fresh as its stalest shard.
            LastAppliedTime = statuses.Any(s => s.LastAppliedTime is null) ? null : statuses.Min(s => s.LastAppliedTime),
        };
    }

    private static int Rank(string outcome) =>
        Array.IndexOf(Severity, outcome) is var severe and >= 0 ? severe
        : Array.IndexOf(Quiet, outcome) is var quiet and >= 0 ? Severity.Length + 1 + quiet
        : Severity.Length;

    private static string? Lines(IEnumerable<EnvironmentStatus> statuses, Func<EnvironmentStatus, string?> field) =>
        string.Join('\n', statuses.Select(field).Where(text => !string.IsNullOrWhiteSpace(text)).Select(text => text!.TrimEnd('\n'))) is { Length: > 0 } joined
            ? joined
            : null;
}
