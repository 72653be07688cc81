using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Cli.Conventions;
using GitOps.Planning.Monitoring.Dashboards;
using GitOps.Specs.Contracts;

namespace GitOps.Cli.Commands;

/// <summary><c>gitops dashboards [PATH] --env ENV [--out DIR]</c>: the environment's Grafana dashboards as JSON files.</summary>
public static class DashboardsCommand
{
    public static Command Create()
    {
        var command = new Command("dashboards", "Write an environment's Grafana dashboards (platform and one per model) as JSON");
        var repository = RepositoryPath.AddTo(command);
        var env = new Option<string>("--env") { Description = "Environment whose dashboards to write", Required = true, HelpName = "ENV" };
        env.CompleteEnvironments(repository);
        var output = new Option<string?>("--out") { Description = "Folder to write one UID.json per dashboard to (default: print them as one JSON array)", HelpName = "DIR" };
        command.Options.Add(env);
        command.Options.Add(output);
        command.WithExamples(
            ("gitops dashboards --env prod --out dashboards/", "one file per dashboard, to import into Grafana or provision from a folder"),
            ("gitops dashboards --env prod | jq '.[].title'", "the titles of the dashboards prod gets"));
        command.SetAction((ParseResult parse, CancellationToken ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var (specs, environment, exitCode) = CliInputs.LoadEnvironment(repository.Resolve(parse), parse.GetValue(env)!, stderr);
            if (environment is null)
            {
                return Task.FromResult(exitCode);
            }
            var dashboards = DashboardSet.For(specs!, environment, leaderElection: environment.Spec.Cluster.Local is null);
            if (parse.GetValue(output) is not { } folder)
            {
                stdout.Write(DashboardSet.ToText(new JsonArray([.. dashboards.Select(d => (JsonNode)d.Json.DeepClone())])));
                return Task.FromResult((int)ExitCode.Success);
            }
            try
            {
                Directory.CreateDirectory(folder);
                foreach (var dashboard in dashboards)
                {
                    File.WriteAllText(Path.Combine(folder, dashboard.FileName), dashboard.Text, new UTF8Encoding(false));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                stderr.WriteLine($"error: cannot write the dashboards to '{folder}': {ex.Message.TrimEnd('.')}. Pass a writable --out folder, or leave it out to print them.");
                return Task.FromResult((int)ExitCode.Usage);
            }
            foreach (var dashboard in dashboards)
            {
                stdout.WriteLine($"{Path.Combine(folder, dashboard.FileName)}: {dashboard.Json["title"]}");
            }
            return Task.FromResult((int)ExitCode.Success);
        });
        return command;
    }
}
