using System.Collections.Immutable;
using CsCheck;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Persistence;
using GitOps.Rollouts.Rollout;
using GitOps.Rollouts.Tests.Support;
using GitOps.Specs.Model;
using Microsoft.Extensions.Time.Testing;

namespace GitOps.Rollouts.Tests.Rollout;

/// <summary>
/// Invariants of the state machine over random policies and random scripts of measurements, readiness, commands and
/// new versions, driven by a fake clock.
/// </summary>
public sealed class RolloutMachinePropertyTests
{
    private static readonly string[] MetricNames = ["error-rate", "latency", "score-drift"];

    /// <summary>A random policy: canary with 1–6 steps (weights never decrease), or blueGreen.</summary>
    private static RolloutPolicy RandomPolicy(Random r, bool allowPromoteOnInconclusive)
    {
        var metrics = MetricNames.Select(name => new AnalysisMetric
        {
            Name = name,
            Query = name,
            SuccessCondition = "result < 0.01",
            FailureCondition = r.Next(2) == 0 ? "result >= 0.05" : null,
            Interval = TimeSpan.FromSeconds(r.Next(1, 5) * 30),
            Count = r.Next(1, 5),
            FailureLimit = r.Next(3),
            InconclusiveLimit = r.Next(3),
            ErrorLimit = r.Next(5),
            MinSamples = r.Next(2) == 0 ? 0 : 10,
            OnNoData = (MeasurementPhase)r.Next(3),
        }).ToImmutableDictionary(m => m.Name, StringComparer.Ordinal);
        var strategy = r.Next(4) == 0 ? RolloutStrategy.BlueGreen : RolloutStrategy.Canary;
        var steps = ImmutableArray.CreateBuilder<CanaryStep>();
        if (strategy == RolloutStrategy.Canary)
        {
            var weight = 0;
            var count = r.Next(1, 7);
            for (var i = 0; i < count; i++)
            {
                steps.Add(r.Next(6) switch
                {
                    0 => new CanaryStep { SetWeight = weight = Math.Min(100, weight + r.Next(1, 60)) },
                    1 => new CanaryStep { Pause = TimeSpan.FromSeconds(r.Next(0, 300)) },
                    2 => new CanaryStep { PauseUntilPromoted = true },
                    3 => new CanaryStep { Analysis = [.. MetricNames.Where(_ => r.Next(2) == 0).DefaultIfEmpty("error-rate")] },
                    4 => new CanaryStep { SetHeaderRoute = new HeaderRoute("ab", "x-canary", "1") },
                    _ => new CanaryStep { Mirror = r.Next(0, 101) },
                });
            }
        }
        var inconclusive = allowPromoteOnInconclusive ? (InconclusiveAction)r.Next(3) : (InconclusiveAction)r.Next(2);
        return new RolloutPolicy
        {
            Name = "random",
            Strategy = strategy,
            Steps = steps.ToImmutable(),
            Metrics = metrics,
            BackgroundAnalysis = r.Next(3) == 0 ? [MetricNames[r.Next(MetricNames.Length)]] : [],
            BackgroundStartingStep = r.Next(3),
            OnInconclusive = inconclusive,
            AutomaticRollback = r.Next(4) != 0,
            ProgressDeadline = TimeSpan.FromMinutes(r.Next(1, 11)),
            ScaleDownDelay = TimeSpan.FromSeconds(r.Next(0, 60)),
        };
    }

    /// <summary>What Prometheus says: good, bad, in between, empty, NaN, +Inf, too few samples, or a failure.</summary>
    private static Observation RandomAnswer(Random r, string query) => r.Next(8) switch
    {
        0 or 1 => Observation.Of(query, 0.001, 100),
        2 => Observation.Of(query, 0.2, 100),
        3 => Observation.Of(query, 0.03, 100),
        4 => Observation.NoData(query),
        5 => Observation.Of(query, r.Next(2) == 0 ? double.NaN : double.PositiveInfinity, 100),
        6 => Observation.Of(query, 0.001, 3),
        _ => Observation.Failed(query, "connection refused"),
    };

