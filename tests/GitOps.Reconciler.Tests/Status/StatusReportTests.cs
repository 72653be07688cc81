using System.Collections.Immutable;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Status;
using GitOps.Specs.Diagnostics;

namespace GitOps.Reconciler.Tests.Status;

public sealed class StatusReportTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly EnvironmentStatus Empty = new() { Environment = "prod" };

    public sealed class TheNextMethod
    {
        [Fact]
        public void Should_Keep_The_Last_Good_Commit_When_A_Commit_Stalls()
        {
            // Given
            var applied = StatusReport.Next(Empty,
                new ReconcileOutcome.Applied("prod", "good", new PlanSummary(3, 0, 0, 0), 0, ["Create Job/ml/a: train"]), Now);
            var error = new Diagnostic("GITOPS0101", Severity.Error, new SourceSpan("models/a/model.yaml", 3, 5, 3, 9), "unknown field 'trainig'");

            // When
            var stalled = StatusReport.Next(applied,
                new ReconcileOutcome.Stalled("prod", "bad", "good", "1 validation error(s)", [error]), Now.AddMinutes(1));

            // Then
            Assert.Equal("good", stalled.LastAppliedCommit);
            Assert.Equal(Now, stalled.LastAppliedTime);
            Assert.Equal("bad", stalled.LastAttemptedCommit);
            Assert.Equal("Stalled", stalled.Outcome);
            Assert.Equal("models/a/model.yaml:3:5: error GITOPS0101: unknown field 'trainig'\n", stalled.DiagnosticsSummary);
            Assert.Contains("commit bad stalled", stalled.Message);
            Assert.Contains("keeps commit good", stalled.Message);
            Assert.True(stalled.IsStalledAt("bad"));
            Assert.False(stalled.IsStalledAt("good"));
        }

        [Fact]
        public void Should_Describe_The_Plan_With_One_Line_Per_Change()
        {
            // When
            var applied = StatusReport.Next(Empty, new ReconcileOutcome.Applied("prod", "c1", new PlanSummary(1, 0, 2, 1), 0,
                ["Create Job/ml/a-train: train a", "Delete Job/ml/b-train: prune"]), Now);

            // Then
            Assert.Equal("create=1 update=0 delete=1 unchanged=2\nCreate Job/ml/a-train: train a\nDelete Job/ml/b-train: prune\n", applied.PlanSummary);
            Assert.Null(applied.DiagnosticsSummary);
        }

        [Fact]
        public void Should_Not_Move_The_Applied_Commit_On_Retry()
        {
            // Given
            var applied = StatusReport.Next(Empty, new ReconcileOutcome.NoChange("prod", "c1", PlanSummary.Empty, 0), Now);

            // When
            var retry = StatusReport.Next(applied, new ReconcileOutcome.Retry("prod", "c2", TimeSpan.FromSeconds(10), "connection refused"), Now);

            // Then
            Assert.Equal("c1", retry.LastAppliedCommit);
            Assert.Equal("c2", retry.LastAttemptedCommit);
            Assert.Equal("retrying in 10s: connection refused", retry.Message);
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
            var stalled = StatusReport.Next(Empty, new ReconcileOutcome.Stalled("prod", "bad", null, "20 errors", diagnostics), Now);

            // Then
            var lines = stalled.DiagnosticsSummary!.TrimEnd('\n').Split('\n');
            Assert.Equal(StatusReport.MaxDiagnostics + 1, lines.Length);
            Assert.All(lines.Take(20), l => Assert.Contains(": error ", l));
            Assert.Equal("… and 30 more", lines[^1]);
            Assert.Contains("no commit applied yet", stalled.Message);
        }
    }
}
