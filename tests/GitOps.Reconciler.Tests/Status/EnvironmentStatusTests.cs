using System.Collections.Immutable;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Status;
using GitOps.Specs.Diagnostics;

namespace GitOps.Reconciler.Tests.Status;

public sealed class EnvironmentStatusTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ImmutableSortedSet<string> NoTrained = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    public sealed class TheAfterMethod
    {
        [Fact]
        public void Should_Keep_The_Last_Good_Commit_When_A_Commit_Stalls()
        {
            // Given
            var applied = EnvironmentStatus.Initial("prod")
                .After(new ReconcileOutcome.Applied("prod", "good", new PlanSummary(3, 0, 0, 0), 0), NoTrained, Now);
            var error = new Diagnostic("GITOPS0101", Severity.Error, new SourceSpan("models/a/model.yaml", 3, 5, 3, 9), "unknown field 'trainig'");

            // When
            var stalled = applied.After(
                new ReconcileOutcome.Stalled("prod", "bad", "good", "1 validation error", [error]), NoTrained, Now.AddMinutes(1));

            // Then
            Assert.Equal("good", stalled.LastAppliedCommit);
            Assert.Equal("bad", stalled.LastAttemptedCommit);
            Assert.Equal("Stalled", stalled.Outcome);
            Assert.Equal<string>(["models/a/model.yaml:3:5: error GITOPS0101: unknown field 'trainig'"], stalled.Diagnostics);
            Assert.Contains("bad", stalled.Message);
            Assert.Contains("keeping good", stalled.Message);
            Assert.True(stalled.IsStalledAt("bad"));
            Assert.False(stalled.IsStalledAt("good"));
            Assert.Equal(Now, stalled.LastSuccessAt);
        }

        [Fact]
        public void Should_Count_Consecutive_Retries_And_Reset_On_Success()
        {
            // Given
            var status = EnvironmentStatus.Initial("prod");
            var retry = new ReconcileOutcome.Retry("prod", "c1", TimeSpan.FromSeconds(5), "connection refused");

            // When
            var twice = status.After(retry, NoTrained, Now).After(retry, NoTrained, Now);
            var recovered = twice.After(new ReconcileOutcome.NoChange("prod", "c1", PlanSummary.Empty, 0), NoTrained, Now);

            // Then
            Assert.Equal(2, twice.ConsecutiveFailures);
            Assert.Null(twice.LastAppliedCommit);
            Assert.Equal(0, recovered.ConsecutiveFailures);
            Assert.Equal("c1", recovered.LastAppliedCommit);
        }

        [Fact]
        public void Should_Keep_Every_Trained_Version_Ever_Seen()
        {
            // Given
            var status = EnvironmentStatus.Initial("prod")
                .After(new ReconcileOutcome.NoChange("prod", "c1", PlanSummary.Empty, 0), ImmutableSortedSet.Create(StringComparer.Ordinal, "fraud@aaa"), Now);

            // When
            var next = status.After(new ReconcileOutcome.NoChange("prod", "c2", PlanSummary.Empty, 0), ImmutableSortedSet.Create(StringComparer.Ordinal, "fraud@bbb"), Now);

            // Then
            Assert.Equal<string>(["fraud@aaa", "fraud@bbb"], next.TrainedVersions);
        }

        [Fact]
        public void Should_Cap_The_Diagnostics_Kept_With_Errors_First()
        {
            // Given
            var span = SourceSpan.StartOf("models/a/model.yaml");
            var diagnostics = Enumerable.Range(0, 80)
                .Select(i => new Diagnostic($"GITOPS{i:0000}", i < 60 ? Severity.Warning : Severity.Error, span, "finding"))
                .ToImmutableArray();

            // When
            var stalled = EnvironmentStatus.Initial("prod")
                .After(new ReconcileOutcome.Stalled("prod", "bad", null, "20 errors", diagnostics), NoTrained, Now);

            // Then
            Assert.Equal(EnvironmentStatus.MaxDiagnostics, stalled.Diagnostics.Length);
            Assert.All(stalled.Diagnostics.Take(20), d => Assert.Contains(": error ", d));
        }
    }

    public sealed class TheStatusDataCodec
    {
        [Fact]
        public void Should_Round_Trip_Every_Field()
        {
            // Given
            var status = new EnvironmentStatus("prod", "good", "bad", "Stalled", "commit bad stalled",
                ["a.yaml:1:1: error GITOPS0001: x", "b.yaml:2:2: warning GITOPS0002: y"],
                new PlanSummary(1, 2, 3, 4), 2, Now, Now.AddHours(-1),
                ImmutableSortedSet.Create(StringComparer.Ordinal, "fraud@aaa", "churn@bbb"));

            // When
            var data = StatusData.ToData(status);
            var back = StatusData.FromData("prod", data);

            // Then
            Assert.Equal(status.LastAppliedCommit, back.LastAppliedCommit);
            Assert.Equal(status.LastAttemptedCommit, back.LastAttemptedCommit);
            Assert.Equal(status.Outcome, back.Outcome);
            Assert.Equal(status.Message, back.Message);
            Assert.Equal<string>(status.Diagnostics, back.Diagnostics);
            Assert.Equal(status.Plan, back.Plan);
            Assert.Equal(status.ConsecutiveFailures, back.ConsecutiveFailures);
            Assert.Equal(status.UpdatedAt, back.UpdatedAt);
            Assert.Equal(status.LastSuccessAt, back.LastSuccessAt);
            Assert.Equal<string>(status.TrainedVersions, back.TrainedVersions);
            Assert.Equal("create=1 update=2 unchanged=3 delete=4", data[StatusData.Plan]);
        }

        [Fact]
        public void Should_Read_Hand_Edited_Or_Missing_Fields_As_Initial_Values()
        {
            // Given
            var data = new Dictionary<string, string>
            {
                [StatusData.ConsecutiveFailures] = "many",
                [StatusData.UpdatedAt] = "yesterday",
                [StatusData.Plan] = "create=x delete=2",
            };

            // When
            var status = StatusData.FromData("prod", data);

            // Then
            Assert.Equal(0, status.ConsecutiveFailures);
            Assert.Equal(DateTimeOffset.MinValue, status.UpdatedAt);
            Assert.Equal(new PlanSummary(0, 0, 0, 2), status.Plan);
            Assert.Null(status.LastAppliedCommit);
        }
    }
}
