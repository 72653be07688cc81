using System.CommandLine;
using GitOps.Cli.Conventions;
using GitOps.GitHub.Connection;

namespace GitOps.Cli.Commands;

/// <summary><c>gitops github pr-check</c>: the pull request's check runs and plan comment.</summary>
public static class GitHubCommand
{
    public static Command Create()
    {
        var command = new Command("github", "Report to GitHub: check runs and the plan comment of a pull request");
        command.Subcommands.Add(CreatePrCheck());
        return command.WithExamples(("gitops github pr-check", "check runs and the plan comment of the pull request a workflow runs for"));
    }

    private static Command CreatePrCheck()
    {
        var command = new Command("pr-check",
            "Validate and plan a pull request and publish the 'gitops / validate' and 'gitops / plan' check runs and one plan comment (edited on every push). "
            + "Reads GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH and GITHUB_API_URL as GitHub Actions sets them. "
            + "When the token cannot write (a pull request from a fork), writes the job summary and workflow annotations instead.");
        var checkout = RepositoryPath.AddTo(command);
        var repository = new Option<string?>("--repository") { Description = "GitHub repository owner/name (default: $GITHUB_REPOSITORY)" };
        var eventPath = new Option<string?>("--event") { Description = "pull_request event file (default: $GITHUB_EVENT_PATH)" };
        var pr = new Option<int?>("--pr") { Description = "Pull request number (default: from the event)" };
        pr.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1 and var number)
            {
                result.AddError($"--pr {number} is not a pull request number: they start at 1.");
            }
        });
        var sha = new Option<string?>("--sha") { Description = "Head commit the check runs belong to (default: from the event)" };
        var apiUrl = new Option<string?>("--api-url") { Description = "GitHub REST API root (default: $GITHUB_API_URL, else https://api.github.com; GitHub Enterprise Server: https://HOST/api/v3)" };
        var tokenFile = new Option<string?>("--token-file") { Description = $"File holding a token (default: ${GitHubCredentialSource.TokenVariable})" };
        var appId = new Option<string?>("--app-id") { Description = $"GitHub App id, to authenticate as an app (default: ${GitHubCredentialSource.AppIdVariable})" };
        var installationId = new Option<string?>("--installation-id") { Description = $"GitHub App installation id (default: ${GitHubCredentialSource.InstallationIdVariable})" };
        var appKeyFile = new Option<string?>("--app-key-file") { Description = $"GitHub App private key, PEM (default: ${GitHubCredentialSource.AppKeyFileVariable})" };
        var summary = new Option<string?>("--summary-file") { Description = "Where the plan goes when GitHub refuses to write to the pull request (default: $GITHUB_STEP_SUMMARY)" };
        var liveCluster = new Option<bool>("--live-cluster") { Description = "Plan against the live clusters (read-only), so the plan shows real diffs" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "With --live-cluster: kubeconfig file (default: $KUBECONFIG, ':'-separated, or ~/.kube/config)", HelpName = "FILE" };
        var context = new Option<string?>("--context") { Description = $"With --live-cluster: kubeconfig context (default: ${EnvironmentVariables.Context}, else the current context)" };
        foreach (var option in new Option[] { repository, eventPath, pr, sha, apiUrl, tokenFile, appId, installationId, appKeyFile, summary, liveCluster, kubeconfig, context })
        {
            command.Options.Add(option);
        }
        command.SetAction((ParseResult parse, CancellationToken ct) => PrCheckRun.RunAsync(new PrCheckOptions
        {
            Root = checkout.Resolve(parse),
            Repository = parse.GetValue(repository),
            EventPath = parse.GetValue(eventPath),
            Number = parse.GetValue(pr),
            HeadSha = parse.GetValue(sha),
            ApiUrl = parse.GetValue(apiUrl),
            Credentials = new GitHubCredentialOptions
            {
                TokenFile = parse.GetValue(tokenFile),
                AppId = parse.GetValue(appId),
                InstallationId = parse.GetValue(installationId),
                AppKeyFile = parse.GetValue(appKeyFile),
            },
            SummaryFile = parse.GetValue(summary),
            LiveCluster = parse.GetValue(liveCluster),
            Kubeconfig = parse.GetValue(kubeconfig),
            Context = parse.GetValue(context) ?? CliEnvironment.Current.Get(EnvironmentVariables.Context),
        }, CliEnvironment.Current.Get, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct));
        return command.WithExamples(
            ("gitops github pr-check", "in a pull_request workflow: everything from GITHUB_* variables"),
            ("gitops github pr-check --live-cluster --kubeconfig ci-readonly.kubeconfig", "plan against the live clusters"),
            ("gitops github pr-check --repository acme/ml --pr 42 --sha 6dcb09b --token-file token.txt", "outside Actions"));
    }
}
