using GitOps.GitHub.Comments;
using GitOps.GitHub.Connection;
using GitOps.GitHub.Tests.Support;

namespace GitOps.GitHub.Tests.Comments;

public sealed class MarkedCommentTests(GitHubServerFixture fixture) : IClassFixture<GitHubServerFixture>
{
    private const string Marker = "<!-- gitops-plan -->";

    [Fact]
    public async Task Should_Edit_The_Marked_Comment_On_A_Later_Page_When_The_Discussion_Is_Long()
    {
        // Given a pull request with 65 comments by reviewers, then ours, then 10 more (ours is on the third page of 30)
        var repo = fixture.NewRepository();
        var number = fixture.Server.Store.AddPullRequest(repo.ToString(), "abc123");
        fixture.Server.Store.AddComments(repo.ToString(), number, 65);
        var comments = new MarkedComment(fixture.Api(), repo);
        var first = await comments.UpsertAsync(number, Marker, $"{Marker}\nplan one", CancellationToken.None);
        fixture.Server.Store.AddComments(repo.ToString(), number, 10);

        // When
        var second = await comments.UpsertAsync(number, Marker, $"{Marker}\nplan two", CancellationToken.None);

        // Then
        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Id, second.Id);
        var ours = Assert.Single(fixture.Server.Store.Comments(repo.ToString(), number), c => ((string?)c["body"])!.StartsWith(Marker, StringComparison.Ordinal));
        Assert.Equal($"{Marker}\nplan two", (string?)ours["body"]);
        Assert.Contains(fixture.Server.Requests, r => r.Path.EndsWith($"/issues/{number}/comments", StringComparison.Ordinal) && r.Query.Contains("page=3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_Ignore_A_Comment_That_Only_Quotes_The_Marker()
    {
        // Given a reviewer's reply quoting our hidden marker
        var repo = fixture.NewRepository();
        var number = fixture.Server.Store.AddPullRequest(repo.ToString(), "abc123");
        fixture.Server.Store.CreateComment(repo.ToString(), number, $"> {Marker}\n> plan\nWhy?", "reviewer");

        // When
        var result = await new MarkedComment(fixture.Api(), repo).UpsertAsync(number, Marker, $"{Marker}\nplan", CancellationToken.None);

        // Then
        Assert.True(result.Created);
        Assert.Equal(2, fixture.Server.Store.Comments(repo.ToString(), number).Count);
    }

    [Fact]
    public async Task Should_Fail_With_Not_Found_When_The_Pull_Request_Does_Not_Exist()
    {
        // Given
        var repo = fixture.NewRepository();

        // When
        var error = await Assert.ThrowsAsync<GitHubRequestException>(() =>
            new MarkedComment(fixture.Api(), repo).UpsertAsync(404, Marker, $"{Marker}\nplan", CancellationToken.None));

        // Then
        Assert.Equal(GitHubFailure.NotFound, error.Failure);
        Assert.Contains("#404", error.Message);
    }
}
