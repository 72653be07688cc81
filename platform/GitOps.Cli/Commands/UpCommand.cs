using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using GitOps.Cli.Conventions;
using GitOps.Cli.Output;
using GitOps.Cli.Validation;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Git;
using GitOps.Reconciler.Hosting;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.Notifications;
using GitOps.Reconciler.Registry;
using GitOps.Reconciler.Retraining;
using GitOps.Reconciler.Rollouts;
using GitOps.Reconciler.WebConsole;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;
using GitOps.Training.Artifacts;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops up</c>: runs a local environment on this machine with the Local driver and keeps it converged with the
/// reconciler's own pass, following the working tree, until Ctrl+C (which stops everything it started).
/// </summary>
public static class UpCommand
{
    public const string DefaultListen = "127.0.0.1:8000";

    public static Command Create()
    {
        var env = new Option<string?>("--env") { Description = "Local environment to run (default: the only one with cluster: {local: {}})" };
        var state = new Option<string?>("--state") { Description = "State folder: objects, processes, logs, artifacts (default: the environment's local.stateDir, else .gitops/ in the repository)" };
        var once = new Option<bool>("--once") { Description = "Converge to the working tree as it is now and keep serving it, without following later edits" };
        var watch = new Option<bool>("--watch") { Description = "Follow the working tree: every edit or commit is converged (the default)" };
        var listen = new Option<string>("--listen") { Description = "HOST:PORT of the model routes, the platform's /metrics and the web console", DefaultValueFactory = _ => DefaultListen };
        var command = new Command("up", "Run a local environment on this machine (train, serve, route, measure) and keep it converged to the working tree")
        {
            env, state, once, watch, listen,
        };
        var repository = RepositoryPath.AddTo(command);
        var github = GitHubReporting.AddTo(command);
        var console = WebConsoleServing.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(once) && result.GetValue(watch))
            {
                result.AddError("--once and --watch contradict each other: pass one of them (following the working tree, --watch, is the default).");
            }
        });
        command.WithExamples(
            ("gitops up", "the repository's local environment, following every edit until Ctrl+C"),
            ("gitops up ../ml-platform --env local --once", "converge to the tree as it is now and keep serving it"),
            ("gitops up --listen 127.0.0.1:0 --state /tmp/gitops-state", "any free port, state kept elsewhere"),
            ("gitops up --console --console-auth none", "with the web console on http://127.0.0.1:8000/console/ (see docs/console.md)"));
        // Synchronous on purpose (as serve): stopping drains the servers, which must not be cut short by the command
        // line library's grace period after SIGTERM.
        command.SetAction((ParseResult parse) => RunAsync(parse, repository.Resolve(parse), parse.GetValue(env), parse.GetValue(state),
            parse.GetValue(once) && !parse.GetValue(watch), parse.GetValue(listen)!, github, console).GetAwaiter().GetResult());
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, string path, string? envName, string? stateDir, bool once, string listenText, GitHubReporting github,
        WebConsoleServing webConsole)
    {
        var stdout = parse.Out();
        var stderr = parse.Err();
        var listen = ReconcilerHost.ParseListen(listenText)
                     ?? throw new UserError($"--listen '{listenText}' is not HOST:PORT; use e.g. {DefaultListen} or 127.0.0.1:0 (any free port).");
        var consoleOptions = webConsole.Resolve(parse, listen);
        var target = LocalEnvironment.Resolve(path, envName, stateDir, mustBeLocal: true);
        if (target.Load.HasErrors)
        {
            var report = ValidateCommand.Validate(target.Root);
            await stdout.WriteAsync(TextFormat.Render(report, ColorMode.Painter(parse)));
            await stderr.WriteLineAsync("up: fix the errors above, then run gitops up again.");
            return (int)ExitCode.Findings;
        }
        var env = target.Environment!;
        var state = target.State;
        try
        {
            state.Create();
        }
        catch (IOException e)
        {
            throw new UserError(e.Message);
        }
        using var upLock = UpLock.TryAcquire(state, out var holder)
                           ?? throw new UserError($"another gitops up{(holder is { } pid ? $" (pid {pid})" : "")} is running on the state folder {state.Root}. "
                                                  + "Stop it with 'gitops down' (or Ctrl+C where it runs), or pass another --state.");

        using var stop = new CancellationTokenSource();
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

        var interactive = ColorMode.Enabled(parse) && !Console.IsOutputRedirected;
        using var log = new UpLog(Path.Combine(state.LogsFolder, "up.log"), interactive ? null : stdout);
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(log)
            .AddFilter("Microsoft", LogLevel.Warning).AddFilter(ListenFailure.HostCategory, LogLevel.None).AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error).AddFilter("Yarp", LogLevel.Warning));
        var metrics = new ReconcilerMetrics();
        var rolloutStore = new LocalRolloutStateStore(state);
        var factStore = new LocalRegistryFactStore(state);
        ReconcilePass? pass = null;
        var consoleSite = consoleOptions is null ? null : new ConsoleSite(consoleOptions, new ConsoleSources
        {
            Environments = () => ConsoleEnvironment.From(pass?.LastGoodSpecs ?? target.Load.Specs, [env.Name]),
            Status = (name, _) => Task.FromResult(LocalStatusViews.FromStateFolder(state, name)),
            Rollouts = rolloutStore,
            Facts = factStore,
            Specs = () => pass?.LastGoodSpecs ?? target.Load.Specs,
        });
        var prometheusListen = PrometheusEndpoint(env.Spec.Prometheus?.Url);
        LocalRuntime runtime;
        try
        {
            runtime = await LocalRuntime.StartAsync(new LocalRuntimeOptions
            {
                State = state,
                ProxyListen = listen,
                PrometheusListen = prometheusListen,
                Datasets = LocalDatasets.In(state),
                Console = consoleSite,
            }, metrics.Registry, loggers, TimeProvider.System, stop.Token);
        }
        catch (Exception e) when (ListenFailure.Is(e))
        {
            throw new UserError(ListenFailure.Describe(listen.ToString(), e, "Pass another --listen address (127.0.0.1:0 picks a free port)."));
        }
        await using var _ = runtime;
        var prometheusProblem = runtime.Prometheus.Problem
                                ?? (prometheusListen is null ? $"environment '{env.Name}' sets no spec.prometheus.url on 127.0.0.1, so Prometheus is not started and models run without analysis." : null);
        upLock.Describe(new JsonObject
        {
            ["pid"] = Environment.ProcessId,
            ["startTime"] = OsProcesses.StartTimeOf(Environment.ProcessId),
            ["proxy"] = runtime.Proxy.Address.ToString(),
            ["prometheus"] = runtime.Prometheus.Address?.ToString(),
            ["prometheusProblem"] = prometheusProblem,
            ["repository"] = target.Root,
            ["environment"] = env.Name,
        });
        if (prometheusProblem is not null)
        {
            await stderr.WriteLineAsync($"warning: {prometheusProblem}");
        }
        await stdout.WriteLineAsync($"gitops up: environment {env.Name} from {target.Root}{(once ? "" : " (following the working tree)")}; state in {state.Root}; Ctrl+C stops it.");
        if (consoleSite is not null)
        {
            await stdout.WriteLineAsync($"gitops up: web console on {new Uri(runtime.Proxy.Address, "console/")}"
                + (consoleSite.Options.Token is { } token ? $" (token from {token.Source}; open it once with ?token=TOKEN)" : ""));
        }

        var statuses = new LocalStatusStore(state, env.Spec.Namespace);
        await using var notifier = github.Create(parse, loggers, new Dictionary<string, string> { [env.Name] = $"http://{runtime.Proxy.Address}/" });
        var (artifactsToken, artifactsTokenError) = ArtifactsToken.Read(CliEnvironment.Current.Variable);
        if (artifactsTokenError is not null)
        {
            throw new UserError(artifactsTokenError);
        }
        using var artifactsHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var admission = new RegistryAdmission(RegistryStores.Opener(artifactsHttp, artifactsToken, state.LocalArtifactUri), TimeProvider.System,
            loggers.CreateLogger<RegistryAdmission>());
        pass = new ReconcilePass(new WorkingTreeSource(target.Root, followEdits: !once), runtime.Cluster, statuses, new ClusterRegistry(factStore), metrics,
            TimeProvider.System, new ReconcilePassSettings
            {
                Validate = RepositoryValidator.Validate,
                Notifier = notifier is null ? NoOpNotifier.Instance : notifier,
                Rollouts = new RolloutController(rolloutStore, metrics.Rollouts, TimeProvider.System,
                    loggers.CreateLogger<RolloutController>(),
                    history: new DeployHistoryWriter(admission.OpenStore, loggers.CreateLogger<DeployHistoryWriter>())),
                Admission = admission,
                Retraining = new RetrainStep(factStore, (uri, ct) => DatasetDigests.OfAsync(uri, artifactsHttp, artifactsToken, null, ct),
                    TimeProvider.System, loggers.CreateLogger<RetrainStep>()),
            }, loggers.CreateLogger<ReconcilePass>());
        var controllers = runtime.RunAsync(stop.Token);
        var ready = false;
        var lastLines = "";

        async Task<EnvironmentStatusView> StepAsync()
        {
            await pass.RunAsync([env.Name], stop.Token);
            runtime.Step();
            return LocalStatusViews.Build(env.Name, runtime.Cluster.Objects, await statuses.ReadAsync(env.Name, stop.Token),
                runtime.Proxy.Address.ToString(), runtime.Prometheus.Address?.ToString(), prometheusProblem, running: true) with
            {
                TokenFile = LocalStatusViews.TokenFile(state, env.Spec),
            };
        }

        async Task ReportAsync(EnvironmentStatusView view, Action<string> print)
        {
            var lines = StatusTable.Lines(view);
            if (!interactive && lines != lastLines)
            {
                await stdout.WriteLineAsync(lines);
            }
            lastLines = lines;
            if (view.AllServing && !ready)
            {
                print(StatusTable.Ready(view));
            }
            ready = view.AllServing;
        }

        try
        {
            if (interactive)
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
                var view = await StepAsync();
                await console.Live(StatusTable.Render([view], log.Recent)).StartAsync(async live =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        live.UpdateTarget(StatusTable.Render([view], log.Recent));
                        if (view.AllServing && !ready)
                        {
                            live.UpdateTarget(new Spectre.Console.Rows(StatusTable.Render([view], log.Recent), new Text(StatusTable.Ready(view))));
                        }
                        ready = view.AllServing;
                        await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
                        view = await StepAsync();
                    }
                });
            }
            else
            {
                while (!stop.IsCancellationRequested)
                {
                    await ReportAsync(await StepAsync(), text => stdout.Write(text));
                    await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: stop what was started.
        }
        await stdout.WriteLineAsync("gitops up: stopping servers, trainers and Prometheus…");
        await runtime.StopAsync(CancellationToken.None);
        await controllers;
        await stdout.WriteLineAsync("gitops up: stopped.");
        return (int)ExitCode.Success;
    }

    /// <summary>Where the environment's Prometheus listens when it is on this machine; null otherwise.</summary>
    private static IPEndPoint? PrometheusEndpoint(string? url)
    {
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "http")
        {
            return null;
        }
        var host = uri.Host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(uri.Host, out var address) ? address : null;
        return host is not null && IPAddress.IsLoopback(host) ? new IPEndPoint(host, uri.Port) : null;
    }
}
