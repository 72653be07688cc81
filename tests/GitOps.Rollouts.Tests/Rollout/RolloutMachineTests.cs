using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;
using GitOps.Rollouts.Tests.Support;
using static GitOps.Rollouts.Tests.Support.TestPolicies;

namespace GitOps.Rollouts.Tests.Rollout;

public sealed class RolloutMachineTests
{
    private static Observation Bad(MeasureRequest r) => Observation.Of(r.Metric, 0.2, 1000);

    public sealed class TheCanaryStrategy
    {
        [Fact]
        public void Should_Deploy_At_Once_When_There_Is_No_Stable_Version()
        {
            // Given an environment that never ran the model
            var driver = new RolloutDriver(Standard(), RolloutState.Initial) { Desired = "v1" };

            // When
            driver.Step();

            // Then
            Assert.Equal("v1", driver.State.Stable);
            Assert.Null(driver.State.Canary);
            Assert.Equal(RolloutPhase.Healthy, driver.State.Phase);
        }

        [Fact]
        public void Should_Set_The_First_Weight_When_A_New_Version_Arrives()
        {
            // Given
            var driver = new RolloutDriver(Standard());

            // When
            driver.Step();

            // Then the canary gets 10% and the analysis of step 2 starts measuring
            Assert.Equal("v2", driver.State.Canary);
            Assert.Equal(10, driver.State.Weight);
            Assert.Equal(1, driver.State.StepIndex);
            Assert.Equal("1-step-2", driver.State.StepAnalysis?.Id);
            Assert.Contains(driver.Actions, a => a is MeasureRequest { Metric: "error-rate", Version: "v2", Track: "canary" });
        }

        [Fact]
        public void Should_Not_Give_Traffic_To_A_New_Canary_Whose_Pods_Were_Not_Observed_When_The_Readiness_Was_Of_The_Previous_One()
        {
            // Given v2 rolled back: its canary Deployment at 0 pods is "ready" for that state
            var driver = new RolloutDriver(Standard()) { Answer = Bad };
            driver.RunUntil(s => s.Phase == RolloutPhase.Degraded);

            // When v3 arrives in a pass whose readiness was observed for v2's 0 pods
            var transition = RolloutMachine.Next(driver.State, driver.Policy, new RolloutInput { DesiredVersion = "v3", CanaryReady = true }, driver.Now);

            // Then v3's rollout starts but waits for its own pods before its first weight
            Assert.Equal(("v3", RolloutPhase.Progressing, 0, 0), (transition.State.Canary, transition.State.Phase, transition.State.StepIndex, transition.State.Weight));
        }

        [Fact]
        public void Should_Pass_Every_Step_And_Wait_For_Promote_When_The_Canary_Is_Good()
        {
            // Given a healthy canary
            var driver = new RolloutDriver(Standard());

            // When it runs until the indefinite pause
            driver.RunUntil(s => s.Phase == RolloutPhase.Paused);

            // Then it is at 50% waiting for a human, after both analyses passed
            Assert.Equal(50, driver.State.Weight);
            Assert.Equal(5, driver.State.StepIndex);
            Assert.Equal(2, driver.Actions.OfType<AnalysisVerdictReached>().Count(v => v.Verdict == AnalysisPhase.Successful));

            // When promoted
            driver.Command(RolloutCommandKind.Promote);

            // Then the canary becomes stable
            Assert.Equal(RolloutPhase.Healthy, driver.State.Phase);
            Assert.Equal("v2", driver.State.Stable);
            Assert.Null(driver.State.Canary);
            Assert.Equal(0, driver.State.Weight);
            Assert.Contains(driver.Events, e => e is { Kind: RolloutEventKind.Resumed, Actor: "alice" });
        }

        [Fact]
        public void Should_Honour_The_Pause_Duration_When_Analysis_Passed()
        {
            // Given a canary past its first analysis (3 measurements, 1 min apart)
            var driver = new RolloutDriver(Standard());
            driver.RunUntil(s => s.StepIndex == 2);
            var pausedAt = driver.Now;

            // When 4 minutes pass
            driver.Run(TimeSpan.FromMinutes(4));

            // Then it is still pausing; after the fifth minute it moves on
            Assert.Equal(2, driver.State.StepIndex);
            driver.RunUntil(s => s.StepIndex > 2);
            Assert.True(driver.Now >= pausedAt + TimeSpan.FromMinutes(5));
            Assert.Equal(50, driver.State.Weight);
        }

