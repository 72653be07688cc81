using System.Security.Cryptography;
using GitOps.GitHub.Connection;
using GitOps.GitHub.Tests.Support;
using GitOps.Testing.FakeGitHub;
using GitOps.Testing.Time;
using Microsoft.Extensions.Logging.Abstractions;
using Octokit;

namespace GitOps.GitHub.Tests.Connection;

public sealed class GitHubApiTests
{
    private static Task<CommitStatus> CreateStatusAsync(GitHubApi api, GitHubRepository repo, CancellationToken ct = default) =>
        api.CallAsync("set commit status 'gitops/prod'", "statuses: write",
            c => c.Repository.Status.Create(repo.Owner, repo.Name, "abc", new NewCommitStatus { State = CommitState.Success, Context = "gitops/prod" }), ct);

    /// <summary>Waits (real time, bounded) until the code under test is parked on a delay of the fake clock.</summary>
    private static async Task WaitForTimerAsync(ObservableTimeProvider time, Task call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (time.PendingTimerCount == 0 && !call.IsCompleted)
        {
            // Advancing the fake clock before the call waits on it would leave the call waiting forever.
            Assert.True(DateTime.UtcNow < deadline, "the call never waited on the clock");
            await Task.Delay(5);
        }
    }

    public sealed class TheRateLimits : IAsyncLifetime
    {
        private readonly ObservableTimeProvider _time = new(DateTimeOffset.UtcNow);
        private FakeGitHubServer _server = null!;
        private readonly GitHubRepository _repo = new("acme", "ml");

        public async Task InitializeAsync()
        {
            _server = await FakeGitHubServer.StartAsync(_time);
            _server.AddToken(GitHubServerFixture.Token, integration: true, [.. FakeGitHubServer.AllPermissions]);
        }

        public async Task DisposeAsync() => await _server.DisposeAsync();

        private GitHubApi Api(GitHubRetrySettings? retry = null) => GitHubClientFactory.Create(new GitHubConnectionSettings
        {
            ApiUrl = _server.ApiUrl,
            Auth = new GitHubAuth.Token(GitHubServerFixture.Token),
            Retry = retry ?? GitHubServerFixture.FastRetries,
        }, _time, NullLogger.Instance);

        [Fact]
        public async Task Should_Wait_Until_The_Reset_When_The_Primary_Limit_Is_Spent()
        {
            // Given the hourly quota is spent for the next 30 seconds
            _server.RateLimitNext(1, FakeRateLimit.Primary, TimeSpan.FromSeconds(30));
            var started = _time.GetUtcNow();

            // When
            var call = CreateStatusAsync(Api(), _repo);
            await WaitForTimerAsync(_time, call);
            Assert.False(call.IsCompleted);
            _time.Advance(TimeSpan.FromSeconds(31));
            await call;

            // Then the status was set after the reset, by a second request
            Assert.Single(_server.Store.CommitStatuses("acme/ml", "abc"));
            Assert.Equal([403, 201], _server.Requests.Where(r => r.Path.Contains("/statuses/", StringComparison.Ordinal)).Select(r => r.Status));
            Assert.True(_time.GetUtcNow() - started >= TimeSpan.FromSeconds(30));
        }

        [Fact]
        public async Task Should_Wait_Retry_After_When_A_Secondary_Limit_Is_Hit()
        {
            // Given
            _server.RateLimitNext(1, FakeRateLimit.Secondary, TimeSpan.FromSeconds(60));

            // When
            var call = CreateStatusAsync(Api(), _repo);
            await WaitForTimerAsync(_time, call);
            _time.Advance(TimeSpan.FromSeconds(59));
            Assert.False(call.IsCompleted);
            _time.Advance(TimeSpan.FromSeconds(1));
            await call;

            // Then
            Assert.Single(_server.Store.CommitStatuses("acme/ml", "abc"));
        }

        [Fact]
        public async Task Should_Fail_At_Once_When_The_Limit_Lifts_Later_Than_Gitops_Waits()
        {
            // Given a reset an hour away and a two-minute bound
            _server.RateLimitNext(1, FakeRateLimit.Primary, TimeSpan.FromHours(1));

            // When
            var error = await Assert.ThrowsAsync<GitHubRequestException>(() => CreateStatusAsync(Api(), _repo));

            // Then
            Assert.Equal(GitHubFailure.RateLimited, error.Failure);
            Assert.Contains("rate limit", error.Message);
            Assert.Contains("GitHub App", error.Message);
            Assert.Empty(_server.Store.CommitStatuses("acme/ml", "abc"));
        }

        [Fact]
        public async Task Should_Give_Up_After_The_Bounded_Tries_When_Limits_Keep_Coming()
        {
            // Given more secondary limits than tries
            _server.RateLimitNext(10, FakeRateLimit.Secondary, TimeSpan.FromSeconds(1));
            var retry = GitHubServerFixture.FastRetries with { MaxAttempts = 3 };

            // When
            var call = CreateStatusAsync(Api(retry), _repo);
            for (var i = 0; i < 2; i++)
            {
                await WaitForTimerAsync(_time, call);
                _time.Advance(TimeSpan.FromSeconds(1));
            }
            var error = await Assert.ThrowsAsync<GitHubRequestException>(() => call);

            // Then
            Assert.Equal(GitHubFailure.RateLimited, error.Failure);
            Assert.Equal(3, _server.Requests.Count(r => r.Path.Contains("/statuses/", StringComparison.Ordinal)));
        }
    }

