using System.Collections.Immutable;
using GitOps.GitHub.Checks;
using GitOps.GitHub.Comments;
using GitOps.GitHub.Connection;
using GitOps.Planning.Plans;
using GitOps.Specs.Diagnostics;

namespace GitOps.GitHub.PullRequests;

/// <summary>What a pull request check publishes: the validation findings and, when the specs are valid, the plan.</summary>
public sealed record PullRequestCheckInput
{
    public required GitHubRepository Repository { get; init; }
    public required int Number { get; init; }
    public required string HeadSha { get; init; }
    public required IReadOnlyList<Diagnostic> Diagnostics { get; init; }
    public int Files { get; init; }
    public int Specs { get; init; }

    /// <summary>Null when validation errors kept the plan from being computed.</summary>
    public RepositoryPlan? Plan { get; init; }

    /// <summary>What the plan was computed against (e.g. "Planned against the live clusters"), shown above it.</summary>
    public string? PlanSource { get; init; }

    /// <summary>Link from the check runs, e.g. the workflow run.</summary>
    public string? DetailsUrl { get; init; }

    public int Errors => Diagnostics.Count(d => d.IsError);
}

/// <summary>What a pull request check published.</summary>
public sealed record PullRequestCheckResult(ImmutableArray<CheckRunResult> CheckRuns, CommentResult Comment);

/// <summary>
/// Publishes a pull request's check: the <c>gitops / validate</c> and <c>gitops / plan</c> check runs on the head
/// commit and the one plan comment, each created on the first run and edited on the next.
/// </summary>
public sealed class PullRequestCheck(GitHubApi api)
{
    public async Task<PullRequestCheckResult> PublishAsync(PullRequestCheckInput input, CancellationToken ct)
    {
        var checks = new CheckRunPublisher(api, input.Repository);
        var validate = await checks.PublishAsync(input.HeadSha,
            ValidationCheck.Build(input.Diagnostics, input.Files, input.Specs), input.DetailsUrl, ct);
        var plan = await checks.PublishAsync(input.HeadSha,
            input.Plan is null ? PlanCheck.NotPlanned(input.Errors) : PlanCheck.Build(input.Plan, input.PlanSource), input.DetailsUrl, ct);
        var body = input.Plan is null
            ? PlanComment.NotPlanned(input.HeadSha, input.Errors)
            : PlanComment.Build(input.Plan, input.PlanSource);
        var comment = await new MarkedComment(api, input.Repository).UpsertAsync(input.Number, PlanComment.Marker, body, ct);
        return new PullRequestCheckResult([validate, plan], comment);
    }
}