        [Fact]
        public void Should_Roll_Back_And_Reject_When_Analysis_Fails()
        {
            // Given a canary whose error rate is 20%
            var driver = new RolloutDriver(Standard()) { Answer = Bad };

            // When
            driver.RunUntil(s => s.Phase == RolloutPhase.Degraded);

            // Then traffic is back on stable and the version is rejected, with the metric's values
            Assert.Equal(0, driver.State.Weight);
            Assert.Equal("v1", driver.State.Stable);
            var rejected = Assert.Single(driver.State.Rejected);
            Assert.Equal("v2", rejected.Version);
            Assert.Contains("error-rate", rejected.Reason);
            Assert.Contains("result = 0.2", rejected.Reason);
            Assert.Single(driver.Actions.OfType<RolledBack>());
        }

        [Fact]
        public void Should_Roll_Back_Within_Two_Intervals_When_The_Canary_Is_Bad()
        {
            // Given the default failureLimit 0 and a 1 min interval
            var driver = new RolloutDriver(Standard()) { Answer = Bad };
            driver.Step();
            var firstTraffic = driver.Now;

            // When
            driver.RunUntil(s => s.Phase == RolloutPhase.Degraded);

            // Then
            Assert.True(driver.Now - firstTraffic <= TimeSpan.FromMinutes(2), $"rolled back after {driver.Now - firstTraffic}");
        }

        [Fact]
        public void Should_Keep_A_Rejected_Version_Without_Traffic_When_Git_Still_Asks_For_It()
        {
            // Given a rolled-back version
            var driver = new RolloutDriver(Standard()) { Answer = Bad };
            driver.RunUntil(s => s.Phase == RolloutPhase.Degraded);

            // When time passes and the answers become good
            driver.Answer = r => Observation.Of(r.Metric, 0.0, 1000);
            driver.Run(TimeSpan.FromMinutes(30));

            // Then it is not tried again
            Assert.Equal(RolloutPhase.Degraded, driver.State.Phase);
            Assert.Equal(0, driver.State.Weight);
            Assert.DoesNotContain(driver.Actions.OfType<MeasureRequest>(), r => r.RunId.StartsWith("2-", StringComparison.Ordinal));
        }

        [Fact]
        public void Should_Start_Again_When_The_Inputs_Change_After_A_Rejection()
        {
            // Given a rejected v2
            var driver = new RolloutDriver(Standard()) { Answer = Bad };
            driver.RunUntil(s => s.Phase == RolloutPhase.Degraded);

            // When Git asks for v3
            driver.Desired = "v3";
            driver.Answer = r => Observation.Of(r.Metric, 0.0, 1000);
            driver.Step();

            // Then v3 starts from the first step; v2 stays rejected
            Assert.Equal(RolloutPhase.Progressing, driver.State.Phase);
            Assert.Equal("v3", driver.State.Canary);
            Assert.True(driver.State.IsRejected("v2"));
        }

        [Fact]
        public void Should_Pause_For_A_Human_When_Analysis_Is_Inconclusive()
        {
            // Given no traffic: every query answers an empty vector
            var driver = new RolloutDriver(Standard()) { Answer = r => Observation.NoData(r.Metric) };

            // When
            driver.RunUntil(s => s.Phase != RolloutPhase.Progressing);

            // Then it pauses at the analysis step, never promotes
            Assert.Equal(RolloutPhase.Paused, driver.State.Phase);
            Assert.Equal(1, driver.State.StepIndex);
            Assert.Contains("Inconclusive", driver.State.PauseReason);

            // When a human promotes, the rollout continues with the next step
            driver.Command(RolloutCommandKind.Promote);
            Assert.Equal(RolloutPhase.Progressing, driver.State.Phase);
            Assert.Equal(2, driver.State.StepIndex);
        }

        [Fact]
        public void Should_Roll_Back_When_OnInconclusive_Is_Abort()
        {
            // Given
            var driver = new RolloutDriver(Standard() with { OnInconclusive = InconclusiveAction.Abort }) { Answer = r => Observation.NoData(r.Metric) };

            // When
            driver.RunUntil(s => s.Phase != RolloutPhase.Progressing);

            // Then
            Assert.Equal(RolloutPhase.Degraded, driver.State.Phase);
        }

