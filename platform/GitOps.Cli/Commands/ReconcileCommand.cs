using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using GitOps.Cli.Conventions;
using GitOps.Planning.Cluster;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Git;
using GitOps.Reconciler.Hosting;
using GitOps.Reconciler.Leadership;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Notifications;
using GitOps.Reconciler.Registry;
using GitOps.Registry.Stores;
using GitOps.Specs;
using GitOps.Specs.Contracts;
using GitOps.Training.Artifacts;
using Microsoft.Extensions.Logging;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops reconcile --repo URL --branch BRANCH --env ENV... [--once]</c>: follows a branch and converges each
/// environment to it. Without <c>--once</c> it runs until stopped (SIGTERM/Ctrl+C), serving <c>/healthz</c>,
/// <c>/readyz</c>, <c>/metrics</c>, <c>/webhook/github</c> and, with <c>--console</c>, the web console, and applies only while it holds the leader Lease.
/// On SIGTERM the pass in flight finishes (within <c>--shutdown-timeout</c>), the Lease is released and it exits 0.
/// Exit codes: 0 converged (or stopped), 1 a <c>--once</c> pass ended Stalled or Retry, 2 usage or I/O problem (with
/// <c>--once</c>, an <c>--env</c> the commit does not define or a local environment, which <c>gitops up</c> serves).
/// </summary>
public static class ReconcileCommand
{
    public const string GitTokenVariable = EnvironmentVariables.GitToken;

    /// <summary>Writes in flight at once during a wave, unless <c>--apply-parallelism</c> says otherwise.</summary>
    public const int DefaultApplyParallelism = 8;

    /// <summary>Far more than an API server serves one client at once (its default is 200 writes for all clients).</summary>
    public const int MaxApplyParallelism = 64;

