using System.Text;
using GitOps.Cli.Output;
using GitOps.Cli.Validation;
using GitOps.GitHub.Checks;
using GitOps.GitHub.Comments;
using GitOps.GitHub.Connection;
using GitOps.GitHub.PullRequests;
using GitOps.Planning.Formatting;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.LiveCluster;
using GitOps.Specs.Contracts;

namespace GitOps.Cli.Commands;

/// <summary>The settings of one <c>gitops github pr-check</c>, as parsed from flags (the environment fills the gaps).</summary>
public sealed record PrCheckOptions
{
    public required string Root { get; init; }
    public string? Repository { get; init; }
    public string? EventPath { get; init; }
    public int? Number { get; init; }
    public string? HeadSha { get; init; }
    public string? ApiUrl { get; init; }
    public required GitHubCredentialOptions Credentials { get; init; }
    public string? SummaryFile { get; init; }
    public bool LiveCluster { get; init; }
    public string? Kubeconfig { get; init; }
    public string? Context { get; init; }
}

/// <summary>
/// Runs <c>gitops github pr-check</c>: validate, plan every environment, publish the check runs and the plan comment.
/// Exit 0 when the specs are valid and every environment planned, 1 when they are not, 2 for usage problems or when
/// GitHub refused the writes (the plan then goes to the job summary and the findings to workflow annotations).
/// </summary>
public static class PrCheckRun
{
    public static async Task<int> RunAsync(PrCheckOptions options, Func<string, string?> environment, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        // ---- where: repository, pull request, head commit -----------------------------------------------------
        PullRequestEvent? pullRequest = null;
        var eventPath = options.EventPath ?? environment("GITHUB_EVENT_PATH");
        if (eventPath is { Length: > 0 } && (options.Number is null || options.HeadSha is null))
        {
            try
            {
                pullRequest = PullRequestEvent.Parse(await File.ReadAllBytesAsync(eventPath, ct), eventPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                await stderr.WriteLineAsync($"error: cannot read the pull request event: {e.Message}");
                return (int)ExitCode.Usage;
            }
        }
        var repositoryText = options.Repository ?? environment("GITHUB_REPOSITORY") ?? pullRequest?.Repository.ToString();
        var repository = GitHubRepository.TryParse(repositoryText);
        var number = options.Number ?? pullRequest?.Number;
        var headSha = options.HeadSha ?? pullRequest?.HeadSha;
        if (repository is null || number is null || string.IsNullOrEmpty(headSha))
        {
            await stderr.WriteLineAsync(repository is null
                ? $"error: no GitHub repository: pass --repository owner/name or set GITHUB_REPOSITORY{(repositoryText is null ? "" : $" ('{repositoryText}' is not owner/name)")}."
                : "error: no pull request: pass --pr N and --sha COMMIT, or run in a workflow triggered by 'pull_request' (GITHUB_EVENT_PATH names its event).");
            return (int)ExitCode.Usage;
        }
        var apiUrlText = options.ApiUrl ?? environment("GITHUB_API_URL");
        Uri? apiUrl = null;
        if (apiUrlText is { Length: > 0 } && !Uri.TryCreate(apiUrlText, UriKind.Absolute, out apiUrl))
        {
            await stderr.WriteLineAsync($"error: --api-url '{apiUrlText}' is not an absolute URL; use https://api.github.com or https://HOST/api/v3.");
            return (int)ExitCode.Usage;
        }
        GitHubAuth? auth;
        try
        {
            auth = GitHubCredentialSource.Resolve(options.Credentials, environment);
        }
        catch (FormatException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return (int)ExitCode.Usage;
        }

        // ---- what: validation and plan -----------------------------------------------------------------------
        var report = ValidateCommand.Validate(options.Root);
        RepositoryPlan? plan = null;
        string? planSource = null;
        if (report.Errors == 0)
        {
            var (input, exitCode) = CliInputs.Load(options.Root, null, headSha, TextWriter.Null);
            if (input is null)
            {
                return exitCode;
            }
            var names = input.Specs.Environments.Select(e => e.Name).ToArray();
            if (options.LiveCluster)
            {
                try
                {
                    var live = await LiveClusterObserver.PlanAsync(input.Specs, names, headSha,
                        new LiveClusterTarget(options.Kubeconfig, options.Context), ct);
                    plan = live.Plan;
                    planSource = "Planned against the live clusters (read-only, with server-side dry-run).";
                    foreach (var d in live.DryRun)
                    {
                        await stderr.WriteLineAsync(d.ToString());
                    }
                }
                catch (LiveClusterException e)
                {
                    await stderr.WriteLineAsync($"error: {e.Message.TrimEnd('.')}. {e.Hint}.");
                    return (int)ExitCode.Usage;
                }
            }
            else
            {
                plan = EnvironmentPlanner.Plan(input.Specs, names, input.Facts, new RenderContext(headSha), input.Observed);
                planSource = "Planned against an empty cluster: every object shows as created. Pass --live-cluster for real diffs.";
            }
        }
        var verdict = report.Errors > 0 || plan?.HasErrors == true ? (int)ExitCode.Findings : (int)ExitCode.Success;
        var checkInput = new PullRequestCheckInput
        {
            Repository = repository,
            Number = number.Value,
            HeadSha = headSha,
            Diagnostics = report.Diagnostics,
            Files = report.FileCount,
            Specs = report.SpecCount,
            Plan = plan,
            PlanSource = planSource,
            DetailsUrl = RunUrl(environment),
        };

        // ---- publish --------------------------------------------------------------------------------------------
        if (auth is null)
        {
            await stderr.WriteLineAsync($"warning: no GitHub credentials ({GitHubCredentialSource.TokenVariable}, --token-file or a GitHub App): "
                + "writing the job summary and workflow annotations instead of check runs and a comment.");
            await FallBackAsync(report, checkInput, options, environment, stdout, stderr, ct);
            return verdict;
        }
        var api = GitHubClientFactory.Create(new GitHubConnectionSettings { ApiUrl = apiUrl, Auth = auth }, TimeProvider.System, new WriterLogger(stderr));
        try
        {
            var result = await new PullRequestCheck(api).PublishAsync(checkInput, ct);
            foreach (var run in result.CheckRuns)
            {
                await stdout.WriteLineAsync($"check run '{run.Name}': {(run.Created ? "created" : "updated")} (id {run.Id}, {run.AnnotationsSent} annotation(s) sent)");
                foreach (var rejected in run.Rejected)
                {
                    await stderr.WriteLineAsync($"warning: GitHub rejected an annotation: {rejected}");
                }
            }
            await stdout.WriteLineAsync($"plan comment on #{number}: {(result.Comment.Created ? "created" : "updated")} {result.Comment.Url}");
            return verdict;
        }
        catch (GitHubRequestException e)
        {
            var fork = pullRequest?.IsFork == true;
            if (fork && e.Failure is GitHubFailure.MissingPermission or GitHubFailure.NotFound or GitHubFailure.Unauthorized)
            {
                await stderr.WriteLineAsync($"warning: this pull request comes from the fork {pullRequest!.HeadRepository}, whose workflow token cannot write to {repository} ({e.Message})");
                await stderr.WriteLineAsync("warning: writing the plan to the job summary and the findings as workflow annotations instead of check runs and a comment.");
                await FallBackAsync(report, checkInput, options, environment, stdout, stderr, ct);
                return verdict;
            }
            await stderr.WriteLineAsync($"error: {e.Message}");
            await stderr.WriteLineAsync("The plan goes to the job summary and the findings to workflow annotations instead.");
            await FallBackAsync(report, checkInput, options, environment, stdout, stderr, ct);
            return (int)ExitCode.Usage;
        }
    }

    /// <summary>Workflow-command annotations on stdout and the plan in the job summary: what a read-only token still allows.</summary>
    private static async Task FallBackAsync(ValidationReport report, PullRequestCheckInput input, PrCheckOptions options,
        Func<string, string?> environment, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        await stdout.WriteAsync(GitHubFormat.Render(report));
        var summaryPath = options.SummaryFile ?? environment("GITHUB_STEP_SUMMARY");
        var text = new StringBuilder();
        text.Append(ValidationCheck.Build(report.Diagnostics, report.FileCount, report.SpecCount).Summary).Append('\n');
        text.Append(input.Plan is null ? PlanComment.NotPlanned(input.HeadSha, input.Errors) : PlanMarkdown.Format(input.Plan));
        if (summaryPath is not { Length: > 0 })
        {
            await stderr.WriteLineAsync("warning: no job summary file (GITHUB_STEP_SUMMARY or --summary-file): the plan follows on stdout.");
            await stdout.WriteAsync(text.ToString());
            return;
        }
        try
        {
            await File.AppendAllTextAsync(summaryPath, text.ToString(), ct);
            await stdout.WriteLineAsync($"plan written to the job summary ({summaryPath})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"warning: cannot append to the job summary '{summaryPath}': {e.Message.TrimEnd('.')}. The plan follows on stdout.");
            await stdout.WriteAsync(text.ToString());
        }
    }

    /// <summary>The workflow run's page, linked from the check runs (Actions sets these variables).</summary>
    private static string? RunUrl(Func<string, string?> environment) =>
        environment("GITHUB_SERVER_URL") is { Length: > 0 } server && environment("GITHUB_REPOSITORY") is { Length: > 0 } repo
            && environment("GITHUB_RUN_ID") is { Length: > 0 } run
            ? $"{server.TrimEnd('/')}/{repo}/actions/runs/{run}"
            : null;
}