    /// <summary>One scripted pass: how much time passes and what the world says.</summary>
    /// <summary>One pass of a script: <paramref name="Ready"/> says whether pods are ready, the canary's and (unless
    /// <paramref name="StableReady"/> says otherwise) the stable Deployment's after a blueGreen switch.</summary>
    private sealed record Pass(TimeSpan Elapsed, bool Ready, RolloutCommandKind? Command, string Desired, int AnswerSeed, bool? StableReady = null);

    private static List<Pass> RandomScript(Random r, int passes, bool commands)
    {
        var script = new List<Pass>();
        var version = 2;
        for (var i = 0; i < passes; i++)
        {
            if (r.Next(25) == 0)
            {
                version++;
            }
            RolloutCommandKind? command = commands && r.Next(10) == 0 ? (RolloutCommandKind)r.Next(4) : null;
            script.Add(new Pass(TimeSpan.FromSeconds(r.Next(1, 90)), r.Next(5) != 0, command, $"v{version}", r.Next()));
        }
        return script;
    }

    /// <summary>One reconcile pass as the shell runs it: advance, measure what is due, advance with the answers.</summary>
    private static ImmutableArray<RolloutAction> Run(ref RolloutState state, RolloutPolicy policy, Pass pass, DateTimeOffset now)
    {
        ImmutableArray<RolloutCommand> commands = pass.Command is { } kind ? [new RolloutCommand(kind, "prop", now)] : [];
        var first = RolloutMachine.Next(state, policy, new RolloutInput { DesiredVersion = pass.Desired, CanaryReady = pass.Ready, StableReady = pass.StableReady ?? pass.Ready, Commands = commands }, now);
        var answers = new Random(pass.AnswerSeed);
        var observations = first.Measurements.Select(m => new RunObservation(m.RunId, m.Metric, now, RandomAnswer(answers, m.Metric))).ToImmutableArray();
        var second = RolloutMachine.Next(first.State, policy, new RolloutInput { DesiredVersion = pass.Desired, CanaryReady = pass.Ready, StableReady = pass.StableReady ?? pass.Ready, Observations = observations }, now);
        state = second.State;
        return [.. first.Actions, .. second.Actions];
    }

    private static void CheckInvariants(RolloutState s, RolloutPolicy policy)
    {
        var stepCap = policy.Steps.IsEmpty ? 0 : policy.WeightAt(Math.Min(s.StepIndex, policy.Steps.Length - 1));
        Assert.True(s.Weight <= stepCap, $"weight {s.Weight} above the step's {stepCap} at step {s.StepIndex}");
        if (!s.InProgress)
        {
            Assert.True(s.Weight == 0 && s.Mirror == 0 && s.HeaderRoute is null, $"traffic to the canary while {s.Phase}");
        }
        if (s.Canary is { } canary && s.IsRejected(canary))
        {
            Assert.True(!s.InProgress && s.Weight == 0 && s.Mirror == 0 && s.HeaderRoute is null, $"rejected {canary} gets traffic");
        }
        Assert.True(s.Stable is null || !s.IsRejected(s.Stable), $"rejected {s.Stable} is stable");
        Assert.True(s.Canary is null || s.Canary != s.Stable, "the canary is the stable version");
    }

    [Fact]
    public void Should_Keep_Weights_Within_The_Step_And_Rejected_Versions_Without_Traffic_When_Anything_Happens()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            // Given
            var r = new Random(seed);
            var policy = RandomPolicy(r, allowPromoteOnInconclusive: true);
            var clock = new FakeTimeProvider(RolloutDriver.Start);
            var state = new RolloutState { Stable = "v1" };

