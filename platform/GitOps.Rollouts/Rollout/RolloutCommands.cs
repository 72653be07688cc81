using System.Collections.Immutable;

namespace GitOps.Rollouts.Rollout;

/// <summary>Whether an operator's command applies to a rollout's state; the CLI asks before it records one.</summary>
public static class RolloutCommands
{
    /// <summary>Why <paramref name="kind"/> cannot apply to <paramref name="state"/>, or null when it can.</summary>
    public static string? Refusal(RolloutState state, RolloutCommandKind kind) => kind switch
    {
        RolloutCommandKind.Promote or RolloutCommandKind.PromoteFull when state is { Phase: RolloutPhase.Degraded, Canary: { } rejected } =>
            $"version {rejected} was rolled back ({state.Rejected.LastOrDefault(r => r.Version == rejected)?.Reason ?? "rejected"}); run 'gitops rollout retry' to roll it out again from the first step",
        RolloutCommandKind.Promote or RolloutCommandKind.PromoteFull when !state.InProgress =>
            $"no rollout is in progress{Stable(state)}; there is nothing to promote",
        RolloutCommandKind.Abort when !state.InProgress && state.PreviousStable is null =>
            $"no rollout is in progress{Stable(state)}; there is nothing to abort",
        RolloutCommandKind.Retry when state is not { Phase: RolloutPhase.Degraded, Canary: not null } =>
            $"no rolled-back version to retry{Stable(state)}",
        _ => null,
    };

    /// <summary>
    /// The order in which commands given before one pass are applied, and those that are not: by the time they were
    /// given (ties in the order they were recorded); an <c>abort</c> wins over every <c>promote</c> of the same pass,
    /// before or after it (the safe word wins: with both pending, the rollout is stopped, never completed); and a
    /// command given again in the same pass (<c>promote</c> twice) applies once, so a double click never skips two
    /// steps. Each entry's <c>NotApplied</c> says why it is not applied, or is null.
    /// </summary>
    public static ImmutableArray<(RolloutCommand Command, string? NotApplied)> Arrange(IEnumerable<RolloutCommand> commands)
    {
        var ordered = commands.Select((c, i) => (c, i)).OrderBy(x => x.c.At).ThenBy(x => x.i).Select(x => x.c).ToList();
        var abort = ordered.FirstOrDefault(c => c.Kind == RolloutCommandKind.Abort);
        var applied = new Dictionary<RolloutCommandKind, RolloutCommand>();
        var arranged = ImmutableArray.CreateBuilder<(RolloutCommand, string?)>(ordered.Count);
        foreach (var command in ordered)
        {
            if (abort is not null && command.Kind is RolloutCommandKind.Promote or RolloutCommandKind.PromoteFull)
            {
                arranged.Add((command, $"abort by {abort.Actor} (given at {abort.At:u}) in the same pass wins over it"));
            }
            else if (applied.TryGetValue(command.Kind, out var first))
            {
                arranged.Add((command, $"the same command as {Name(first.Kind)} by {first.Actor} (given at {first.At:u}) in the same pass, which applies once"));
            }
            else
            {
                applied[command.Kind] = command;
                arranged.Add((command, null));
            }
        }
        return arranged.ToImmutable();
    }

    /// <summary>The command as an operator types it after <c>gitops rollout</c>.</summary>
    public static string Name(RolloutCommandKind kind) => kind switch
    {
        RolloutCommandKind.PromoteFull => "promote --full",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string Stable(RolloutState state) => state.Stable is { } v ? $" (stable version {v})" : "";
}
