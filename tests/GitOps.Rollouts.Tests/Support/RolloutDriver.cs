using System.Collections.Immutable;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;
using Microsoft.Extensions.Time.Testing;

namespace GitOps.Rollouts.Tests.Support;

/// <summary>
/// Drives <see cref="RolloutMachine"/> like the reconciler does, with a fake clock: a pass advances the rollout,
/// answers the measurements it asks for with <see cref="Answer"/>, and advances it again.
/// </summary>
internal sealed class RolloutDriver(RolloutPolicy policy, RolloutState? state = null)
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 14, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Start);
    public RolloutPolicy Policy { get; set; } = policy;
    public RolloutState State { get; private set; } = state ?? new RolloutState { Stable = "v1" };
    public string? Desired { get; set; } = "v2";
    public bool CanaryReady { get; set; } = true;
    /// <summary>Whether the stable Deployment runs the stable version, ready (false by default: it has to roll).</summary>
    public bool StableReady { get; set; }
    /// <summary>Answers a metric query; by default every metric is healthy.</summary>
    public Func<MeasureRequest, Observation> Answer { get; set; } = r => Observation.Of(r.Metric, 0.001, 1000);
    public List<RolloutAction> Actions { get; } = [];

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>One reconcile pass: advance, take the measurements asked for, and advance again with their answers.</summary>
    public RolloutTransition Step(params RolloutCommand[] commands)
    {
        var generation = State.Generation;
        var first = Next(new RolloutInput { DesiredVersion = Desired, CanaryReady = CanaryReady, StableReady = StableReady, Commands = [.. commands] });
        if (CanaryReady && first.State.Generation != generation)
        {
            // A rollout started: the pods of the new canary exist only from this pass on. With pods that are ready at
            // once, the next pass (taken at the same instant) sees them ready.
            var ready = Next(new RolloutInput { DesiredVersion = Desired, CanaryReady = true, StableReady = StableReady });
            first = new RolloutTransition(ready.State, [.. first.Actions, .. ready.Actions]);
        }
        var requested = first.Measurements.ToImmutableArray();
        if (requested.IsEmpty)
        {
            return first;
        }
        var observations = requested.Select(r => new RunObservation(r.RunId, r.Metric, Now, Answer(r))).ToImmutableArray();
        var second = Next(new RolloutInput { DesiredVersion = Desired, CanaryReady = CanaryReady, StableReady = StableReady, Observations = observations });
        return new RolloutTransition(second.State, [.. first.Actions, .. second.Actions]);
    }

    private RolloutTransition Next(RolloutInput input)
    {
        var transition = RolloutMachine.Next(State, Policy, input, Now);
        State = transition.State;
        Actions.AddRange(transition.Actions);
        return transition;
    }

    public RolloutTransition Command(RolloutCommandKind kind, string actor = "alice") => Step(new RolloutCommand(kind, actor, Now));

    /// <summary>Steps every <paramref name="every"/> for <paramref name="duration"/>.</summary>
    public void Run(TimeSpan duration, TimeSpan? every = null)
    {
        var end = Now + duration;
        var tick = every ?? TimeSpan.FromSeconds(10);
        Step();
        while (Now < end)
        {
            Clock.Advance(tick);
            Step();
        }
    }

    /// <summary>Steps every 10 s until <paramref name="done"/> holds, at most <paramref name="limit"/> of fake time.</summary>
    public void RunUntil(Func<RolloutState, bool> done, TimeSpan? limit = null)
    {
        var end = Now + (limit ?? TimeSpan.FromHours(2));
        Step();
        while (!done(State))
        {
            Assert.True(Now < end, $"the rollout did not reach the expected state within {limit ?? TimeSpan.FromHours(2)}; it is {State.Phase} at step {State.StepIndex}: {State.PauseReason}");
            Clock.Advance(TimeSpan.FromSeconds(10));
            Step();
        }
    }

    public IEnumerable<RolloutEvent> Events => Actions.OfType<TransitionRecorded>().Select(t => t.Event);
}
