using System.CommandLine;
using GitOps.Cli.Conventions;
using GitOps.Cli.Models;
using GitOps.Cli.Output;
using GitOps.Registry;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops models list|show|history</c>: the registry of record of an environment's artifact store (or of a store
/// named directly): recorded versions with their lineage, metrics and gate verdicts, where each is served, and an
/// environment's deploy history.
/// </summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "Read the registry of record: recorded model versions, their lineage and gates, and deploy histories");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreateHistory());
        command.WithExamples(
            ("gitops models list --env staging", "every model recorded in staging's artifact store"),
            ("gitops models show fraud-detector --env prod", "the latest version: lineage, metrics, gate verdicts, where it is served"),
            ("gitops models history fraud-detector --env prod -o json", "prod's deploy history of the model, as JSON"));
        return command;
    }

    private static RegistryOptions AddCommon(Command command, string envDescription) =>
        RegistryOptions.AddTo(command, envDescription, "text (a table) or json");

    private static Command CreateList()
    {
        var command = new Command("list", "List the models recorded in the registry, with their latest version and what the environment serves");
        var common = AddCommon(command, "Environment whose artifact store is read (default: the only local one)");
        command.WithExamples(("gitops models list --env staging", "models recorded in staging's store"),
            ("gitops models list --store s3://ml-artifacts/prod -o json", "a store read directly, as JSON"));
        command.SetAction((parse, ct) => RunAsync(parse, common, async (target, views) =>
        {
            var rows = await ModelViews.ListAsync(target, ct);
            return parse.GetValue(common.Output) == "json" ? ModelViews.Json(rows) : views.List(rows);
        }));
        return command;
    }

    private static Command CreateShow()
    {
        var model = new Argument<string>("MODEL") { Description = "The model's name" };
        var version = new Option<string?>("--version") { Description = "The version to show (default: the latest recorded)", HelpName = "V" };
        var command = new Command("show", "Show a recorded version: lineage, metrics, measured facts, gate verdicts with values, where it is served") { model, version };
        var common = AddCommon(command, "Environment whose artifact store is read (default: the only local one)");
        model.CompleteModels(common.Repository);
        command.WithExamples(("gitops models show fraud-detector --env prod", "the latest recorded version"),
            ("gitops models show fraud-detector --version 9a75b5701b77 --env prod -o json", "one version, as JSON"));
        command.SetAction((parse, ct) => RunAsync(parse, common, async (target, views) =>
        {
            var shown = await ModelViews.ShowAsync(target, parse.GetValue(model)!, parse.GetValue(version), ct);
            return parse.GetValue(common.Output) == "json" ? ModelViews.Json(shown) : views.Show(shown);
        }));
        return command;
    }

    private static Command CreateHistory()
    {
        var model = new Argument<string>("MODEL") { Description = "The model's name" };
        var command = new Command("history", "Show an environment's append-only deploy history of a model: versions, commits, when, outcomes, who") { model };
        var common = AddCommon(command, "The environment whose history is shown (required); its artifact store is read unless --store is given");
        common.Env.Required = true;
        model.CompleteModels(common.Repository);
        command.WithExamples(("gitops models history fraud-detector --env prod", "what prod deployed, promoted and rolled back, and who"));
        command.SetAction((parse, ct) => RunAsync(parse, common, async (target, views) =>
        {
            var history = await ModelViews.HistoryAsync(target, parse.GetValue(model)!, parse.GetValue(common.Env)!, ct);
            return parse.GetValue(common.Output) == "json" ? ModelViews.Json(history) : views.History(history);
        }));
        return command;
    }

    /// <summary>Opens the registry and prints what <paramref name="render"/> makes of it. A store that cannot be read
    /// is a finding (exit 1: it may answer later); a wrong name is a usage error (exit 2, via <see cref="UserError"/>).</summary>
    private static Task<int> RunAsync(ParseResult parse, RegistryOptions common, Func<RegistryTarget, ModelViews, Task<string>> render) =>
        common.ReadAsync(parse, (target, _) => render(target, new ModelViews(ColorMode.Enabled(parse))));
}
