using GitOps.Reconciler.Lifecycle;
using GitOps.Registry.Records;
using GitOps.Rollouts.Rollout;

namespace GitOps.Reconciler.Tests.Lifecycle;

public sealed class DeployHistoryWriterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public sealed class TheEventsMethod
    {
        [Fact]
        public void Should_Record_A_Deployment_Then_A_Promotion_When_Versions_Are_Rolled_Out_Directly()
        {
            // Given the rollout machine deploying a first version, then replacing it
            var first = RolloutMachine.Next(RolloutState.Initial, RolloutPolicy.Direct, new RolloutInput { DesiredVersion = "v1", CanaryReady = true }, Now);
            var second = RolloutMachine.Next(first.State, RolloutPolicy.Direct, new RolloutInput { DesiredVersion = "v2", CanaryReady = true }, Now.AddMinutes(5));

            // When
            var deployed = DeployHistoryWriter.Events("prod", "fraud", "abc123", first.State, first.Actions, Now);
            var promoted = DeployHistoryWriter.Events("prod", "fraud", "def456", second.State, second.Actions, Now.AddMinutes(5));

            // Then
            var d = Assert.Single(deployed);
            Assert.Equal((RegistryEventTypes.Deployed, "v1", "abc123", "reconciler", "prod", "fraud"), (d.Type, d.Version, d.Commit, d.By, d.Environment, d.Model));
            var p = Assert.Single(promoted);
            Assert.Equal((RegistryEventTypes.Promoted, "v2", "def456"), (p.Type, p.Version, p.Commit));
            Assert.Contains("v1", p.Reason);
        }

        [Fact]
        public void Should_Record_A_Rollback_By_The_Analysis_And_An_Abort_By_A_Person_With_Who()
        {
            // Given a canary rolled back by its analysis, and one aborted by an operator
            var analysis = RolloutState.Initial with
            {
                Stable = "v1",
                History = [new RolloutEvent(Now, RolloutEventKind.RolledBack, "error-rate Failed")],
            };
            var aborted = RolloutState.Initial with
            {
                Stable = "v1",
                History = [new RolloutEvent(Now, RolloutEventKind.RolledBack, "aborted", Actor: "ada@acme.example")],
            };

            // When
            var rolledBack = DeployHistoryWriter.Events("prod", "fraud", "abc", analysis, [new RolledBack("v2", "error-rate 0.31 >= 0.2")], Now);
            var byPerson = DeployHistoryWriter.Events("prod", "fraud", "abc", aborted, [new RolledBack("v3", "aborted by ada@acme.example")], Now);

            // Then
            var r = Assert.Single(rolledBack);
            Assert.Equal((RegistryEventTypes.RolledBack, "v2", "reconciler", "error-rate 0.31 >= 0.2"), (r.Type, r.Version, r.By, r.Reason));
            var a = Assert.Single(byPerson);
            Assert.Equal((RegistryEventTypes.Aborted, "v3", "ada@acme.example"), (a.Type, a.Version, a.By));
        }

        [Fact]
        public void Should_Record_Nothing_When_A_Step_Only_Measures_Or_Waits()
        {
            // Given a settled version and nothing new to roll out
            var settled = RolloutMachine.Next(RolloutState.Initial, RolloutPolicy.Direct, new RolloutInput { DesiredVersion = "v1", CanaryReady = true }, Now).State;
            var idle = RolloutMachine.Next(settled, RolloutPolicy.Direct, new RolloutInput { DesiredVersion = "v1", CanaryReady = true }, Now.AddMinutes(1));

            // When
            var events = DeployHistoryWriter.Events("prod", "fraud", "abc", idle.State, idle.Actions, Now.AddMinutes(1));

            // Then
            Assert.Empty(events);
        }
    }
}
