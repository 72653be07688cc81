using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Notifications;
using GitOps.Reconciler.Tests.Support;

namespace GitOps.Reconciler.Tests.Notifications;

public sealed class PassNotificationTests
{
    public sealed class TheRunAsyncMethod
    {
        [Fact]
        public async Task Should_Report_A_Deployment_And_The_Applied_Commit_When_A_Commit_Is_Applied()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            var notifier = new RecordingNotifier();
            var pass = rig.NewPass(notifier: notifier);
            var commit = rig.Git.Commit(SpecRepository.Files(SpecRepository.Environment(), ("fraud", 1)));

            // When
            var outcome = (await pass.RunAsync(["prod"], CancellationToken.None)).Single();

            // Then
            Assert.IsType<ReconcileOutcome.Applied>(outcome);
            Assert.Collection(notifier.Received,
                n => Assert.Equal(("prod", commit), (Assert.IsType<DeploymentStarted>(n).Environment, n.Commit)),
                n => Assert.True(Assert.IsType<DeploymentFinished>(n).Succeeded),
                n => Assert.Contains("create=", Assert.IsType<EnvironmentApplied>(n).Summary));
        }

        [Fact]
        public async Task Should_Report_The_Stalled_Commit_With_The_Reason_Once_When_A_Commit_Has_Errors()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            var notifier = new RecordingNotifier();
            var pass = rig.NewPass(notifier: notifier);
            var good = rig.Git.Commit(SpecRepository.Files(SpecRepository.Environment(), ("fraud", 1)));
            await pass.RunAsync(["prod"], CancellationToken.None);
            var bad = rig.Git.Commit(new Dictionary<string, string>
            {
                ["environments/prod/environment.yaml"] = SpecRepository.Environment(),
                ["models/fraud/model.yaml"] = SpecRepository.InvalidModel("fraud"),
            });

            // When the bad commit is seen twice
            await pass.RunAsync(["prod"], CancellationToken.None);
            await pass.RunAsync(["prod"], CancellationToken.None);

            // Then it is reported once, with why and what is kept, and no deployment was started for it
            var stalled = Assert.Single(notifier.Received.OfType<EnvironmentStalled>());
            Assert.Equal(bad, stalled.Commit);
            Assert.Equal(good, stalled.LastGoodCommit);
            Assert.Contains("validation error", stalled.Reason);
            Assert.DoesNotContain(notifier.Received, n => n is DeploymentStarted && n.Commit == bad);
            Assert.False(Assert.Single(notifier.Received.OfType<DeploymentFinished>(), d => d.Commit == bad).Succeeded);
        }

        [Fact]
        public async Task Should_Apply_And_Save_Status_When_The_Notifier_Throws()
        {
            // Given
            await using var rig = await ReconcilerRig.StartAsync();
            var notifier = new RecordingNotifier(fail: true);
            var pass = rig.NewPass(notifier: notifier);
            var commit = rig.Git.Commit(SpecRepository.Files(SpecRepository.Environment(), ("fraud", 1)));

            // When
            var outcome = (await pass.RunAsync(["prod"], CancellationToken.None)).Single();

            // Then
            Assert.IsType<ReconcileOutcome.Applied>(outcome);
            Assert.Equal(commit, (await rig.StatusAsync())!.LastAppliedCommit);
            Assert.Equal(3, notifier.Received.Count);
            Assert.Contains(rig.Logs.Lines, l => l.Contains("not sent: the receiver is broken", StringComparison.Ordinal));
        }
    }
}
