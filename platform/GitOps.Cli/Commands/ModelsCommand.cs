using System.CommandLine;
using GitOps.Cli.Conventions;
using GitOps.Cli.Models;
using GitOps.Cli.Output;
using GitOps.Cli.Rollouts;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Registry;
using GitOps.Reconciler.Retraining;
using GitOps.Registry;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;
using GitOps.Specs.Diagnostics;
using GitOps.Training.Artifacts;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops models list|show|history</c>: the registry of record of an environment's artifact store (or of a store
/// named directly): recorded versions with their lineage, metrics and gate verdicts, where each is served, and an
/// environment's deploy history; <c>gitops models retrain</c> records a manual retrain for the reconciler to train.
/// </summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "Read the registry of record: recorded model versions, their lineage and gates, and deploy histories");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreateHistory());
        command.Subcommands.Add(CreateRetrain());
        command.WithExamples(
            ("gitops models list --env staging", "every model recorded in staging's artifact store"),
            ("gitops models show fraud-detector --env prod", "the latest version: lineage, metrics, gate verdicts, where it is served"),
            ("gitops models history fraud-detector --env prod -o json", "prod's deploy history of the model, as JSON"),
            ("gitops models retrain --model fraud-detector --env staging", "retrain now on today's dataset (spec.training.retrain)"));
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

    private static Command CreateRetrain()
    {
        var model = new Option<string>("--model") { Description = "The model to retrain (it must declare spec.training.retrain)", Required = true };
        var env = new Option<string>("--env") { Description = "The environment it is retrained in (one that trains, not one fed by promotion)", Required = true, HelpName = "ENV" };
        var state = new Option<string?>("--state") { Description = "State folder of a local environment (default: as gitops up chooses it)" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubernetes environment: kubeconfig file (default: $KUBECONFIG or ~/.kube/config); the context is the environment's" };
        var @namespace = new Option<string>("--namespace") { Description = "Kubernetes environment: namespace of the reconciler's registry facts ConfigMaps", DefaultValueFactory = _ => "gitops-system" };
        var actor = new Option<string?>("--actor") { Description = $"Who asks, recorded with the retrain (default: ${OperatorIdentity.Variable}, else the login name)" };
        var command = new Command("retrain", "Retrain a model now: resolve its dataset URI template for today, pin the dataset's sha256 and record a manual retrain the reconciler trains, gates and rolls out")
        {
            model, env, state, kubeconfig, @namespace, actor,
        };
        var repository = RepositoryPath.AddTo(command);
        env.CompleteEnvironments(repository);
        model.CompleteModels(repository);
        command.WithExamples(
            ("gitops models retrain --model fraud-detector --env local", "the local environment (gitops up) retrains on today's dataset"),
            ("gitops models retrain --model fraud-detector --env staging --actor alice", "in a cluster, recorded as asked by alice"));
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var target = LocalEnvironment.Resolve(repository.Resolve(parse), parse.GetValue(env), parse.GetValue(state), mustBeLocal: false);
            var environment = target.Environment!;
            var name = parse.GetValue(model)!;
            var specs = target.Load.Specs;
            if (target.Load.HasErrors)
            {
                throw new UserError($"the repository has validation errors; run 'gitops validate {target.Root}' and fix them first.");
            }
            if (specs.Model(name) is not { } spec)
            {
                var known = specs.Models.Select(m => m.Name).Order(StringComparer.Ordinal).ToList();
                throw new UserError($"--model '{name}' is not a Model of this repository"
                    + (Suggestions.Closest(name, known) is { } close ? $"; did you mean '{close}'?" : $" (models: {(known.Count == 0 ? "none" : string.Join(", ", known))})."));
            }
            if (!spec.Spec.Environments.Contains(environment.Name))
            {
                throw new UserError($"model {name} is not served in environment {environment.Name} (spec.environments: {string.Join(", ", spec.Spec.Environments)}).");
            }
            if (spec.Spec.Training.Retrain is null)
            {
                throw new UserError($"model {name} declares no spec.training.retrain: add one (uriTemplate, and a schedule or onDrift if it should also retrain by itself), or commit a new dataset pin to train on other data.");
            }
            if (environment.Spec.Promotion is { } promotion)
            {
                throw new UserError($"environment {environment.Name} is fed by promotion from {promotion.From} and never trains: retrain in {promotion.From} (--env {promotion.From}); the retrained version reaches {environment.Name} by promotion.");
            }
            var (token, tokenError) = ArtifactsToken.Read(CliEnvironment.Current.Variable);
            if (tokenError is not null)
            {
                throw new UserError(tokenError);
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            using var connection = environment.Spec.Cluster.Kubernetes is { } kubernetes ? StatusCommand.Connect(parse.GetValue(kubeconfig), kubernetes.Context) : null;
            IRegistryFactStore store = connection is null
                ? new LocalRegistryFactStore(target.State)
                : new ConfigMapRegistryFactStore(connection, parse.GetValue(@namespace)!);
            var outcome = await ManualRetrains.RecordAsync(store, (uri, c) => DatasetDigests.OfAsync(uri, http, token, CliEnvironment.Current.Variable, c),
                environment, spec, OperatorIdentity.Resolve(parse.GetValue(actor)), TimeProvider.System.GetUtcNow(), ct);
            if (outcome.Failed)
            {
                await parse.Err().WriteLineAsync($"error: {outcome.Message}");
                return (int)ExitCode.Findings;
            }
            await parse.Out().WriteLineAsync(outcome.Message);
            return (int)ExitCode.Success;
        });
        return command;
    }

    /// <summary>Opens the registry and prints what <paramref name="render"/> makes of it. A store that cannot be read
    /// is a finding (exit 1: it may answer later); a wrong name is a usage error (exit 2, via <see cref="UserError"/>).</summary>
    private static Task<int> RunAsync(ParseResult parse, RegistryOptions common, Func<RegistryTarget, ModelViews, Task<string>> render) =>
        common.ReadAsync(parse, (target, _) => render(target, new ModelViews(ColorMode.Enabled(parse))));
}