        [Fact]
        public void Should_Roll_Back_When_Prometheus_Keeps_Failing()
        {
            // Given every query fails
            var driver = new RolloutDriver(Standard()) { Answer = r => Observation.Failed(r.Metric, "connection refused") };

            // When
            driver.RunUntil(s => s.Phase != RolloutPhase.Progressing);

            // Then five consecutive errors (retried every 10 s) end in Error and a rollback, never a promotion
            Assert.Equal(RolloutPhase.Degraded, driver.State.Phase);
            Assert.Contains("Error", driver.State.Rejected[0].Reason);
            Assert.Equal(5, driver.Actions.OfType<MeasurementRecorded>().Count());
            Assert.True(driver.Now - RolloutDriver.Start <= TimeSpan.FromMinutes(1));
        }

        [Fact]
        public void Should_Pause_Instead_Of_Rolling_Back_When_AutomaticRollback_Is_Off()
        {
            // Given
            var driver = new RolloutDriver(Standard() with { AutomaticRollback = false }) { Answer = Bad };

            // When
            driver.RunUntil(s => s.Phase != RolloutPhase.Progressing);

            // Then
            Assert.Equal(RolloutPhase.Paused, driver.State.Phase);
            Assert.Contains("automaticRollback is off", driver.State.PauseReason);
            Assert.Equal(10, driver.State.Weight);
        }

        [Fact]
        public void Should_Roll_Back_When_The_Canary_Is_Never_Ready()
        {
            // Given pods that never become ready
            var driver = new RolloutDriver(Standard()) { CanaryReady = false };

            // When
            driver.RunUntil(s => s.Phase != RolloutPhase.Progressing, TimeSpan.FromMinutes(15));

            // Then after the default progressDeadline of 10 minutes
            Assert.Equal(RolloutPhase.Degraded, driver.State.Phase);
            Assert.Equal(TimeSpan.FromMinutes(10), driver.Now - RolloutDriver.Start);
            Assert.Contains("progressDeadline", driver.State.Rejected[0].Reason);
            Assert.Equal(0, driver.State.Weight);
        }

        [Fact]
        public void Should_Supersede_The_Running_Canary_When_A_Newer_Version_Arrives()
        {
            // Given v2 at 10%
            var driver = new RolloutDriver(Standard());
            driver.Step();

            // When Git asks for v3
            driver.Desired = "v3";
            driver.Step();

            // Then v3 replaces v2 as the canary; only two versions exist; v2 is not rejected
            Assert.Equal("v1", driver.State.Stable);
            Assert.Equal("v3", driver.State.Canary);
            Assert.Empty(driver.State.Rejected);
            Assert.Contains(driver.Events, e => e.Kind == RolloutEventKind.Superseded);
            Assert.Equal("2-step-2", driver.State.StepAnalysis?.Id);
        }

        [Fact]
        public void Should_Stop_The_Canary_When_Git_Returns_To_The_Stable_Version()
        {
            // Given
            var driver = new RolloutDriver(Standard());
            driver.Step();

            // When
            driver.Desired = "v1";
            driver.Step();

            // Then
            Assert.Equal(RolloutPhase.Healthy, driver.State.Phase);
            Assert.Null(driver.State.Canary);
            Assert.Equal(0, driver.State.Weight);
        }

        [Fact]
        public void Should_Route_Headers_And_Mirror_When_The_Steps_Ask()
        {
            // Given
            var driver = new RolloutDriver(Canary(Header("x-canary", "yes"), Mirror(20), Weight(5), PauseUntilPromoted()));

            // When
            driver.Step();

            // Then
            Assert.Equal(new GitOps.Specs.Model.HeaderRoute("ab", "x-canary", "yes"), driver.State.HeaderRoute);
            Assert.Equal(20, driver.State.Mirror);
            Assert.Equal(5, driver.State.Weight);
            Assert.Equal(RolloutPhase.Paused, driver.State.Phase);
        }