            // When / Then
            foreach (var pass in RandomScript(r, 120, commands: true))
            {
                clock.Advance(pass.Elapsed);
                Run(ref state, policy, pass, clock.GetUtcNow());
                CheckInvariants(state, policy);
            }
        }, iter: 150);
    }

    [Fact]
    public void Should_Never_Promote_When_An_Analysis_Was_Not_Successful()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            // Given no human acts and Inconclusive never means promote
            var r = new Random(seed);
            var policy = RandomPolicy(r, allowPromoteOnInconclusive: false);
            var clock = new FakeTimeProvider(RolloutDriver.Start);
            var state = new RolloutState { Stable = "v1" };
            var badVerdicts = new HashSet<string>(StringComparer.Ordinal);

            foreach (var pass in RandomScript(r, 150, commands: false))
            {
                // When
                clock.Advance(pass.Elapsed);
                var before = state;
                var actions = Run(ref state, policy, pass, clock.GetUtcNow());
                foreach (var v in actions.OfType<AnalysisVerdictReached>().Where(v => v.Verdict != AnalysisPhase.Successful))
                {
                    badVerdicts.Add(v.RunId.Split('-')[0]);
                }

                // Then a promotion of the canary follows only Successful analyses of its rollout
                if (before.Canary is { } canary && state.Stable == canary && before.Stable != canary)
                {
                    Assert.DoesNotContain(before.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture), badVerdicts);
                }
            }
        }, iter: 150);
    }

    [Fact]
    public void Should_Reach_A_Terminal_State_When_Humans_Answer_Pauses()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            // Given any policy, a random start, then a fixed version and a human who promotes every pause
            var r = new Random(seed);
            var policy = RandomPolicy(r, allowPromoteOnInconclusive: true);
            var clock = new FakeTimeProvider(RolloutDriver.Start);
            var state = new RolloutState { Stable = "v1" };
            foreach (var pass in RandomScript(r, r.Next(0, 40), commands: true))
            {
                clock.Advance(pass.Elapsed);
                Run(ref state, policy, pass, clock.GetUtcNow());
            }
            var desired = "v99";
            var ready = r.Next(3) != 0;

            // When
            var passes = 0;
            while (state.Canary is null || state.InProgress)
            {
                Assert.True(passes++ < 2_000, $"no terminal state after 2,000 passes: {state.Phase} at step {state.StepIndex}");
                clock.Advance(TimeSpan.FromSeconds(r.Next(1, 60)));
                RolloutCommandKind? command = state.Phase == RolloutPhase.Paused ? RolloutCommandKind.Promote : null;
                // The stable Deployment's pods after a blueGreen switch run a version that already served everyone: they
                // become ready even in a world where the new version's never do.
                Run(ref state, policy, new Pass(TimeSpan.Zero, ready, command, desired, r.Next(), StableReady: true), clock.GetUtcNow());
                if (state.Stable == desired)
                {
                    break;
                }
            }

            // Then
            Assert.True(state.Phase is RolloutPhase.Healthy or RolloutPhase.Degraded);
        }, iter: 150);
    }

    [Fact]
    public void Should_Give_The_Same_Result_When_Restarted_From_Persisted_State_At_Any_Pass()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            // Given one script run straight through
            var r = new Random(seed);
            var policy = RandomPolicy(r, allowPromoteOnInconclusive: true);
            var script = RandomScript(r, 80, commands: true);
            var restartAt = r.Next(script.Count);
            var straight = Replay(policy, script, restartAt: null);

            // When the same script runs with the state persisted and reloaded at one pass
            var restarted = Replay(policy, script, restartAt);

            // Then
            Assert.Equal(straight, restarted);
        }, iter: 150);
    }

    private static string Replay(RolloutPolicy policy, List<Pass> script, int? restartAt)
    {
        var clock = new FakeTimeProvider(RolloutDriver.Start);
        var state = new RolloutState { Stable = "v1" };
        for (var i = 0; i < script.Count; i++)
        {
            if (i == restartAt)
            {
                state = RolloutStateJson.Deserialize(RolloutStateJson.Serialize(state));
            }
            clock.Advance(script[i].Elapsed);
            Run(ref state, policy, script[i], clock.GetUtcNow());
        }
        return RolloutStateJson.Serialize(state);
    }
}
