using GitOps.GitHub.Checks;
using GitOps.GitHub.Notifications;
using GitOps.Testing.Golden;

namespace GitOps.GitHub.Tests.Notifications;

public sealed class RollbackReportTests
{
    private const string Golden = "tests/GitOps.GitHub.Tests/testdata/golden";

    [Fact]
    public void Should_Match_The_Golden_Report_With_The_Failed_Measurements_And_Both_Commands()
    {
        // Given
        var rollback = Rollbacks.Fraud();

        // When
        var body = RollbackReport.Body(rollback);

        // Then
        Assert.StartsWith(RollbackReport.Marker(rollback), body, StringComparison.Ordinal);
        GoldenFile.AssertMatches($"{Golden}/rollback-report.fraud.md", $"title: {RollbackReport.Title(rollback)}\n\n{body}");
    }

    [Fact]
    public void Should_Give_Each_Rollout_Attempt_Its_Own_Marker_When_The_Same_Version_Is_Retried()
    {
        // Given a retried rollout of the same version
        var first = Rollbacks.Fraud("fraud-v7-1");
        var retried = Rollbacks.Fraud("fraud-v7-2");

        // When / Then
        Assert.NotEqual(RollbackReport.Marker(first), RollbackReport.Marker(retried));
        Assert.Equal(RollbackReport.Marker(first), RollbackReport.Marker(Rollbacks.Fraud("fraud-v7-1")));
    }

    [Fact]
    public void Should_Stay_Under_The_Comment_Limit_With_A_Note_When_There_Are_Very_Long_Reasons()
    {
        // Given
        var rollback = Rollbacks.Fraud() with { Reason = new string('x', 80_000) };

        // When
        var body = RollbackReport.Body(rollback);

        // Then
        Assert.True(body.Length <= GitHubLimits.CommentBody);
        Assert.Contains("**Truncated:** the rollback report", body, StringComparison.Ordinal);
    }
}
