using System.CommandLine;
var root = new RootCommand("gitops");
root.Subcommands.Add(GitOps.Cli.Commands.ReconcileCommand.Create());
return await root.Parse(args).InvokeAsync();