        [Fact]
        public void Should_Skip_Remaining_Steps_When_Promoted_Fully()
        {
            // Given
            var driver = new RolloutDriver(Standard());
            driver.Step();

            // When
            driver.Command(RolloutCommandKind.PromoteFull, "bob");

            // Then
            Assert.Equal("v2", driver.State.Stable);
            Assert.Equal(RolloutPhase.Healthy, driver.State.Phase);
            Assert.Contains(driver.Events, e => e is { Kind: RolloutEventKind.Resumed, Actor: "bob" });
        }

        [Fact]
        public void Should_Roll_Back_And_Reject_When_Aborted()
        {
            // Given
            var driver = new RolloutDriver(Standard());
            driver.Step();

            // When
            driver.Command(RolloutCommandKind.Abort, "carol");

            // Then
            Assert.Equal(RolloutPhase.Degraded, driver.State.Phase);
            Assert.Equal("aborted by carol", driver.State.Rejected[0].Reason);
            Assert.Contains(driver.Events, e => e is { Kind: RolloutEventKind.RolledBack, Actor: "carol" });
        }

        [Fact]
        public void Should_Start_Over_When_Retried()
        {
            // Given an aborted rollout
            var driver = new RolloutDriver(Standard());
            driver.Step();
            driver.Command(RolloutCommandKind.Abort);

            // When
            driver.Command(RolloutCommandKind.Retry);

            // Then
            Assert.Equal(RolloutPhase.Progressing, driver.State.Phase);
            Assert.False(driver.State.IsRejected("v2"));
            Assert.Equal(2, driver.State.Generation);
        }

        [Fact]
        public void Should_Roll_Back_When_Background_Analysis_Fails_During_A_Pause()
        {
            // Given a background analysis from the start and a long pause
            var policy = Canary(Weight(20), PauseUntilPromoted()) with { BackgroundAnalysis = ["error-rate"] };
            var driver = new RolloutDriver(policy);
            driver.Step();
            Assert.Equal(RolloutPhase.Paused, driver.State.Phase);

            // When the error rate turns bad
            driver.Answer = Bad;
            driver.RunUntil(s => s.Phase == RolloutPhase.Degraded, TimeSpan.FromMinutes(5));

            // Then
            Assert.Contains("background analysis Failed", driver.State.Rejected[0].Reason);
        }
    }

    public sealed class TheCommands
    {
        [Theory]
        [InlineData(RolloutCommandKind.Promote, "nothing to promote")]
        [InlineData(RolloutCommandKind.PromoteFull, "nothing to promote")]
        [InlineData(RolloutCommandKind.Abort, "nothing to abort")]
        [InlineData(RolloutCommandKind.Retry, "no rolled-back version to retry")]
        public void Should_Refuse_When_No_Rollout_Is_In_Progress(RolloutCommandKind kind, string expected)
        {
            // Given a healthy environment
            var driver = new RolloutDriver(Standard()) { Desired = "v1" };

            // When
            var transition = driver.Command(kind);

            // Then
            var refused = Assert.Single(transition.Actions.OfType<CommandRefused>());
            Assert.Contains(expected, refused.Reason);
            Assert.Contains("stable version v1", refused.Reason);
        }

        [Fact]
        public void Should_Refuse_Promote_When_The_Version_Was_Rejected()
        {
            // Given
            var driver = new RolloutDriver(Standard()) { Answer = Bad };
            driver.RunUntil(s => s.Phase == RolloutPhase.Degraded);

            // When
            var transition = driver.Command(RolloutCommandKind.Promote);

            // Then
            var refused = Assert.Single(transition.Actions.OfType<CommandRefused>());
            Assert.Contains("was rolled back", refused.Reason);
            Assert.Contains("gitops rollout retry", refused.Reason);
            Assert.Equal(RolloutPhase.Degraded, driver.State.Phase);
        }
    }

    /// <summary>Several commands given before one pass (the reconciler reads every pending one at once).</summary>
    public sealed class SeveralCommandsInOnePass
    {
        private static RolloutCommand Given(RolloutCommandKind kind, string actor, RolloutDriver driver, int secondsAgo) =>
            new(kind, actor, driver.Now.AddSeconds(-secondsAgo));

