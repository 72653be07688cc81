using System.Collections.Immutable;

namespace GitOps.Rollouts.Rollout;

/// <summary>The result of <see cref="RolloutMachine.Next"/>: the new state and what to do.</summary>
public sealed record RolloutTransition(RolloutState State, ImmutableArray<RolloutAction> Actions)
{
    public IEnumerable<MeasureRequest> Measurements => Actions.OfType<MeasureRequest>();
    public IEnumerable<RolloutEvent> Events => Actions.OfType<TransitionRecorded>().Select(t => t.Event);
}
