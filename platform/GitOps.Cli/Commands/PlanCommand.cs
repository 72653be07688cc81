using System.Collections.Immutable;
using System.CommandLine;
using GitOps.Cli.Conventions;
using GitOps.Cli.Experiments;
using GitOps.Cli.Output;
using GitOps.Cli.Retraining;
using GitOps.Planning.Formatting;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.LiveCluster;
using GitOps.Specs.Contracts;
using GitOps.Specs.Diagnostics;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops plan [PATH] --env ENV|--all [--live FILE|- | --live-cluster [--kubeconfig F] [--context C]] [-o text|markdown|json] [--detailed-exitcode]</c>:
/// what each environment would do for this commit. Exit 0 with or without changes, 1 when the specs, the render or the
/// dry-run have errors, 2 for usage problems. With <c>--detailed-exitcode</c> it follows <c>terraform plan</c>:
/// 0 no changes, 1 an error of any kind, 2 changes.
/// </summary>
public static class PlanCommand
{
    public const string DetailedExitCodeOption = "--detailed-exitcode";

    public static Command Create()
    {
        var command = new Command("plan", "Show what each environment would do for this commit: versions, training, rollouts, object diffs");
        var repository = RepositoryPath.AddTo(command);
        var env = new Option<string[]>("--env") { Description = "Environment(s) to plan (repeatable)", AllowMultipleArgumentsPerToken = false, HelpName = "ENV" };
        env.CompleteEnvironments(repository);
        var all = new Option<bool>("--all") { Description = "Plan every environment" };
        var live = new Option<string?>("--live") { Description = "Live state: YAML or JSON such as 'kubectl get ... -o yaml' or '-o json'; '-' reads standard input (default: an empty cluster)", HelpName = "FILE" };
        var format = OutputOption.Create("text, markdown (a pull-request comment) or json", "text", "markdown", "json");
        var detailed = new Option<bool>(DetailedExitCodeOption) { Description = "Exit 0 when there are no changes, 1 on any error, 2 when there are changes (as terraform plan)" };
        var commit = new Option<string?>("--commit") { Description = "Commit to report (default: the repository's HEAD)" };
        var liveCluster = new Option<bool>("--live-cluster") { Description = "Read the live state from a cluster and check the plan with server-side dry-run (read-only)" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "With --live-cluster: kubeconfig file (default: $KUBECONFIG, ':'-separated, or ~/.kube/config)", HelpName = "FILE" };
        var context = new Option<string?>("--context") { Description = $"With --live-cluster: kubeconfig context (default: ${EnvironmentVariables.Context}, else the current context)" };
        foreach (var option in new Option[] { env, all, live, format, detailed, commit, liveCluster, kubeconfig, context })
        {
            command.Options.Add(option);
        }
        command.WithExamples(
            ("gitops plan --all", "every environment against an empty cluster (a first deploy)"),
            ("gitops plan ../ml-platform --env prod --live live.yaml", "one environment against 'kubectl get -o yaml' output"),
            ("kubectl get deployments,services -A -l ml.gitops/managed-by=gitops -o yaml | gitops plan --env prod --live -", "the live state from standard input"),
            ("gitops plan --env prod --live-cluster --context prod-eu", "against a cluster, with server-side dry-run"),
            ("gitops plan --all -o markdown", "a pull-request comment"),
            ("gitops plan --all --detailed-exitcode", "exit 2 when anything would change (scripts, CI)"));
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var envs = parse.GetValue(env) ?? [];
            var everything = parse.GetValue(all);
            if (envs.Length == 0 == !everything)
            {
                stderr.WriteLine("error: pass either --env ENV (repeatable) or --all.");
                return Exit(ExitCode.Usage);
            }
            var fromCluster = parse.GetValue(liveCluster);
            if (fromCluster && parse.GetValue(live) is not null)
            {
                stderr.WriteLine("error: pass either --live FILE or --live-cluster, not both.");
                return Exit(ExitCode.Usage);
            }
            if (!fromCluster && (parse.GetResult(context) is { Implicit: false } || parse.GetResult(kubeconfig) is { Implicit: false }))
            {
                stderr.WriteLine("error: --context and --kubeconfig choose the cluster of --live-cluster; add --live-cluster, or leave them out to plan against --live or an empty cluster.");
                return Exit(ExitCode.Usage);
            }
            var (input, exitCode) = CliInputs.Load(repository.Resolve(parse), parse.GetValue(live), parse.GetValue(commit), stderr,
                (head, diagnostics) =>
                {
                    if (parse.GetValue(format) == "json")
                    {
                        stdout.Write(PlanJson.FormatSpecErrors(head, diagnostics));
                    }
                });
            if (input is null)
            {
                return Exit((ExitCode)exitCode);
            }
            var names = everything ? input.Specs.Environments.Select(e => e.Name).ToArray() : envs;
            if (!CliInputs.EnvironmentsExist(input.Specs, names, stderr))
            {
                return Exit(ExitCode.Usage);
            }
            if (!fromCluster && parse.GetValue(format) == "text")
            {
                return await WriteTextPlanAsync(parse, input, names, repository.Resolve(parse), ct);
            }
            RepositoryPlan plan;
            var dryRunFailed = false;
            if (fromCluster)
            {
                LiveClusterPlan livePlan;
                try
                {
                    var target = new LiveClusterTarget(parse.GetValue(kubeconfig), parse.GetValue(context) ?? CliEnvironment.Current.Get(EnvironmentVariables.Context));
                    livePlan = await ProgressDisplay.RunAsync(parse, $"Reading the cluster and planning {Environments(names)}",
                        () => LiveClusterObserver.PlanAsync(input.Specs, names, input.Commit, target, ct));
                }
                catch (LiveClusterException e)
                {
                    stderr.WriteLine($"error: {e.Message.TrimEnd('.')}. {e.Hint}.");
                    return Exit(ExitCode.Usage);
                }
                plan = livePlan.Plan;
                foreach (var d in livePlan.DryRun)
                {
                    stderr.WriteLine(d.ToString());
                }
                dryRunFailed = livePlan.DryRun.Any(d => d.IsError);
            }
            else
            {
                plan = ProgressDisplay.Run(parse, $"Planning {Environments(names)}",
                    () => EnvironmentPlanner.Plan(input.Specs, names, input.Facts, new RenderContext(input.Commit), input.Observed));
            }
            var experiments = parse.GetValue(format) == "json" ? [] : await PlanExperiments.ReadAsync(repository.Resolve(parse), input.Specs, names, ct);
            var retraining = parse.GetValue(format) == "json" ? [] : await PlanRetraining.ReadAsync(repository.Resolve(parse), input.Specs, names, TimeProvider.System.GetUtcNow(), ct);
            var text = parse.GetValue(format) switch
            {
                "markdown" => PlanMarkdown.Format(plan) + PlanRetraining.Markdown(retraining) + PlanExperiments.Markdown(experiments),
                "json" => PlanJson.Format(plan),
                _ => PlanText.Format(plan, ColorMode.Painter(parse)) + PlanRetraining.Text(retraining) + PlanExperiments.Text(experiments),
            };
            stdout.Write(text);
            if (plan.HasErrors)
            {
                foreach (var d in plan.Environments.SelectMany(e => e.Diagnostics))
                {
                    stderr.WriteLine(d.ToString());
                }
                return (int)ExitCode.Findings;
            }
            if (dryRunFailed)
            {
                return (int)ExitCode.Findings;
            }
            return parse.GetValue(detailed) && plan.HasChanges ? (int)ExitCode.PlanHasChanges : (int)ExitCode.Success;

            int Exit(ExitCode code) => (int)DetailedExitCode(parse, code);
        });
        return command;
    }

    /// <summary>
    /// The text plan, one environment at a time: each environment is planned, written and let go before the next is
    /// planned, so a first deploy of thousands of models holds one environment's objects and never the whole text.
    /// The output is the same as <see cref="PlanText.Format"/> of the whole plan.
    /// </summary>
    private static async Task<int> WriteTextPlanAsync(ParseResult parse, CliInput input, IReadOnlyList<string> names,
        string root, CancellationToken ct)
    {
        var stdout = parse.InvocationConfiguration.Output;
        var stderr = parse.InvocationConfiguration.Error;
        var painter = ColorMode.Painter(parse);
        var hasChanges = false;
        var hasErrors = false;
        var diagnostics = new List<Diagnostic>();
        PlanText.WriteHeader(stdout, input.Commit, painter);
        var ordered = EnvironmentPlanner.InPlanOrder(names).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            if (i > 0)
            {
                // The previous environment's plan is garbage now: give its memory back before the next is planned.
                PhaseMemory.Release(input.Specs.Models.Length);
            }
            var name = ordered[i];
            var (changes, written) = ProgressDisplay.Run(parse, $"Planning {Environments(names)}",
                () => PlanAndWrite(stdout, input, name, painter));
            hasChanges |= changes;
            hasErrors |= written.Any(d => d.IsError);
            diagnostics.AddRange(written);
        }
        PlanText.WriteFooter(stdout, hasChanges);
        var experiments = await PlanExperiments.ReadAsync(root, input.Specs, names, ct);
        var retraining = await PlanRetraining.ReadAsync(root, input.Specs, names, TimeProvider.System.GetUtcNow(), ct);
        stdout.Write(PlanRetraining.Text(retraining) + PlanExperiments.Text(experiments));
        if (hasErrors)
        {
            foreach (var d in diagnostics)
            {
                stderr.WriteLine(d.ToString());
            }
            return (int)ExitCode.Findings;
        }
        return parse.GetValue<bool>(DetailedExitCodeOption) && hasChanges ? (int)ExitCode.PlanHasChanges : (int)ExitCode.Success;
    }

    /// <summary>Plans one environment and writes it; only its findings outlive the call, never its objects.</summary>
    private static (bool HasChanges, ImmutableArray<Diagnostic> Diagnostics) PlanAndWrite(
        TextWriter stdout, CliInput input, string name, TextPainter painter)
    {
        var env = EnvironmentPlanner.PlanEnvironment(input.Specs, name, input.Facts, new RenderContext(input.Commit), input.Observed);
        PlanText.WriteEnvironment(stdout, env, painter);
        return (env.Plan.HasChanges, env.Diagnostics);
    }

    private static string Environments(IReadOnlyCollection<string> names) =>
        names.Count == 1 ? $"environment {names.First()}" : $"{names.Count} environments";

    /// <summary>
    /// The exit code for a failure of <c>plan</c>: with <c>--detailed-exitcode</c> every failure is 1, so that 2 only
    /// ever means "the plan has changes" (a mistyped --env must not read as changes).
    /// </summary>
    public static ExitCode DetailedExitCode(ParseResult parse, ExitCode code) =>
        code != ExitCode.Success && parse.CommandResult.Command.Name == "plan"
            && parse.Tokens.Any(t => t.Value == DetailedExitCodeOption)
            ? ExitCode.Findings
            : code;
}
