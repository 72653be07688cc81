using System.Collections.Immutable;

namespace GitOps.Registry.Records;

/// <summary>
/// One entry of an environment's deploy history for a model (<c>registry/MODEL/events/ENV/NNNNNNNN.json</c>): an
/// append-only audit trail of what was deployed, promoted, rejected or rolled back, when, by whom and why.
/// </summary>
public sealed record RegistryEvent
{
    public required string Type { get; init; }
    public required string Model { get; init; }
    public required string Environment { get; init; }
    public required string Version { get; init; }
    public string? Commit { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary>Who did it: <c>reconciler</c>, or the user who ran <c>gitops rollout promote|abort</c>.</summary>
    public required string By { get; init; }
    public required string Reason { get; init; }
    /// <summary>For a promotion: which environment served the artifact, since when, with which sha256.</summary>
    public ImmutableSortedDictionary<string, string> Evidence { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
}

/// <summary>The event types of the deploy history.</summary>
public static class RegistryEventTypes
{
    public const string Recorded = "recorded";
    public const string Rejected = "rejected";
    public const string Deployed = "deployed";
    public const string Promoted = "promoted";
    public const string RolledBack = "rolledBack";
    public const string Aborted = "aborted";
    /// <summary>An environment with <c>promotion.from</c> received the source's artifact after its soak; the event's
    /// <see cref="RegistryEvent.Evidence"/> says from where, since when, with which sha256 and which analyses passed.</summary>
    public const string Received = "received";
}