        [Fact]
        public void Should_Roll_Back_When_Abort_Comes_After_A_Promote_Full_That_Would_Have_Completed_The_Rollout()
        {
            // Given a rollout paused for a human, and promote --full then abort given before the next pass
            var driver = new RolloutDriver(Standard());
            driver.RunUntil(s => s.Phase == RolloutPhase.Paused);
            var promote = Given(RolloutCommandKind.PromoteFull, "alice", driver, 20);
            var abort = Given(RolloutCommandKind.Abort, "bob", driver, 10);

            // When
            var transition = driver.Step(promote, abort);

            // Then abort wins: the canary is rolled back, never promoted, and both are in the history with who and when
            Assert.Equal(("v1", RolloutPhase.Degraded), (driver.State.Stable, driver.State.Phase));
            Assert.True(driver.State.IsRejected("v2"));
            Assert.DoesNotContain(transition.Actions.OfType<TransitionRecorded>(), t => t.Event.Kind == RolloutEventKind.Promoted);
            var refused = Assert.Single(transition.Actions.OfType<CommandRefused>());
            Assert.Equal(promote, refused.Command);
            Assert.Contains("abort by bob", refused.Reason);
            var history = driver.State.History.Where(e => e.At == driver.Now && e.Actor is not null).ToList();
            Assert.Equal([("alice", promote.At, RolloutEventKind.CommandRefused), ("bob", abort.At, RolloutEventKind.RolledBack)],
                history.Select(e => (e.Actor!, e.GivenAt!.Value, e.Kind)));
        }

        [Fact]
        public void Should_Roll_Back_And_Not_Promote_When_A_Promote_Comes_After_An_Abort()
        {
            // Given
            var driver = new RolloutDriver(Standard());
            driver.RunUntil(s => s.Phase == RolloutPhase.Paused);

            // When the commands arrive in the store out of order (the promote was given later)
            var transition = driver.Step(Given(RolloutCommandKind.Promote, "alice", driver, 5), Given(RolloutCommandKind.Abort, "bob", driver, 30));

            // Then
            Assert.Equal(RolloutPhase.Degraded, driver.State.Phase);
            Assert.Equal("alice", Assert.Single(transition.Actions.OfType<CommandRefused>()).Command.Actor);
            Assert.Equal(["bob", "alice"], driver.State.History.Where(e => e.At == driver.Now && e.Actor is not null).Select(e => e.Actor!));
        }

        [Fact]
        public void Should_Skip_Only_One_Step_When_Promote_Is_Given_Twice()
        {
            // Given a rollout waiting at its 5-minute pause (step 3)
            var driver = new RolloutDriver(Standard());
            driver.RunUntil(s => s.StepIndex == 2);

            // When two operators promote before the next pass
            var transition = driver.Step(Given(RolloutCommandKind.Promote, "alice", driver, 20), Given(RolloutCommandKind.Promote, "carol", driver, 10));

            // Then the pause is skipped once; the analysis of step 5 is not skipped by the second promote
            Assert.Equal(4, driver.State.StepIndex);
            Assert.Equal(50, driver.State.Weight);
            Assert.Equal("1-step-5", driver.State.StepAnalysis?.Id);
            var refused = Assert.Single(transition.Actions.OfType<CommandRefused>());
            Assert.Equal("carol", refused.Command.Actor);
            Assert.Contains("the same command as promote by alice", refused.Reason);
            Assert.Contains(driver.State.History, e => e is { Kind: RolloutEventKind.Resumed, Actor: "alice" });
        }

        [Fact]
        public void Should_Apply_Abort_Then_Retry_In_The_Order_They_Were_Given()
        {
            // Given
            var driver = new RolloutDriver(Standard());
            driver.Step();

            // When
            driver.Step(Given(RolloutCommandKind.Retry, "carol", driver, 5), Given(RolloutCommandKind.Abort, "bob", driver, 10));

            // Then the rollout was stopped, then started again from the first step
            Assert.Equal((RolloutPhase.Progressing, 2, false), (driver.State.Phase, driver.State.Generation, driver.State.IsRejected("v2")));
            Assert.Equal([RolloutEventKind.RolledBack, RolloutEventKind.Retried],
                driver.State.History.Where(e => e.Actor is not null).Select(e => e.Kind));
        }
    }

