using System.Collections.Immutable;
using GitOps.GitHub.Connection;
using GitOps.GitHub.Notifications;
using GitOps.GitHub.Tests.Support;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Notifications;
using GitOps.Testing.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.GitHub.Tests.Notifications;

public sealed class GitHubNotifierTests(GitHubServerFixture fixture) : IClassFixture<GitHubServerFixture>
{
    private const string Commit = "1b2e1d6c8f0a4b7e9c3d5f7a9b1c3e5d7f9a1b3c";
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 13, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Flush = TimeSpan.FromSeconds(30);

    private GitHubNotifier Notifier(GitHubRepository repository, string? token = null, ILogger? log = null, string? shard = null) =>
        new(fixture.Api(token), new GitHubNotifierSettings
        {
            Repository = repository,
            Shard = shard,
            EnvironmentUrls = new Dictionary<string, string> { ["prod"] = "https://fraud.prod.example" }.ToImmutableDictionary(),
            LogUrl = "https://gitops.example/status",
            Retry = new Backoff(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)),
        }, TimeProvider.System, log ?? NullLogger.Instance);

    private static async Task SendAsync(GitHubNotifier notifier, params Notification[] notifications)
    {
        foreach (var n in notifications)
        {
            await notifier.NotifyAsync(n, CancellationToken.None);
        }
        Assert.True(await notifier.FlushAsync(Flush, CancellationToken.None));
    }

    private string Repo(GitHubRepository r) => r.ToString();

    public sealed class TheDeployments(GitHubServerFixture fixture) : IClassFixture<GitHubServerFixture>
    {
        private readonly GitHubNotifierTests _t = new(fixture);

        [Fact]
        public async Task Should_Create_One_Deployment_Per_Environment_And_Commit_With_In_Progress_Then_Success()
        {
            // Given
            var repository = fixture.NewRepository();
            await using var notifier = _t.Notifier(repository);

            // When a pass deploys the commit to prod and staging
            await SendAsync(notifier,
                new DeploymentStarted("prod", Commit, Now, null, null),
                new DeploymentStarted("staging", Commit, Now, null, null),
                new DeploymentFinished("prod", Commit, Now, true, "applied: create=3 update=0 delete=0 unchanged=0", null, null),
                new DeploymentFinished("staging", Commit, Now, false, "refused by the API server: 403 Forbidden", null, null));

            // Then
            var deployments = fixture.Server.Store.Deployments(_t.Repo(repository));
            Assert.Equal(2, deployments.Count);
            var prod = Assert.Single(deployments, d => (string?)d["environment"] == "prod");
            Assert.Equal(Commit, (string?)prod["sha"]);
            var prodStatuses = fixture.Server.Store.DeploymentStatuses((long)prod["id"]!);
            Assert.Equal(["in_progress", "success"], prodStatuses.Select(s => (string?)s["state"]));
            Assert.All(prodStatuses, s => Assert.Equal("https://fraud.prod.example", (string?)s["environment_url"]));
            Assert.All(prodStatuses, s => Assert.Equal("https://gitops.example/status", (string?)s["log_url"]));
            var staging = Assert.Single(deployments, d => (string?)d["environment"] == "staging");
            var stagingStatuses = fixture.Server.Store.DeploymentStatuses((long)staging["id"]!);
            Assert.Equal(["in_progress", "failure"], stagingStatuses.Select(s => (string?)s["state"]));
            Assert.Contains("403 Forbidden", (string?)stagingStatuses[1]["description"], StringComparison.Ordinal);
        }

        [Fact]
        public async Task Should_Reuse_The_Deployment_Of_The_Commit_When_A_Restarted_Reconciler_Reports_It_Again()
        {
            // Given a deployment started before a restart
            var repository = fixture.NewRepository();
            await using (var before = _t.Notifier(repository))
            {
                await SendAsync(before, new DeploymentStarted("prod", Commit, Now, null, null));
            }

            // When the restarted reconciler finishes it
            await using var after = _t.Notifier(repository);
            await SendAsync(after, new DeploymentFinished("prod", Commit, Now, true, "applied", null, null));

            // Then
            var deployment = Assert.Single(fixture.Server.Store.Deployments(_t.Repo(repository)));
            Assert.Equal(["in_progress", "success"], fixture.Server.Store.DeploymentStatuses((long)deployment["id"]!).Select(s => (string?)s["state"]));
        }
        [Fact]
        public async Task Should_Keep_One_Deployment_When_Two_Shards_Create_It_At_The_Same_Moment()
        {
            // Given two shards of prod that both look for the commit's deployment before either has made it
            var repository = fixture.NewRepository();
            fixture.Server.CreateDeploymentsTogether(_t.Repo(repository), 2);
            await using var first = _t.Notifier(repository, shard: "1/2");
            await using var second = _t.Notifier(repository, shard: "2/2");

            // When both report the same pass
            await Task.WhenAll(
                SendAsync(first, new DeploymentStarted("prod", Commit, Now, null, null), new DeploymentFinished("prod", Commit, Now, true, "applied", null, null)),
                SendAsync(second, new DeploymentStarted("prod", Commit, Now, null, null), new DeploymentFinished("prod", Commit, Now, true, "applied", null, null)));

            // Then two were made, the later one was deleted, and the first has both shards' statuses
            var deployments = $"/repos/{_t.Repo(repository)}/deployments";
            Assert.Equal(2, fixture.Server.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith(deployments, StringComparison.Ordinal) && r.Status == 201));
            Assert.Single(fixture.Server.Requests, r => r.Method == "DELETE" && r.Path.Contains(deployments + "/", StringComparison.Ordinal) && r.Status == 204);
            var deployment = Assert.Single(fixture.Server.Store.Deployments(_t.Repo(repository)));
            var statuses = fixture.Server.Store.DeploymentStatuses((long)deployment["id"]!);
            Assert.Equal(
                [$"in_progress shard 1/2: deploying {Commit[..12]} to prod", $"in_progress shard 2/2: deploying {Commit[..12]} to prod", "success shard 1/2: applied", "success shard 2/2: applied"],
                statuses.Select(s => $"{(string?)s["state"]} {(string?)s["description"]}").Order(StringComparer.Ordinal));
        }
    }

    public sealed class TheCommitStatuses(GitHubServerFixture fixture) : IClassFixture<GitHubServerFixture>
    {
        private readonly GitHubNotifierTests _t = new(fixture);

        [Fact]
        public async Task Should_Set_Gitops_Env_Success_When_Applied_And_Failure_With_The_Reason_When_Stalled()
        {
            // Given
            var repository = fixture.NewRepository();
            const string bad = "77c3e2a1f0b9d8c7e6f5a4b3c2d1e0f9a8b7c6d5";
            await using var notifier = _t.Notifier(repository);

            // When
            await SendAsync(notifier,
                new EnvironmentApplied("prod", Commit, Now, "create=3 update=0 delete=0 unchanged=0"),
                new EnvironmentStalled("prod", bad, Now, "2 validation error(s)", Commit));

            // Then
            var applied = Assert.Single(fixture.Server.Store.CommitStatuses(_t.Repo(repository), Commit));
            Assert.Equal(("success", "gitops/prod"), ((string?)applied["state"], (string?)applied["context"]));
            Assert.Equal("applied: create=3 update=0 delete=0 unchanged=0", (string?)applied["description"]);
            var stalled = Assert.Single(fixture.Server.Store.CommitStatuses(_t.Repo(repository), bad));
            Assert.Equal(("failure", "gitops/prod"), ((string?)stalled["state"], (string?)stalled["context"]));
            Assert.Equal($"stalled: 2 validation error(s); prod keeps {Commit[..12]}", (string?)stalled["description"]);
        }

        [Fact]
        public async Task Should_Cut_A_Long_Reason_To_The_140_Characters_GitHub_Accepts()
        {
            // Given
            var repository = fixture.NewRepository();
            await using var notifier = _t.Notifier(repository);

            // When
            await SendAsync(notifier, new EnvironmentStalled("prod", Commit, Now, new string('r', 500), null));

            // Then
            var status = Assert.Single(fixture.Server.Store.CommitStatuses(_t.Repo(repository), Commit));
            Assert.Equal(140, ((string?)status["description"])!.Length);
            Assert.Equal(1, notifier.Delivered);
        }
    }

    public sealed class TheRollbacks(GitHubServerFixture fixture) : IClassFixture<GitHubServerFixture>
    {
        private readonly GitHubNotifierTests _t = new(fixture);

        [Fact]
        public async Task Should_Open_Exactly_One_Issue_Per_Rollback_Also_After_A_Restart()
        {
            // Given a rollback reported, then the reconciler restarted and reporting the same rollback again
            var repository = fixture.NewRepository();
            await using (var before = _t.Notifier(repository))
            {
                await SendAsync(before, Rollbacks.Fraud(), Rollbacks.Fraud());
            }
            await using var after = _t.Notifier(repository);

            // When
            await SendAsync(after, Rollbacks.Fraud());

            // Then
            var issue = Assert.Single(fixture.Server.Store.Issues(_t.Repo(repository)));
            Assert.Equal("Rollback: fraud v7 in prod (analysis failed on error-rate)", (string?)issue["title"]);
            Assert.Contains(RollbackReport.Label, issue["labels"]!.AsArray().Select(l => (string?)l!["name"]));
            var body = (string?)issue["body"];
            Assert.Contains("0.0833", body, StringComparison.Ordinal);
            Assert.Contains("gitops rollout retry fraud --env prod", body, StringComparison.Ordinal);
            Assert.Contains("gitops rollout abort fraud --env prod", body, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Should_Open_A_Second_Issue_When_A_Retried_Rollout_Is_Rolled_Back_Again()
        {
            // Given
            var repository = fixture.NewRepository();
            await using var notifier = _t.Notifier(repository);

            // When
            await SendAsync(notifier, Rollbacks.Fraud("fraud-v7-1"), Rollbacks.Fraud("fraud-v7-2"));

            // Then
            Assert.Equal(2, fixture.Server.Store.Issues(_t.Repo(repository)).Count);
        }

        [Fact]
        public async Task Should_Comment_Once_On_The_Pull_Request_That_Introduced_The_Commit()
        {
            // Given the commit came from pull request #N, whose discussion is longer than a page
            var repository = fixture.NewRepository();
            var number = fixture.Server.Store.AddPullRequest(_t.Repo(repository), "aa11bb22cc33dd44ee55ff6677889900aabbccdd");
            fixture.Server.Store.AssociateCommit(_t.Repo(repository), Rollbacks.Commit, number);
            fixture.Server.Store.AddComments(_t.Repo(repository), number, 35);
            await using (var before = _t.Notifier(repository))
            {
                await SendAsync(before, Rollbacks.Fraud());
            }

            // When a restarted reconciler reports it again
            await using var after = _t.Notifier(repository);
            await SendAsync(after, Rollbacks.Fraud());

            // Then one comment, no issue
            var ours = fixture.Server.Store.Comments(_t.Repo(repository), number)
                .Where(c => ((string?)c["body"])!.StartsWith("<!-- gitops-rollback", StringComparison.Ordinal)).ToList();
            Assert.Single(ours);
            Assert.Empty(fixture.Server.Store.Issues(_t.Repo(repository)));
        }
    }

    public sealed class TheFaults(GitHubServerFixture fixture) : IClassFixture<GitHubServerFixture>
    {
        private readonly GitHubNotifierTests _t = new(fixture);

        [Fact]
        public async Task Should_Queue_Without_Waiting_And_Deliver_Later_When_GitHub_Is_Down()
        {
            // Given GitHub answers 503 to the next 6 status requests: more than one delivery's own retries
            var repository = fixture.NewRepository();
            fixture.Server.FailNext(6, 503, pathContains: $"/repos/{repository}/statuses/");
            await using var notifier = _t.Notifier(repository);

            // When
            var queued = notifier.NotifyAsync(new EnvironmentApplied("prod", Commit, Now, "create=1"), CancellationToken.None);

            // Then the caller never waited, and the status arrived on a later try
            Assert.True(queued.IsCompletedSuccessfully);
            Assert.True(await notifier.FlushAsync(Flush, CancellationToken.None));
            Assert.Single(fixture.Server.Store.CommitStatuses(_t.Repo(repository), Commit));
            Assert.Equal((1, 0), (notifier.Delivered, notifier.Dropped));
        }

        [Fact]
        public async Task Should_Drop_With_A_Warning_Naming_The_Permission_When_The_Token_Cannot_Create_Deployments()
        {
            // Given a token without deployments: write
            var repository = fixture.NewRepository();
            var token = fixture.Server.AddToken("ghs_no_deployments_" + Guid.NewGuid().ToString("N"), integration: true, "statuses: write");
            using var logs = new ListLoggerProvider();
            await using var notifier = _t.Notifier(repository, token, logs.CreateLogger("notifier"));

            // When
            await SendAsync(notifier,
                new DeploymentStarted("prod", Commit, Now, null, null),
                new EnvironmentApplied("prod", Commit, Now, "create=1"));

            // Then the deployment was given up at once, and the commit status still went through
            Assert.Equal((1, 1), (notifier.Delivered, notifier.Dropped));
            Assert.Contains(logs.Lines, l => l.Contains("'deployments: read'", StringComparison.Ordinal) || l.Contains("'deployments: write'", StringComparison.Ordinal));
            Assert.DoesNotContain(logs.Lines, l => l.Contains(token, StringComparison.Ordinal));
            Assert.Single(fixture.Server.Store.CommitStatuses(_t.Repo(repository), Commit));
        }
    }
}
