using System.CommandLine;
using GitOps.Cli.Output;
using GitOps.Planning.Formatting;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Reconciler.LiveCluster;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops plan --env ENV|--all [--live FILE | --live-cluster [--kubeconfig F] [--context C]] [--format text|markdown|json] [--detailed-exitcode]</c>: what each
/// environment would do for this commit. Exit 0 with or without changes (2 with <c>--detailed-exitcode</c> when
/// there are changes, as <c>terraform plan</c> does); 1 when the specs or the render have errors.
/// </summary>
public static class PlanCommand
{
    public static Command Create()
    {
        var env = new Option<string[]>("--env") { Description = "Environment(s) to plan (repeatable)", AllowMultipleArgumentsPerToken = false };
        var all = new Option<bool>("--all") { Description = "Plan every environment" };
        var repo = new Option<string>("--repo") { Description = "Repository checkout (default: current directory)", DefaultValueFactory = _ => "." };
        var live = new Option<string?>("--live") { Description = "Live state: YAML or JSON such as 'kubectl get ... -o yaml' or '-o json' (JSON reads faster; default: an empty cluster)" };
        var format = new Option<string>("--format") { Description = "text, markdown (pull-request comment) or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "markdown", "json");
        var detailed = new Option<bool>("--detailed-exitcode") { Description = "Exit 2 when the plan has changes" };
        var commit = new Option<string?>("--commit") { Description = "Commit to report (default: the repository's HEAD)" };
        var liveCluster = new Option<bool>("--live-cluster") { Description = "Read the live state from a cluster and check the plan with server-side dry-run (read-only)" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "With --live-cluster: kubeconfig file (default: $KUBECONFIG or ~/.kube/config)" };
        var context = new Option<string?>("--context") { Description = "With --live-cluster: kubeconfig context (default: the current context)" };
        var command = new Command("plan", "Show what each environment would do for this commit: versions, training, rollouts, object diffs");
        foreach (var option in new Option[] { env, all, repo, live, format, detailed, commit, liveCluster, kubeconfig, context })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var envs = parse.GetValue(env) ?? [];
            var everything = parse.GetValue(all);
            if (envs.Length == 0 == !everything)
            {
                stderr.WriteLine("error: pass either --env ENV (repeatable) or --all.");
                return 2;
            }
            if (parse.GetValue(liveCluster) && parse.GetValue(live) is not null)
            {
                stderr.WriteLine("error: pass either --live FILE or --live-cluster, not both.");
                return 2;
            }
            var (input, exitCode) = CliInputs.Load(parse.GetValue(repo)!, parse.GetValue(live), parse.GetValue(commit), stderr);
            if (input is null)
            {
                return exitCode;
            }
            var names = everything ? input.Specs.Environments.Select(e => e.Name).ToArray() : envs;
            if (!CliInputs.EnvironmentsExist(input.Specs, names, stderr))
            {
                return 2;
            }
            RepositoryPlan plan;
            var dryRunFailed = false;
            if (parse.GetValue(liveCluster))
            {
                LiveClusterPlan livePlan;
                try
                {
                    livePlan = await LiveClusterObserver.PlanAsync(input.Specs, names, input.Commit,
                        new LiveClusterTarget(parse.GetValue(kubeconfig), parse.GetValue(context)), ct);
                }
                catch (LiveClusterException e)
                {
                    stderr.WriteLine($"error: {e.Message}. {e.Hint}.");
                    return 2;
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
                plan = EnvironmentPlanner.Plan(input.Specs, names, input.Facts, new RenderContext(input.Commit), input.Observed);
            }
            var text = parse.GetValue(format) switch
            {
                "markdown" => PlanMarkdown.Format(plan),
                "json" => PlanJson.Format(plan),
                _ => PlanText.Format(plan, colour: Terminal.ColorEnabled(stdout)),
            };
            stdout.Write(text);
            if (plan.HasErrors)
            {
                foreach (var d in plan.Environments.SelectMany(e => e.Diagnostics))
                {
                    stderr.WriteLine(d.ToString());
                }
                return 1;
            }
            if (dryRunFailed)
            {
                return 1;
            }
            return parse.GetValue(detailed) && plan.HasChanges ? 2 : 0;
        });
        return command;
    }
}
