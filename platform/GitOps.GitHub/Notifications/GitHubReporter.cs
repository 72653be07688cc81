using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using GitOps.GitHub.Checks;
using GitOps.GitHub.Comments;
using GitOps.GitHub.Connection;
using GitOps.Reconciler.Notifications;
using Octokit;
using Notification = GitOps.Reconciler.Notifications.Notification;

namespace GitOps.GitHub.Notifications;

/// <summary>What delivering a rollback report did: the issue or pull request it is on, and whether it was new.</summary>
public sealed record RollbackReportResult(int Number, string Url, bool OnPullRequest, bool Created);

/// <summary>
/// Delivers one notification to GitHub, idempotently (a notification delivered twice, e.g. after a restart, changes
/// nothing more): a GitHub Deployment per environment and commit (found by <c>sha</c> and <c>environment</c> before one
/// is created, and the first kept when shards created two at once) with its statuses; a commit status <c>gitops/ENV</c> per applied or stalled commit; and per automatic
/// rollback one report, a comment on the pull request that introduced the commit or else an issue, found again by its
/// hidden marker.
/// </summary>
public sealed class GitHubReporter(GitHubApi api, GitHubNotifierSettings settings)
{
    private readonly GitHubRepository _repo = settings.Repository;
    private readonly ConcurrentDictionary<string, long> _deployments = new(StringComparer.Ordinal);

    public Task DeliverAsync(Notification notification, CancellationToken ct) => notification switch
    {
        DeploymentStarted s => DeploymentStatusAsync(s.Environment, s.Commit, DeploymentState.InProgress,
            $"deploying {Short(s.Commit)} to {s.Environment}", s.EnvironmentUrl, s.LogUrl, ct),
        DeploymentFinished f => DeploymentStatusAsync(f.Environment, f.Commit, f.Succeeded ? DeploymentState.Success : DeploymentState.Failure,
            f.Description, f.EnvironmentUrl, f.LogUrl, ct),
        EnvironmentApplied a => CommitStatusAsync(a.Environment, a.Commit, CommitState.Success, $"applied: {a.Summary}", ct),
        EnvironmentStalled s => CommitStatusAsync(s.Environment, s.Commit, CommitState.Failure,
            $"stalled: {s.Reason}; {s.Environment} keeps {(s.LastGoodCommit is { } good ? Short(good) : "what it runs")}", ct),
        AutomaticRollback r => ReportRollbackAsync(r, ct),
        _ => Task.CompletedTask,
    };

    /// <summary>The commit status context of an environment, or of one shard of it (<c>gitops/prod (shard 2/3)</c>).</summary>
    public static string Context(string environment, string? shard = null) =>
        shard is null ? $"gitops/{environment}" : $"gitops/{environment} (shard {shard})";

    private async Task DeploymentStatusAsync(string environment, string commit, DeploymentState state, string description,
        string? environmentUrl, string? logUrl, CancellationToken ct)
    {
        var id = await DeploymentAsync(environment, commit, ct);
        var status = new NewDeploymentStatus(state)
        {
            Description = GitHubLimits.Description(settings.Shard is { } shard ? $"shard {shard}: {description}" : description),
            EnvironmentUrl = environmentUrl ?? settings.EnvironmentUrls.GetValueOrDefault(environment),
            LogUrl = logUrl ?? settings.LogUrl,
        };
        await api.CallAsync($"set the status of deployment {id} ({environment} at {Short(commit)})", "deployments: write",
            c => c.Repository.Deployment.Status.Create(_repo.Owner, _repo.Name, id, status), ct);
    }

