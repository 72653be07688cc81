using System.CommandLine;
using System.Net;
using GitOps.Cli.Conventions;
using GitOps.Cli.Experiments;
using GitOps.Cli.Models;
using GitOps.Cli.Output;
using GitOps.Cli.Validation;
using GitOps.Planning.Cluster;
using GitOps.Planning.Experiments;
using GitOps.Planning.Rendering;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Experiments;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.Registry;
using GitOps.Registry;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;
using GitOps.Training.Artifacts;
using Microsoft.Extensions.Logging;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops experiments run|list|show|compare</c>: runs an Experiment's trials as training Jobs of an environment
/// (Kubernetes, or the local runtime's trainer processes) and reads the runs recorded in the registry of an
/// environment's artifact store (<c>--env</c>) or of a store named directly (<c>--store</c>).
/// </summary>
public static class ExperimentsCommand
{
    public static Command Create()
    {
        var command = new Command("experiments", "Run hyperparameter searches (Experiment specs) and read their trials from the registry")
        {
            CreateRun(), CreateList(), CreateShow(), CreateCompare(),
        };
        command.WithExamples(
            ("gitops experiments run fraud-detector-sweep --env local", "run every trial as a local trainer process and pick the best"),
            ("gitops experiments list --env staging", "experiments with a finished run in staging's artifact store"),
            ("gitops experiments show fraud-detector-sweep --env staging", "every trial, the best, and the hyperparameters change that makes it the model's spec"),
            ("gitops experiments compare fraud-detector-sweep 3 7 --env staging -o json", "two trials side by side, as JSON"));
        return command;
    }

    private static RegistryOptions AddCommon(Command command) =>
        RegistryOptions.AddTo(command, "Environment whose artifact store is read (default: the only local one)", "text (tables) or json");

    private static Command CreateList()
    {
        var command = new Command("list", "List the experiments with a finished run: the latest run's trials and best trial");
        var common = AddCommon(command);
        command.WithExamples(("gitops experiments list --env staging", "experiments recorded in staging's store"),
            ("gitops experiments list --store ./artifacts -o json", "a store read directly, as JSON"));
        command.SetAction((parse, ct) => ReadAsync(parse, common, async (registry, views, _) =>
        {
            var list = await ExperimentViews.ListAsync(registry, ct);
            return parse.GetValue(common.Output) == "json" ? ExperimentViews.Json(list) : views.List(list);
        }));
        return command;
    }

    private static Command CreateShow()
    {
        var experiment = new Argument<string>("EXPERIMENT") { Description = "The experiment's name" };
        var run = new Option<string?>("--run") { Description = "The run to show (default: the latest finished)", HelpName = "RUN" };
        var command = new Command("show", "Show a run: every trial with its hyperparameters, objective and status, the best, and the spec change that makes it the model's") { experiment, run };
        var common = AddCommon(command);
        command.WithExamples(("gitops experiments show fraud-detector-sweep --env staging", "the latest run"));
        command.SetAction((parse, ct) => ReadAsync(parse, common, async (registry, views, specs) =>
        {
            var shown = await ExperimentViews.ShowAsync(registry, parse.GetValue(experiment)!, parse.GetValue(run), specs, ct);
            return parse.GetValue(common.Output) == "json" ? ExperimentViews.Json(shown) : views.Show(shown);
        }));
        return command;
    }

    private static Command CreateCompare()
    {
        var experiment = new Argument<string>("EXPERIMENT") { Description = "The experiment's name" };
        var trials = new Argument<string[]>("TRIAL") { Description = "Trials to compare, by name or number (default: every trial)", Arity = ArgumentArity.ZeroOrMore };
        var run = new Option<string?>("--run") { Description = "The run whose trials are compared (default: the latest finished)", HelpName = "RUN" };
        var command = new Command("compare", "Compare trials side by side: hyperparameters, metrics and status") { experiment, trials, run };
        var common = AddCommon(command);
        command.WithExamples(("gitops experiments compare fraud-detector-sweep 3 7 --env staging", "trials 3 and 7"));
        command.SetAction((parse, ct) => ReadAsync(parse, common, async (registry, views, _) =>
        {
            var comparison = await ExperimentViews.CompareAsync(registry, parse.GetValue(experiment)!, parse.GetValue(run), parse.GetValue(trials) ?? [], ct);
            return parse.GetValue(common.Output) == "json" ? ExperimentViews.Json(comparison) : views.Compare(comparison);
        }));
        return command;
    }

