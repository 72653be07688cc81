using System.Collections.Immutable;
using GitOps.GitHub.Checks;
using GitOps.GitHub.Connection;
using GitOps.GitHub.Tests.Support;
using GitOps.Specs.Diagnostics;

namespace GitOps.GitHub.Tests.Checks;

public sealed class CheckRunPublisherTests(GitHubServerFixture fixture) : IClassFixture<GitHubServerFixture>
{
    private const string Sha = "3f786850e387550fdab836ed7e6dc881de23001b";

    private static ImmutableArray<Diagnostic> Diagnostics(int count, Severity severity = Severity.Error) =>
        [.. Enumerable.Range(1, count).Select(i => new Diagnostic("GITOPS0103", severity,
            new SourceSpan($"models/m{i % 7}/model.yaml", i, 3, i, 9), $"finding {i}", i % 2 == 0 ? "fix it" : null))];

    [Fact]
    public async Task Should_Send_Every_Annotation_In_Batches_Of_50_When_There_Are_120_Diagnostics()
    {
        // Given
        var repo = fixture.NewRepository();
        var content = ValidationCheck.Build(Diagnostics(120), files: 7, specs: 7);

        // When
        var result = await new CheckRunPublisher(fixture.Api(), repo).PublishAsync(Sha, content, null, CancellationToken.None);

        // Then
        var run = Assert.Single(fixture.Server.Store.CheckRuns(repo.ToString()));
        Assert.Equal("completed", (string?)run["status"]);
        Assert.Equal("failure", (string?)run["conclusion"]);
        Assert.Equal(120, result.AnnotationsSent);
        var annotations = fixture.Server.Store.Annotations(result.Id);
        Assert.Equal(120, annotations.Count);
        Assert.Equal(Enumerable.Range(1, 120), annotations.Select(a => (int)a["start_line"]!));
        var writes = fixture.Server.Requests.Count(r => r.Path.Contains($"/repos/{repo}/check-runs", StringComparison.Ordinal) && r.Method is "POST" or "PATCH");
        Assert.Equal(4, writes); // create, then 50 + 50 + 20
    }

    [Fact]
    public async Task Should_Send_The_Other_Annotations_And_Report_The_Refused_Ones_When_GitHub_Answers_422_For_A_Path()
    {
        // Given a commit without models/m6/model.yaml, and 20 findings of which 3 point into it
        var repo = fixture.NewRepository();
        fixture.Server.Store.SetCommitFiles(repo.ToString(), Sha, [.. Enumerable.Range(0, 6).Select(i => $"models/m{i}/model.yaml")]);
        var content = ValidationCheck.Build(Diagnostics(20), files: 7, specs: 7);

        // When
        var result = await new CheckRunPublisher(fixture.Api(), repo).PublishAsync(Sha, content, null, CancellationToken.None);

        // Then the 17 others are on the run, which still concludes
        Assert.Equal(17, result.AnnotationsSent);
        Assert.Equal(17, fixture.Server.Store.Annotations(result.Id).Count);
        Assert.Equal(["models/m6/model.yaml:6", "models/m6/model.yaml:13", "models/m6/model.yaml:20"], result.Rejected.Select(r => r[..r.IndexOf(": ", StringComparison.Ordinal)]));
        Assert.All(result.Rejected, r => Assert.Contains("422", r));
        var run = Assert.Single(fixture.Server.Store.CheckRuns(repo.ToString()));
        Assert.Equal("completed", (string?)run["status"]);
        Assert.Equal("failure", (string?)run["conclusion"]);
        // and the refused ones are listed in its summary
        var summary = (string)run["output"]!["summary"]!;
        Assert.StartsWith(content.Summary, summary, StringComparison.Ordinal);
        Assert.Contains("Findings GitHub could not place on a line", summary);
        Assert.Contains("| `models/m6/model.yaml` | 13 | finding 13 |", summary);
    }

    [Fact]
    public async Task Should_Update_The_Same_Run_Without_Repeating_Annotations_When_Run_Again()
    {
        // Given a run that already has its 60 annotations
        var repo = fixture.NewRepository();
        var publisher = new CheckRunPublisher(fixture.Api(), repo);
        var content = ValidationCheck.Build(Diagnostics(60), files: 7, specs: 7);
        var first = await publisher.PublishAsync(Sha, content, null, CancellationToken.None);

        // When the workflow is re-run on the same commit
        var second = await publisher.PublishAsync(Sha, content, null, CancellationToken.None);

        // Then
        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Id, second.Id);
        Assert.Single(fixture.Server.Store.CheckRuns(repo.ToString()));
        Assert.Equal(60, fixture.Server.Store.Annotations(first.Id).Count);
        Assert.Equal(0, second.AnnotationsSent);
    }

    [Theory]
    [InlineData(Severity.Warning, "neutral")]
    [InlineData(Severity.Info, "success")]
    public async Task Should_Conclude_By_The_Worst_Severity_When_There_Are_No_Errors(Severity severity, string conclusion)
    {
        // Given
        var repo = fixture.NewRepository();

        // When
        await new CheckRunPublisher(fixture.Api(), repo).PublishAsync(Sha, ValidationCheck.Build(Diagnostics(3, severity), 1, 1), null, CancellationToken.None);

        // Then
        Assert.Equal(conclusion, (string?)Assert.Single(fixture.Server.Store.CheckRuns(repo.ToString()))["conclusion"]);
    }

    [Fact]
    public async Task Should_Name_The_Permission_When_The_Token_Cannot_Write_Checks()
    {
        // Given a token with read-only checks
        var repo = fixture.NewRepository();
        var token = fixture.Server.AddToken("ghs_readonly_" + repo.Name, integration: true, "checks: read", "pull-requests: read");

        // When
        var error = await Assert.ThrowsAsync<GitHubRequestException>(() =>
            new CheckRunPublisher(fixture.Api(token), repo).PublishAsync(Sha, ValidationCheck.Build([], 1, 1), null, CancellationToken.None));

        // Then
        Assert.Equal(GitHubFailure.MissingPermission, error.Failure);
        Assert.Equal("checks: write", error.Permission);
        Assert.Contains("403: Resource not accessible by integration", error.Message);
        Assert.Contains("'checks: write'", error.Message);
        Assert.DoesNotContain(token, error.Message);
    }
}