    /// <summary>The deployment of <paramref name="commit"/> to <paramref name="environment"/>: remembered, found, or created.</summary>
    private async Task<long> DeploymentAsync(string environment, string commit, CancellationToken ct)
    {
        var key = $"{environment}@{commit}";
        if (_deployments.TryGetValue(key, out var known))
        {
            return known;
        }
        if (await FirstDeploymentAsync(environment, commit, ct) is { } existing)
        {
            return _deployments[key] = existing.Id;
        }
        var deployment = new NewDeployment(commit)
        {
            Environment = environment,
            Description = GitHubLimits.Description($"GitOps ML reconciler: {environment} at {Short(commit)}"),
            // The reconciler deploys what is on the branch: no merge of the default branch, and no wait for other checks.
            AutoMerge = false,
            RequiredContexts = new Collection<string>(),
            Task = "deploy",
        };
        var created = await api.CallAsync($"create a deployment of {Short(commit)} to {environment}", "deployments: write",
            c => c.Repository.Deployment.Create(_repo.Owner, _repo.Name, deployment), ct);
        // Shards of one environment that looked at the same moment each found none and each made one. The first made
        // is the deployment of the commit; a later one is marked inactive and deleted, so the environment shows one
        // deployment with every shard's statuses. A reconciler that is not sharded reports alone: nothing to look at.
        if (settings.Shard is not null && await FirstDeploymentAsync(environment, commit, ct) is { } first && first.Id < created.Id)
        {
            var superseded = new NewDeploymentStatus(DeploymentState.Inactive)
            {
                Description = GitHubLimits.Description($"made at the same moment as deployment {first.Id} of the same commit; that one is kept"),
            };
            await api.CallAsync($"mark deployment {created.Id} ({environment} at {Short(commit)}) inactive", "deployments: write",
                c => c.Repository.Deployment.Status.Create(_repo.Owner, _repo.Name, created.Id, superseded), ct);
            await api.CallAsync($"delete deployment {created.Id} ({environment} at {Short(commit)})", "deployments: write",
                c => c.Connection.Delete(new Uri($"repos/{_repo.Owner}/{_repo.Name}/deployments/{created.Id}", UriKind.Relative)), ct);
            return _deployments[key] = first.Id;
        }
        return _deployments[key] = created.Id;
    }

    /// <summary>The first deployment (lowest id) of <paramref name="commit"/> to <paramref name="environment"/>, or null.</summary>
    private async Task<Deployment?> FirstDeploymentAsync(string environment, string commit, CancellationToken ct)
    {
        // Octokit's deployment list takes no filters; the REST API does, so the request is made through its connection.
        var found = await api.CallAsync($"list deployments of {Short(commit)} to {environment}", "deployments: read",
            c => new ApiConnection(c.Connection).GetAll<Deployment>(new Uri($"repos/{_repo.Owner}/{_repo.Name}/deployments", UriKind.Relative),
                new Dictionary<string, string> { ["sha"] = commit, ["environment"] = environment }), ct);
        return found.Where(d => d.Sha == commit && d.Environment == environment).OrderBy(d => d.Id).FirstOrDefault();
    }

    private Task CommitStatusAsync(string environment, string commit, CommitState state, string description, CancellationToken ct)
    {
        var status = new NewCommitStatus
        {
            State = state,
            Context = Context(environment, settings.Shard),
            Description = GitHubLimits.Description(description),
            TargetUrl = settings.LogUrl ?? settings.EnvironmentUrls.GetValueOrDefault(environment),
        };
        return api.CallAsync($"set the commit status {Context(environment, settings.Shard)} of {Short(commit)}", "statuses: write",
            c => c.Repository.Status.Create(_repo.Owner, _repo.Name, commit, status), ct);
    }

    /// <summary>Comments on the pull request that introduced the commit, else opens (or finds) the rollback issue.</summary>
    public async Task<RollbackReportResult> ReportRollbackAsync(AutomaticRollback rollback, CancellationToken ct)
    {
        var marker = RollbackReport.Marker(rollback);
        var body = RollbackReport.Body(rollback);
        var pulls = await api.CallAsync($"list the pull requests of {Short(rollback.Commit)}", "pull-requests: read",
            c => c.Repository.Commit.PullRequests(_repo.Owner, _repo.Name, rollback.Commit), ct);
        if (pulls.OrderBy(p => p.Number).FirstOrDefault() is { } pull)
        {
            var comment = await new MarkedComment(api, _repo).UpsertAsync(pull.Number, marker, body, ct);
            return new RollbackReportResult(pull.Number, comment.Url, OnPullRequest: true, comment.Created);
        }
        var request = new RepositoryIssueRequest { State = ItemStateFilter.All };
        request.Labels.Add(RollbackReport.Label);
        var issues = await api.CallAsync("list rollback issues", "issues: read",
            c => c.Issue.GetAllForRepository(_repo.Owner, _repo.Name, request), ct);
        if (issues.Where(i => i.PullRequest is null && i.Body?.StartsWith(marker, StringComparison.Ordinal) == true)
                .OrderBy(i => i.Number).FirstOrDefault() is { } existing)
        {
            return new RollbackReportResult(existing.Number, existing.HtmlUrl, OnPullRequest: false, Created: false);
        }
        var issue = new NewIssue(RollbackReport.Title(rollback)) { Body = body };
        issue.Labels.Add(RollbackReport.Label);
        var opened = await api.CallAsync($"open an issue about the rollback of {rollback.Model} {rollback.Version}", "issues: write",
            c => c.Issue.Create(_repo.Owner, _repo.Name, issue), ct);
        return new RollbackReportResult(opened.Number, opened.HtmlUrl, OnPullRequest: false, Created: true);
    }

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;
}