    private static Task<int> ReadAsync(ParseResult parse, RegistryOptions common,
        Func<ExperimentRegistry, ExperimentViews, GitOps.Specs.Model.SpecSet?, Task<string>> render) =>
        common.ReadAsync(parse, (target, root) =>
        {
            var specs = Directory.Exists(Path.Combine(root, "models")) ? RepositoryValidator.Validate(RepositoryReader.Read(Path.GetFullPath(root))).Specs : null;
            return render(new ExperimentRegistry(target.Store), new ExperimentViews(ColorMode.Enabled(parse)), specs);
        });

    private static Command CreateRun()
    {
        var experiment = new Argument<string>("EXPERIMENT") { Description = "The experiment to run (an Experiment spec of the repository)" };
        var env = new Option<string?>("--env") { Description = "Environment whose cluster runs the trials and whose artifact store records them (default: the only local one)", HelpName = "ENV" };
        var state = new Option<string?>("--state") { Description = "Local environments: the state folder (default: the environment's local.stateDir, else .gitops/ in the repository)", HelpName = "DIR" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubernetes environments: kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)", HelpName = "FILE" };
        var context = new Option<string?>("--context") { Description = $"Kubernetes environments: kubeconfig context (default: the environment's cluster.kubernetes.context, else ${EnvironmentVariables.Context}, else the current context)" };
        var steps = new Option<int>("--progress-steps")
        {
            Description = "Steps at which each trial reports its objective, for the median stopping rule",
            DefaultValueFactory = _ => TrialJobs.DefaultProgressSteps,
        };
        var output = OutputOption.Create("text (tables) or json", "text", "json");
        var command = new Command("run", "Run an experiment's trials as training Jobs (parallelism, GPU quota, median stopping), record them and pick the best")
        {
            experiment, env, state, kubeconfig, context, steps, output,
        };
        var repository = RepositoryPath.AddTo(command);
        env.CompleteEnvironments(repository);
        command.WithExamples(
            ("gitops experiments run fraud-detector-sweep --env local", "trials as local trainer processes (stop gitops up on the same state folder first)"),
            ("gitops experiments run fraud-detector-sweep --env staging --context staging-eu", "trials as training Jobs in staging's cluster"));
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var stdout = parse.Out();
            var stderr = parse.Err();
            if (parse.GetValue(steps) is < 1 or > 100)
            {
                throw new UserError($"--progress-steps must be from 1 to 100, found {parse.GetValue(steps)}.");
            }
            var target = LocalEnvironment.Resolve(repository.Resolve(parse), parse.GetValue(env), parse.GetValue(state), mustBeLocal: false);
            if (target.Load.HasErrors)
            {
                await stdout.WriteAsync(TextFormat.Render(ValidateCommand.Validate(target.Root), ColorMode.Painter(parse)));
                await stderr.WriteLineAsync("experiments run: fix the errors above, then run it again.");
                return (int)ExitCode.Findings;
            }
            var environment = target.Environment!;
            var commit = GitHead.Read(target.Root) ?? "working-tree";
            var (plan, error) = ExperimentRunPlan.Create(target.Load.Specs, parse.GetValue(experiment)!, environment.Name, commit, parse.GetValue(steps));
            if (plan is null)
            {
                throw new UserError(error! + ".");
            }
            var (token, tokenError) = ArtifactsToken.Read(CliEnvironment.Current.Variable);
            if (tokenError is not null)
            {
                throw new UserError(tokenError);
            }
            using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(new WriterLoggerProvider(stderr))
                .AddFilter("Microsoft", LogLevel.Warning).AddFilter("Yarp", LogLevel.Warning));
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
            var local = environment.Spec.Cluster.Local is not null;
            if (local)
            {
                try
                {
                    // The local runtime keeps the default artifact store in the state folder; the runs recorded there are read from it.
                    target.State.Create();
                    Directory.CreateDirectory(target.State.ArtifactsFolder);
                }
                catch (IOException e)
                {
                    throw new UserError(e.Message);
                }
            }
            Func<string, string> map = local ? target.State.LocalArtifactUri : uri => uri;
            var (store, storeError) = ArtifactStores.Open(map(ModelVersions.ArtifactStore(environment)), http, token,
                S3Variables.Over(environment.Spec.Artifacts, CliEnvironment.Current.Variable));
            if (store is null)
            {
                throw new UserError(storeError!);
            }
            using var ownedStore = store as IDisposable;
            var admission = new RegistryAdmission(RegistryStores.WithTokens(http, _ => (token, null), map, _ => environment.Spec.Artifacts),
                TimeProvider.System, loggers.CreateLogger<RegistryAdmission>());
            await stdout.WriteLineAsync($"experiments run: {plan.Experiment.Name} run {plan.Run}, {plan.Trials.Length} trial(s) of {plan.Model.Name} in {environment.Name}, parallelism {plan.Experiment.Spec.Parallelism}");
            try
            {
                var record = local
                    ? await RunLocallyAsync(plan, target.State, store, admission, loggers, ct)
                    : await RunInClusterAsync(plan, store, admission, loggers, parse.GetValue(kubeconfig),
                        parse.GetValue(context) ?? environment.Spec.Cluster.Kubernetes?.Context ?? CliEnvironment.Current.Get(EnvironmentVariables.Context), ct);
                var shown = await ExperimentViews.ShowAsync(new ExperimentRegistry(store), record.Experiment, record.Run, target.Load.Specs, ct);
                await stdout.WriteAsync(parse.GetValue(output) == "json" ? ExperimentViews.Json(shown) : new ExperimentViews(ColorMode.Enabled(parse)).Show(shown));
                return record.Best is null ? (int)ExitCode.Findings : (int)ExitCode.Success;
            }
            catch (Exception e) when (e is ArtifactStoreException or RegistryDataException or KubernetesApiException)
            {
                await stderr.WriteLineAsync($"error: {e.Message}");
                await stderr.WriteLineAsync("experiments run: what finished is recorded; run the same command again to resume.");
                return (int)ExitCode.Findings;
            }
        });
        return command;
    }

    private static async Task<GitOps.Registry.Records.ExperimentRecord> RunLocallyAsync(ExperimentRunPlan plan, StateFolder state, IArtifactStore store,
        RegistryAdmission admission, ILoggerFactory loggers, CancellationToken ct)
    {
        using var upLock = UpLock.TryAcquire(state, out var holder)
                           ?? throw new UserError($"gitops up{(holder is { } pid ? $" (pid {pid})" : "")} is running on the state folder {state.Root}: " +
                                                  "stop it with 'gitops down', or pass another --state.");
        await using var runtime = await LocalRuntime.StartAsync(new LocalRuntimeOptions
        {
            State = state,
            ProxyListen = new IPEndPoint(IPAddress.Loopback, 0),
            Datasets = LocalDatasets.In(state),
        }, new ReconcilerMetrics().Registry, loggers, TimeProvider.System, ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var controllers = runtime.RunAsync(stop.Token);
        try
        {
            var offering = new RegistryCandidateOffering(admission, new LocalRegistryFactStore(state), store);
            var runner = new ExperimentRunner(runtime.Cluster, store, TimeProvider.System, loggers.CreateLogger<ExperimentRunner>(), offering);
            return await runner.RunAsync(plan, TimeSpan.FromMilliseconds(250), _ => runtime.Step(), ct);
        }
        finally
        {
            await stop.CancelAsync();
            await controllers;
            await runtime.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<GitOps.Registry.Records.ExperimentRecord> RunInClusterAsync(ExperimentRunPlan plan, IArtifactStore store, RegistryAdmission admission,
        ILoggerFactory loggers, string? kubeconfig, string? context, CancellationToken ct)
    {
        using var connection = StatusCommand.Connect(kubeconfig, context);
        var offering = new RegistryCandidateOffering(admission, new ConfigMapRegistryFactStore(connection, plan.Environment.Spec.Namespace), store);
        var runner = new ExperimentRunner(new KubernetesClusterDriver(connection), store, TimeProvider.System, loggers.CreateLogger<ExperimentRunner>(), offering);
        return await runner.RunAsync(plan, TimeSpan.FromSeconds(5), null, ct);
    }
}
