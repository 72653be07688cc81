using System.CommandLine;
using GitOps.Planning.Formatting;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops plan --env ENV|--all [--live FILE] [--format text|markdown|json] [--detailed-exitcode]</c>: what each
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
        var live = new Option<string?>("--live") { Description = "Live state: multi-document YAML such as 'kubectl get ... -o yaml' (default: an empty cluster)" };
        var format = new Option<string>("--format") { Description = "text, markdown (pull-request comment) or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "markdown", "json");
        var detailed = new Option<bool>("--detailed-exitcode") { Description = "Exit 2 when the plan has changes" };
        var commit = new Option<string?>("--commit") { Description = "Commit to report (default: the repository's HEAD)" };
        var command = new Command("plan", "Show what each environment would do for this commit: versions, training, rollouts, object diffs");
        foreach (var option in new Option[] { env, all, repo, live, format, detailed, commit })
        {
            command.Options.Add(option);
        }
        command.SetAction((ParseResult parse, CancellationToken ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var envs = parse.GetValue(env) ?? [];
            var everything = parse.GetValue(all);
            if (envs.Length == 0 == !everything)
            {
                stderr.WriteLine("error: pass either --env ENV (repeatable) or --all.");
                return Task.FromResult(2);
            }
            var (input, exitCode) = CliInputs.Load(parse.GetValue(repo)!, parse.GetValue(live), parse.GetValue(commit), stderr);
            if (input is null)
            {
                return Task.FromResult(exitCode);
            }
            var names = everything ? input.Specs.Environments.Select(e => e.Name).ToArray() : envs;
            var plan = EnvironmentPlanner.Plan(input.Specs, names, input.Facts, new RenderContext(input.Commit), input.Observed);
            var text = parse.GetValue(format) switch
            {
                "markdown" => PlanMarkdown.Format(plan),
                "json" => PlanJson.Format(plan),
                _ => PlanText.Format(plan, colour: UseColour(stdout)),
            };
            stdout.Write(text);
            if (plan.HasErrors)
            {
                foreach (var d in plan.Environments.SelectMany(e => e.Diagnostics))
                {
                    stderr.WriteLine(d.ToString());
                }
                return Task.FromResult(1);
            }
            return Task.FromResult(parse.GetValue(detailed) && plan.HasChanges ? 2 : 0);
        });
        return command;
    }

    /// <summary>ANSI colour only on a real terminal and when <c>NO_COLOR</c> is unset (https://no-color.org).</summary>
    private static bool UseColour(TextWriter stdout) =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && ReferenceEquals(stdout, Console.Out)
        && !Console.IsOutputRedirected;
}