    public sealed class TheFailures(GitHubServerFixture fixture) : IClassFixture<GitHubServerFixture>
    {
        [Fact]
        public async Task Should_Retry_When_GitHub_Answers_503_Then_Recovers()
        {
            // Given
            var repo = fixture.NewRepository();
            fixture.Server.FailNext(2, 503, $"/repos/{repo}/statuses/");

            // When
            await CreateStatusAsync(fixture.Api(), repo);

            // Then
            Assert.Single(fixture.Server.Store.CommitStatuses(repo.ToString(), "abc"));
        }

        [Fact]
        public async Task Should_Say_GitHub_Is_Unavailable_When_503_Outlasts_The_Tries()
        {
            // Given
            var repo = fixture.NewRepository();
            fixture.Server.FailNext(10, 503, $"/repos/{repo}/statuses/");

            // When
            var error = await Assert.ThrowsAsync<GitHubRequestException>(() => CreateStatusAsync(fixture.Api(), repo));

            // Then
            Assert.Equal(GitHubFailure.Unavailable, error.Failure);
            Assert.Contains("failed 4 times", error.Message);
        }

        [Fact]
        public async Task Should_Say_The_Credentials_Are_Wrong_Without_Printing_Them_When_GitHub_Answers_401()
        {
            // Given
            var repo = fixture.NewRepository();
            const string wrong = "ghp_not_a_real_token_0123456789";

            // When
            var error = await Assert.ThrowsAsync<GitHubRequestException>(() => CreateStatusAsync(fixture.Api(wrong), repo));

            // Then
            Assert.Equal(GitHubFailure.Unauthorized, error.Failure);
            Assert.Contains("401: Bad credentials", error.Message);
            Assert.DoesNotContain(wrong, error.Message);
            Assert.DoesNotContain(wrong, new GitHubAuth.Token(wrong).ToString());
        }

        [Fact]
        public async Task Should_Explain_A_422_With_GitHubs_Field_Error()
        {
            // Given a description longer than 140 characters
            var repo = fixture.NewRepository();

            // When
            var error = await Assert.ThrowsAsync<GitHubRequestException>(() => fixture.Api().CallAsync("set commit status", "statuses: write",
                c => c.Repository.Status.Create(repo.Owner, repo.Name, "abc", new NewCommitStatus { State = CommitState.Failure, Description = new string('x', 141) }),
                CancellationToken.None));

            // Then
            Assert.Equal(GitHubFailure.Invalid, error.Failure);
            Assert.Contains("422: Validation Failed: description is too long (maximum is 140 characters)", error.Message);
        }
    }

    public sealed class TheGitHubApp : IAsyncLifetime
    {
        private readonly ObservableTimeProvider _time = new(DateTimeOffset.UtcNow);
        private readonly RSA _key = RSA.Create(2048);
        private FakeGitHubServer _server = null!;
        private readonly GitHubRepository _repo = new("acme", "ml");

        public async Task InitializeAsync()
        {
            _server = await FakeGitHubServer.StartAsync(_time);
            _server.Tokens.AddApp(new FakeGitHubApp(42, _key.ExportSubjectPublicKeyInfoPem(), 7, ["statuses: write"], TimeSpan.FromHours(1)));
        }

        public async Task DisposeAsync()
        {
            _key.Dispose();
            await _server.DisposeAsync();
        }

        private GitHubApi Api(string privateKey, long installation = 7) => GitHubClientFactory.Create(new GitHubConnectionSettings
        {
            ApiUrl = _server.ApiUrl,
            Auth = new GitHubAuth.App(42, installation, privateKey),
            Retry = GitHubServerFixture.FastRetries,
        }, _time, NullLogger.Instance);

        [Fact]
        public async Task Should_Use_An_Installation_Token_And_Refresh_It_Before_It_Expires()
        {
            // Given
            var api = Api(_key.ExportRSAPrivateKeyPem());

            // When two calls 50 minutes apart, then one 6 minutes later (within 5 minutes of the expiry)
            await CreateStatusAsync(api, _repo);
            _time.Advance(TimeSpan.FromMinutes(50));
            await CreateStatusAsync(api, _repo);
            var afterFifty = _server.Tokens.InstallationTokensIssued;
            _time.Advance(TimeSpan.FromMinutes(6));
            await CreateStatusAsync(api, _repo);

            // Then
            Assert.Equal(1, afterFifty);
            Assert.Equal(2, _server.Tokens.InstallationTokensIssued);
            var writes = _server.Requests.Where(r => r.Path.Contains("/statuses/", StringComparison.Ordinal)).ToList();
            Assert.All(writes, w => Assert.Equal(201, w.Status));
            Assert.All(writes, w => Assert.StartsWith("ghs_", w.Token));
            Assert.NotEqual(writes[0].Token, writes[2].Token);
            Assert.Equal("Bearer", _server.Requests.First(r => r.Path.EndsWith("/access_tokens", StringComparison.Ordinal)).AuthorizationScheme);
        }

        [Fact]
        public async Task Should_Say_Which_Setting_Is_Wrong_When_The_Key_Belongs_To_Another_App()
        {
            // Given
            using var other = RSA.Create(2048);

            // When
            var error = await Assert.ThrowsAsync<GitHubRequestException>(() => CreateStatusAsync(Api(other.ExportRSAPrivateKeyPem()), _repo));

            // Then
            Assert.Equal(GitHubFailure.Unauthorized, error.Failure);
            Assert.Contains("GitHub App 42, installation 7", error.Message);
            Assert.Contains("private key", error.Message);
            Assert.Equal(0, _server.Tokens.InstallationTokensIssued);
        }
    }
}
