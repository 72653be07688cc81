using GitOps.GitHub.Tests.Support;
using GitOps.Testing.FakeGitHub;
using Octokit;

namespace GitOps.GitHub.Tests.FakeServer;

/// <summary>The fake answers as GitHub does where the client's behaviour depends on it.</summary>
public sealed class FakeGitHubServerTests(GitHubServerFixture fixture) : IClassFixture<GitHubServerFixture>
{
    private GitHubClient Client(string token = GitHubServerFixture.Token) =>
        new(new ProductHeaderValue("tests"), fixture.Server.BaseAddress) { Credentials = new Credentials(token) };

    private static NewCheckRun Run(int annotations) => new("gitops / validate", "abc")
    {
        Output = new NewCheckRunOutput("t", "s")
        {
            Annotations = [.. Enumerable.Range(1, annotations).Select(i => new NewCheckRunAnnotation("a.yaml", i, i, CheckAnnotationLevel.Warning, "m"))],
        },
    };

    [Fact]
    public async Task Should_Answer_422_When_One_Request_Carries_51_Annotations()
    {
        // Given
        var repo = fixture.NewRepository();

        // When
        var error = await Assert.ThrowsAsync<ApiValidationException>(() => Client().Check.Run.Create(repo.Owner, repo.Name, Run(51)));
        var accepted = await Client().Check.Run.Create(repo.Owner, repo.Name, Run(50));

        // Then
        Assert.Contains("Only 50 annotations are allowed per request", error.ApiError.Message);
        Assert.Equal(50, accepted.Output.AnnotationsCount);
    }

    [Fact]
    public async Task Should_Send_Rate_Limit_Headers_With_Remaining_0_When_The_Primary_Limit_Is_Spent()
    {
        // Given
        var repo = fixture.NewRepository();
        fixture.Server.RateLimitNext(1, FakeRateLimit.Primary, TimeSpan.FromMinutes(10), $"/repos/{repo}/");

        // When
        var error = await Assert.ThrowsAsync<RateLimitExceededException>(() => Client().Check.Run.Create(repo.Owner, repo.Name, Run(1)));

        // Then
        Assert.Equal(0, error.Remaining);
        Assert.InRange(error.Reset - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));
    }

    [Fact]
    public async Task Should_Answer_401_Bad_Credentials_When_The_Token_Is_Unknown()
    {
        // Given
        var repo = fixture.NewRepository();

        // When
        var error = await Assert.ThrowsAsync<AuthorizationException>(() => Client("ghp_unknown").Check.Run.Create(repo.Owner, repo.Name, Run(1)));

        // Then
        Assert.Equal("Bad credentials", error.ApiError.Message);
    }

    [Fact]
    public async Task Should_Page_Comments_With_Link_Headers()
    {
        // Given 75 comments
        var repo = fixture.NewRepository();
        var number = fixture.Server.Store.AddPullRequest(repo.ToString(), "abc");
        fixture.Server.Store.AddComments(repo.ToString(), number, 75);

        // When
        var all = await Client().Issue.Comment.GetAllForIssue(repo.Owner, repo.Name, number);
        var page = await Client().Issue.Comment.GetAllForIssue(repo.Owner, repo.Name, number, new ApiOptions { PageSize = 30, PageCount = 1, StartPage = 3 });

        // Then
        Assert.Equal(75, all.Count);
        Assert.Equal(all.Select(c => c.Id).Distinct().Count(), all.Count);
        Assert.Equal(15, page.Count);
    }
}