    /// <summary>How long <c>--once</c> waits, after the pass, for GitHub notifications still queued.</summary>
    private static readonly TimeSpan NotifierFlushTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var repo = new Option<string>("--repo") { Description = "Git URL (or path of a Git repository) to clone and follow; unlike the PATH of validate/plan/render this is a remote, not a checkout", Required = true, HelpName = "URL" };
        var branch = new Option<string>("--branch") { Description = "Branch to follow", DefaultValueFactory = _ => "main" };
        var env = new Option<string[]>("--env") { Description = "Environment to converge (repeatable)", Required = true, AllowMultipleArgumentsPerToken = false };
        var once = new Option<bool>("--once") { Description = "Run one pass over every environment, print the outcomes and exit" };
        var interval = DurationOption.Create("--interval", "Time between passes: Git poll and drift check, e.g. 30s or 5m", "1m");
        var listen = new Option<string>("--listen") { Description = "HOST:PORT for /healthz /readyz /metrics /webhook/github", DefaultValueFactory = _ => "127.0.0.1:8080" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig file (default: $KUBECONFIG, ':'-separated, or ~/.kube/config)", HelpName = "FILE" };
        var context = new Option<string?>("--context") { Description = $"Kubeconfig context (default: ${EnvironmentVariables.Context}, else the current context)" };
        var inCluster = new Option<bool>("--in-cluster") { Description = "Use the pod's service account" };
        var @namespace = new Option<string?>("--namespace") { Description = "Namespace of the Lease and status ConfigMaps (default: $POD_NAMESPACE, else gitops-system)" };
        var identity = new Option<string?>("--identity") { Description = "This replica's name in the Lease (default: $POD_NAME, else the host name)" };
        var leaderElect = new Option<bool?>("--leader-elect") { Description = "Campaign for the Lease before applying (default: true, false with --once)" };
        var webhookSecretFile = new Option<string?>("--webhook-secret-file") { Description = $"File with the GitHub webhook secret (default: ${WebhookSecret.EnvironmentVariable}; neither: webhook off)" };
        var gitTokenFile = new Option<string?>("--git-token-file") { Description = $"File with a Git token for HTTPS remotes (default: ${GitTokenVariable} when set)" };
        var gitTimeout = DurationOption.Create("--git-timeout", "A clone or fetch that gets no answer from the remote for this long fails (the pass retries with backoff)", "1m");
        var shutdownTimeout = DurationOption.Create("--shutdown-timeout", "On SIGTERM, how long the pass in flight may take to finish before it is cancelled and the Lease released", "30s");
        var passTimeout = DurationOption.Create("--pass-timeout", "A pass running longer is stuck: the leader gives up its Lease so a standby takes over, and /healthz fails", "10m");
        var driftDebounce = DurationOption.Create("--drift-debounce", "After a hand edit of a managed object, how long to collect further edits before the pass that heals them", "2s");
        var applyParallelism = new Option<int?>("--apply-parallelism") { Description = $"Objects applied at once within a wave, 1-{MaxApplyParallelism} (default: ${EnvironmentVariables.ApplyParallelism}, else {DefaultApplyParallelism}); throttling by the API server (429 Retry-After) is waited out", HelpName = "N" };
        var shard = new Option<string?>("--shard") { Description = $"K/N: converge only the models that hash to shard K of N, when N reconcilers share the environments; shard 1 also converges the objects of no model (default: ${EnvironmentVariables.Shard}, else 1/1)", HelpName = "K/N" };
        var workdir = new Option<string?>("--workdir") { Description = $"Where the repository is cloned (default: ${EnvironmentVariables.Workdir}, else a temporary folder)" };
        var command = new Command("reconcile", "Follow a Git branch and converge environments to it (the in-cluster reconciler)");
        foreach (var option in new Option[] { repo, branch, env, once, interval, listen, kubeconfig, context, inCluster, @namespace, identity, leaderElect, webhookSecretFile, gitTokenFile, gitTimeout, shutdownTimeout, passTimeout, driftDebounce, applyParallelism, shard, workdir })
        {
            command.Options.Add(option);
        }
        var github = GitHubReporting.AddTo(command);
        var console = WebConsoleServing.AddTo(command);
        command.WithExamples(
            ("gitops reconcile --repo https://github.com/acme/ml-platform.git --env prod --once", "one pass over prod, print the outcome and exit"),
            ("gitops reconcile --repo https://github.com/acme/ml-platform.git --env staging --env prod --in-cluster", "the in-cluster reconciler (see docs/operations.md)"),
            ("gitops reconcile --repo https://github.com/acme/ml-platform.git --env prod --in-cluster --console --console-token-file /var/run/console/token", "with the web console on /console/ (see docs/console.md)"),
            ("gitops reconcile --repo https://github.com/acme/ml-platform.git --env prod --in-cluster --shard 2/3", "the second of three reconcilers sharing the models (see docs/operations.md, Sharding)"));
        // Synchronous on purpose (as serve and up): after SIGTERM the pass in flight gets --shutdown-timeout to finish,
        // which the command line library's short grace period for asynchronous actions would cut off.
        command.SetAction((ParseResult parse) =>
        {
            using var stop = new CancellationTokenSource();
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            return RunAsync(parse, stop.Token).GetAwaiter().GetResult();
        });
        return command;

        async Task<int> RunAsync(ParseResult parse, CancellationToken ct)
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var environments = (parse.GetValue(env) ?? []).Distinct(StringComparer.Ordinal).ToImmutableArray();
            if (environments.IsEmpty)
            {
                stderr.WriteLine("error: pass at least one --env ENV (the environments this reconciler converges).");
                return (int)ExitCode.Usage;
            }
            var every = parse.GetValue(interval);
            if (every <= TimeSpan.Zero)
            {
                stderr.WriteLine("error: --interval must be longer than 0; use e.g. 30s, 1m or 5m.");
                return (int)ExitCode.Usage;
            }
            foreach (var (option, name) in new[] { (gitTimeout, "--git-timeout"), (shutdownTimeout, "--shutdown-timeout"), (passTimeout, "--pass-timeout") })
            {
                if (parse.GetValue(option) <= TimeSpan.Zero)
                {
                    stderr.WriteLine($"error: {name} must be longer than 0; use e.g. 30s, 1m or 5m.");
                    return (int)ExitCode.Usage;
                }
            }
            var parallelismText = parse.GetValue(applyParallelism)?.ToString(CultureInfo.InvariantCulture)
                ?? CliEnvironment.Current.Get(EnvironmentVariables.ApplyParallelism);
            var parallel = DefaultApplyParallelism;
            if (parallelismText is not null
                && (!int.TryParse(parallelismText, NumberStyles.None, CultureInfo.InvariantCulture, out parallel) || parallel is < 1 or > MaxApplyParallelism))
            {
                stderr.WriteLine($"error: --apply-parallelism (or ${EnvironmentVariables.ApplyParallelism}) is '{parallelismText}'; use a whole number from 1 to {MaxApplyParallelism}, e.g. {DefaultApplyParallelism}.");
                return (int)ExitCode.Usage;
            }
            var shardText = parse.GetValue(shard) ?? CliEnvironment.Current.Get(EnvironmentVariables.Shard);
            var part = Shard.Whole;
            if (shardText is not null)
            {
                if (Shard.Parse(shardText, out var shardProblem) is not { } parsed)
                {
                    stderr.WriteLine($"error: --shard (or ${EnvironmentVariables.Shard}) {shardProblem}.");
                    return (int)ExitCode.Usage;
                }
                part = parsed;
            }
            var endpoint = ReconcilerHost.ParseListen(parse.GetValue(listen)!);
            if (endpoint is null)
            {
                stderr.WriteLine($"error: --listen '{parse.GetValue(listen)}' is not HOST:PORT; use e.g. 127.0.0.1:8080 or 0.0.0.0:8080.");
                return (int)ExitCode.Usage;
            }
            var runOnce = parse.GetValue(once);
            var consoleOptions = runOnce ? null : console.Resolve(parse, endpoint);
            WebhookSecret? secret;
            try
            {
                secret = WebhookSecret.Load(parse.GetValue(webhookSecretFile), CliEnvironment.Current.Variable);
            }
            catch (IOException e)
            {
                stderr.WriteLine($"error: {e.Message.TrimEnd('.')}. Fix --webhook-secret-file or leave it out to disable the webhook.");
                return (int)ExitCode.Usage;
            }

            KubernetesApiConnection connection;
            try
            {
                connection = parse.GetValue(inCluster)
                    ? KubernetesApiConnection.InCluster()
                    : KubernetesApiConnection.FromKubeconfig(parse.GetValue(kubeconfig), parse.GetValue(context) ?? CliEnvironment.Current.Get(EnvironmentVariables.Context));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                stderr.WriteLine(parse.GetValue(inCluster)
                    ? $"error: not running in a pod with a service account ({e.Message}). Leave out --in-cluster and pass --kubeconfig/--context."
                    : $"error: cannot use the kubeconfig ({e.Message}). Check --kubeconfig and --context ('kubectl config get-contexts' lists them).");
                return (int)ExitCode.Usage;
            }
            using var _ = connection;

            var stateNamespace = parse.GetValue(@namespace) ?? CliEnvironment.Current.Get("POD_NAMESPACE") ?? "gitops-system";
            var self = parse.GetValue(identity) ?? CliEnvironment.Current.Get("POD_NAME") ?? Environment.MachineName;
            var cacheDirectory = parse.GetValue(workdir) ?? CliEnvironment.Current.Get(EnvironmentVariables.Workdir)
                ?? Path.Combine(Path.GetTempPath(), "gitops-reconciler", self);
            var tokenFile = parse.GetValue(gitTokenFile);
            var credentials = tokenFile is not null ? new GitCredentials { PasswordFile = tokenFile }
                : CliEnvironment.Current.Get(GitTokenVariable) is not null ? new GitCredentials { PasswordEnvironmentVariable = GitTokenVariable }
                : null;
            var git = new GitSource(new GitSourceOptions
            {
                Url = parse.GetValue(repo)!,
                Branch = parse.GetValue(branch)!,
                CacheDirectory = Path.Combine(cacheDirectory, "repo"),
                Credentials = credentials,
                Timeout = parse.GetValue(gitTimeout),
            });
            ILeaderElector leader = parse.GetValue(leaderElect) ?? !runOnce
                ? new LeaseLeadership(new LeaseLeaderElector(connection,
                    new LeaderElectionOptions { Namespace = stateNamespace, Identity = self, LeaseName = LeaderElectionOptions.DefaultLeaseName + part.NameSuffix },
                    TimeProvider.System), self)
                : new SingleReplicaLeadership(self);

            using var loggers = LoggerFactory.Create(b => b
                .SetMinimumLevel(LogLevel.Information)
                .AddFilter(ListenFailure.HostCategory, LogLevel.None)
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                    o.UseUtcTimestamp = true;
                }));
            if (!part.IsWhole)
            {
                loggers.CreateLogger<ReconcilerApp>().LogInformation(
                    "Shard {Shard}: converging the models that hash to it{Platform}; status ConfigMaps and Lease named with {Suffix}",
                    part, part.OwnsEnvironmentWide ? " and the objects of no model" : "", part.NameSuffix);
            }
            var (artifactsToken, artifactsTokenError) = ArtifactsToken.Read(CliEnvironment.Current.Variable);
            if (artifactsTokenError is not null)
            {
                stderr.WriteLine($"error: {artifactsTokenError}");
                return (int)ExitCode.Usage;
            }
            using var artifactsHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            await using var notifier = github.Create(parse, loggers, shard: part.IsWhole ? null : part.ToString());
            var driver = new KubernetesClusterDriver(connection, new KubernetesDriverOptions { Shard = part });
            var facts = new ConfigMapRegistryFactStore(connection, stateNamespace);
            // Each environment's store is opened with the token of its spec.artifacts.tokenSecretRef; the variables are for the others.
            var tokens = new ArtifactStoreTokens(new KubernetesSecrets(connection), artifactsToken, TimeProvider.System, loggers.CreateLogger<ArtifactStoreTokens>());
            var app = new ReconcilerApp(
                new ReconcilerOptions
                {
                    Environments = environments,
                    Branch = parse.GetValue(branch)!,
                    Interval = every,
                    Listen = endpoint,
                    WebhookSecret = secret,
                    Console = consoleOptions,
                    Once = runOnce,
                    ShutdownTimeout = parse.GetValue(shutdownTimeout),
                    PassTimeout = parse.GetValue(passTimeout),
                    DriftDebounce = parse.GetValue(driftDebounce),
                    ApplyParallelism = parallel,
                    Shard = part,
                    Notifier = notifier is null ? NoOpNotifier.Instance : notifier,
                },
                new ReconcilerPorts(git, driver, new ConfigMapStatusStore(connection, stateNamespace, part),
                    leader, new ClusterRegistry(facts), driver,
                    new RegistryAdmission(tokens.Opener(artifactsHttp), TimeProvider.System, loggers.CreateLogger<RegistryAdmission>(), tokens),
                    new KubernetesTrainingPods(connection),
                    new ConfigMapRolloutStateStore(connection),
                    facts,
                    (uri, ct) => DatasetDigests.OfAsync(uri, artifactsHttp, artifactsToken, null, ct),
                    // A push reaches one pod; every replica of every shard fetches (docs/operations.md, "GitHub webhook").
                    secret is null ? null : new ConfigMapPushRelay(connection, stateNamespace, self)),
                TimeProvider.System, loggers, files => RepositoryValidator.Validate(files, null, part.ValidationChunks));

            if (runOnce)
            {
                ImmutableArray<ReconcileOutcome> outcomes;
                try
                {
                    outcomes = await app.RunOnceAsync(ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    stderr.WriteLine("interrupted: the pass was stopped before it finished; run it again to converge.");
                    return (int)ExitCode.Interrupted;
                }
                foreach (var outcome in outcomes)
                {
                    if (outcome is ReconcileOutcome.Stalled { OutOfReach: true } misdirected)
                    {
                        stderr.WriteLine($"error: --env {misdirected.Environment}: {misdirected.Reason}.");
                        continue;
                    }
                    stdout.WriteLine(Describe(outcome, part));
                }
                if (notifier is not null && !await notifier.FlushAsync(NotifierFlushTimeout, ct))
                {
                    stderr.WriteLine($"warning: {notifier.Pending} GitHub notification(s) not delivered within {Durations.Format(NotifierFlushTimeout)}; they are dropped.");
                }
                return (int)(outcomes.Any(o => o is ReconcileOutcome.Stalled { OutOfReach: true }) ? ExitCode.Usage
                    : outcomes.All(o => o.IsSuccess) ? ExitCode.Success
                    : ExitCode.Findings);
            }
            try
            {
                await app.RunAsync(ct);
            }
            catch (Exception e) when (ListenFailure.Is(e))
            {
                stderr.WriteLine("error: " + ListenFailure.Describe(endpoint.ToString(), e, "Choose another --listen address (127.0.0.1:0 picks a free port)."));
                return (int)ExitCode.Usage;
            }
            return (int)ExitCode.Success;
        }
    }

    /// <summary>One line per environment: <c>prod: Applied abc123def456 (create=2 update=0 delete=0 unchanged=5)</c>;
    /// a shard says which it is: <c>prod (shard 2/3): NoChange ...</c>.</summary>
    public static string Describe(ReconcileOutcome outcome, Shard? shard = null)
    {
        var environment = shard is null || shard.IsWhole ? outcome.Environment : $"{outcome.Environment} (shard {shard})";
        var commit = outcome.Commit is { Length: > 12 } c ? c[..12] : outcome.Commit ?? "-";
        return outcome switch
        {
            ReconcileOutcome.Applied a => $"{environment}: Applied {commit} ({a.Plan})",
            ReconcileOutcome.NoChange n => $"{environment}: NoChange {commit}" + (n.Drift > 0 ? $" ({n.Drift} drifted object(s) left alone: selfHeal is off)" : ""),
            ReconcileOutcome.Stalled s => $"{environment}: Stalled {commit}: {s.Reason}"
                + string.Concat(s.Diagnostics.Where(d => d.IsError).Take(20).Select(d => $"\n  {d}")),
            ReconcileOutcome.Retry r => $"{environment}: Retry {commit}: {r.Reason}",
            ReconcileOutcome.Refused r => $"{environment}: Refused {commit}: {r.Reason}"
                + string.Concat(r.Objects.Skip(1).Take(20).Select(o => $"\n  {o}")),
            _ => $"{environment}: {outcome.Name}",
        };
    }
}