    public sealed class TheBlueGreenStrategy
    {
        [Fact]
        public void Should_Switch_All_Traffic_At_Once_When_The_Preview_Is_Ready()
        {
            // Given a preview that is not ready yet
            var driver = new RolloutDriver(BlueGreen()) { CanaryReady = false };
            driver.Step();
            Assert.Equal(RolloutPhase.Progressing, driver.State.Phase);
            Assert.Equal(0, driver.State.Weight);

            // When it becomes ready
            driver.CanaryReady = true;
            driver.Step();

            // Then the new version is stable, served by the pods that ran the preview, and the old one is kept for
            // scaleDownDelay
            Assert.Equal(("v2", "v1", true), (driver.State.Stable, driver.State.PreviousStable, driver.State.LiveOnCanary));
            driver.Run(TimeSpan.FromSeconds(30));
            Assert.Null(driver.State.PreviousStable);
            Assert.Contains(driver.Events, e => e.Kind == RolloutEventKind.ScaledDown);

            // And traffic returns to the stable Deployment only once it runs the new version, ready
            Assert.True(driver.State.LiveOnCanary);
            driver.StableReady = true;
            driver.Step();
            Assert.False(driver.State.LiveOnCanary);
            Assert.Contains(driver.Events, e => e.Message.StartsWith("traffic moved to the stable Deployment, now running v2", StringComparison.Ordinal));
        }

        [Fact]
        public void Should_Not_Start_A_Newer_Version_On_The_Pods_That_Serve_Live_Traffic_After_A_Switch()
        {
            // Given a switch to v2 that just happened
            var driver = new RolloutDriver(BlueGreen());
            driver.Step();

            // When v3 is committed within scaleDownDelay
            driver.Desired = "v3";
            driver.Run(TimeSpan.FromSeconds(20));

            // Then it waits: the canary Deployment serves v2 to everyone until traffic is back on the stable one
            Assert.Equal(("v2", (string?)null, true), (driver.State.Stable, driver.State.Canary, driver.State.LiveOnCanary));
            driver.StableReady = true;
            driver.CanaryReady = false;
            driver.Run(TimeSpan.FromSeconds(20));
            Assert.Equal(("v2", "v3", RolloutPhase.Progressing), (driver.State.Stable, driver.State.Canary, driver.State.Phase));
        }

        [Fact]
        public void Should_Switch_Back_At_Once_When_Aborted_Within_ScaleDownDelay()
        {
            // Given a switch that just happened
            var driver = new RolloutDriver(BlueGreen());
            driver.Step();

            // When
            driver.Command(RolloutCommandKind.Abort);

            // Then
            Assert.Equal("v1", driver.State.Stable);
            Assert.True(driver.State.IsRejected("v2"));
            Assert.Equal(RolloutPhase.Degraded, driver.State.Phase);
            Assert.False(driver.State.LiveOnCanary);
        }

        [Fact]
        public void Should_Refuse_Abort_Once_The_Previous_Version_Is_Scaled_Down()
        {
            // Given a switch longer ago than scaleDownDelay
            var driver = new RolloutDriver(BlueGreen());
            driver.Run(TimeSpan.FromSeconds(40));

            // When
            var transition = driver.Command(RolloutCommandKind.Abort);

            // Then nothing to switch back to: v2 stays
            Assert.Contains("nothing to abort", Assert.Single(transition.Actions.OfType<CommandRefused>()).Reason);
            Assert.Equal("v2", driver.State.Stable);
        }

        [Fact]
        public void Should_Wait_For_Analysis_Of_The_Preview_When_Background_Analysis_Is_Set()
        {
            // Given
            var driver = new RolloutDriver(BlueGreen("error-rate"));

            // When the first measurement is in
            driver.Step();
            driver.Step();

            // Then no switch yet; after count measurements it switches
            Assert.Equal("v1", driver.State.Stable);
            driver.RunUntil(s => s.Phase == RolloutPhase.Healthy);
            Assert.Equal("v2", driver.State.Stable);
        }
    }

    public sealed class TheDirectStrategy
    {
        [Fact]
        public void Should_Replace_The_Stable_Version_When_A_New_Version_Arrives()
        {
            // Given
            var driver = new RolloutDriver(RolloutPolicy.Direct);

            // When
            driver.Step();

            // Then
            Assert.Equal("v2", driver.State.Stable);
            Assert.Null(driver.State.Canary);
            Assert.Equal(RolloutPhase.Healthy, driver.State.Phase);
        }
    }
}
