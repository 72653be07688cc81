using System.Collections.Immutable;
using System.CommandLine;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Git;
using GitOps.Reconciler.Hosting;
using GitOps.Reconciler.Leadership;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Registry;
using GitOps.Specs;
using Microsoft.Extensions.Logging;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops reconcile --repo URL --branch BRANCH --env ENV... [--once]</c>: follows a branch and converges each
/// environment to it. Without <c>--once</c> it runs until stopped (SIGTERM/Ctrl+C), serving <c>/healthz</c>,
/// <c>/readyz</c>, <c>/metrics</c> and <c>/webhook/github</c>, and applies only while it holds the leader Lease.
/// Exit codes: 0 converged (or stopped), 1 a <c>--once</c> pass ended Stalled or Retry, 2 usage or I/O problem.
/// </summary>
public static class ReconcileCommand
{
    public const string GitTokenVariable = "GITOPS_GIT_TOKEN";

    public static Command Create()
    {
        var repo = new Option<string>("--repo") { Description = "Git remote to follow (URL or path)", Required = true };
        var branch = new Option<string>("--branch") { Description = "Branch to follow", DefaultValueFactory = _ => "main" };
        var env = new Option<string[]>("--env") { Description = "Environment to converge (repeatable)", Required = true, AllowMultipleArgumentsPerToken = false };
        var once = new Option<bool>("--once") { Description = "Run one pass over every environment, print the outcomes and exit" };
        var interval = new Option<string>("--interval") { Description = "Time between passes: Git poll and drift check (e.g. 30s, 1m, 5m)", DefaultValueFactory = _ => "1m" };
        var listen = new Option<string>("--listen") { Description = "HOST:PORT for /healthz /readyz /metrics /webhook/github", DefaultValueFactory = _ => "127.0.0.1:8080" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig file (default: $KUBECONFIG or ~/.kube/config)" };
        var context = new Option<string?>("--context") { Description = "Kubeconfig context (default: the current context)" };
        var inCluster = new Option<bool>("--in-cluster") { Description = "Use the pod's service account" };
        var @namespace = new Option<string?>("--namespace") { Description = "Namespace of the Lease and status ConfigMaps (default: $POD_NAMESPACE, else gitops-system)" };
        var identity = new Option<string?>("--identity") { Description = "This replica's name in the Lease (default: $POD_NAME, else the host name)" };
        var leaderElect = new Option<bool?>("--leader-elect") { Description = "Campaign for the Lease before applying (default: true, false with --once)" };
        var webhookSecretFile = new Option<string?>("--webhook-secret-file") { Description = $"File with the GitHub webhook secret (default: ${WebhookSecret.EnvironmentVariable}; neither: webhook off)" };
        var gitTokenFile = new Option<string?>("--git-token-file") { Description = $"File with a Git token for HTTPS remotes (default: ${GitTokenVariable} when set)" };
        var workdir = new Option<string?>("--workdir") { Description = "Where the repository is cloned (default: $GITOPS_WORKDIR, else a temporary folder)" };
        var command = new Command("reconcile", "Follow a Git branch and converge environments to it (the in-cluster reconciler)");
        foreach (var option in new Option[] { repo, branch, env, once, interval, listen, kubeconfig, context, inCluster, @namespace, identity, leaderElect, webhookSecretFile, gitTokenFile, workdir })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var environments = (parse.GetValue(env) ?? []).Distinct(StringComparer.Ordinal).ToImmutableArray();
            if (environments.IsEmpty)
            {
                stderr.WriteLine("error: pass at least one --env ENV (the environments this reconciler converges).");
                return 2;
            }
            if (!Durations.TryParse(parse.GetValue(interval), out var every) || every <= TimeSpan.Zero)
            {
                stderr.WriteLine($"error: --interval '{parse.GetValue(interval)}' is not a duration; use e.g. 30s, 1m or 5m.");
                return 2;
            }
            var endpoint = ReconcilerHost.ParseListen(parse.GetValue(listen)!);
            if (endpoint is null)
            {
                stderr.WriteLine($"error: --listen '{parse.GetValue(listen)}' is not HOST:PORT; use e.g. 127.0.0.1:8080 or 0.0.0.0:8080.");
                return 2;
            }
            var runOnce = parse.GetValue(once);
            WebhookSecret? secret;
            try
            {
                secret = WebhookSecret.Load(parse.GetValue(webhookSecretFile), Environment.GetEnvironmentVariable);
            }
            catch (IOException e)
            {
                stderr.WriteLine($"error: {e.Message}. Fix --webhook-secret-file or leave it out to disable the webhook.");
                return 2;
            }

            KubernetesApiConnection connection;
            try
            {
                connection = parse.GetValue(inCluster)
                    ? KubernetesApiConnection.InCluster()
                    : KubernetesApiConnection.FromKubeconfig(parse.GetValue(kubeconfig), parse.GetValue(context));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                stderr.WriteLine(parse.GetValue(inCluster)
                    ? $"error: not running in a pod with a service account ({e.Message}). Leave out --in-cluster and pass --kubeconfig/--context."
                    : $"error: cannot use the kubeconfig ({e.Message}). Check --kubeconfig and --context ('kubectl config get-contexts' lists them).");
                return 2;
            }
            using var _ = connection;

            var stateNamespace = parse.GetValue(@namespace) ?? Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? "gitops-system";
            var self = parse.GetValue(identity) ?? Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.MachineName;
            var cacheDirectory = parse.GetValue(workdir) ?? Environment.GetEnvironmentVariable("GITOPS_WORKDIR")
                ?? Path.Combine(Path.GetTempPath(), "gitops-reconciler", self);
            var tokenFile = parse.GetValue(gitTokenFile);
            var credentials = tokenFile is not null ? new GitCredentials { PasswordFile = tokenFile }
                : Environment.GetEnvironmentVariable(GitTokenVariable) is { Length: > 0 } ? new GitCredentials { PasswordEnvironmentVariable = GitTokenVariable }
                : null;
            var git = new GitSource(new GitSourceOptions
            {
                Url = parse.GetValue(repo)!,
                Branch = parse.GetValue(branch)!,
                CacheDirectory = Path.Combine(cacheDirectory, "repo"),
                Credentials = credentials,
            });
            ILeaderElector leader = parse.GetValue(leaderElect) ?? !runOnce
                ? new LeaseLeadership(new LeaseLeaderElector(connection,
                    new LeaderElectionOptions { Namespace = stateNamespace, Identity = self }, TimeProvider.System), self)
                : new SingleReplicaLeadership(self);

            using var loggers = LoggerFactory.Create(b => b
                .SetMinimumLevel(LogLevel.Information)
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                    o.UseUtcTimestamp = true;
                }));
            var app = new ReconcilerApp(
                new ReconcilerOptions
                {
                    Environments = environments,
                    Branch = parse.GetValue(branch)!,
                    Interval = every,
                    Listen = endpoint,
                    WebhookSecret = secret,
                },
                new ReconcilerPorts(git, new KubernetesClusterDriver(connection), new ConfigMapStatusStore(connection, stateNamespace),
                    leader, new ClusterRegistry(new ConfigMapRegistryFactStore(connection, stateNamespace))),
                TimeProvider.System, loggers, RepositoryValidator.Validate);

            if (runOnce)
            {
                var outcomes = await app.RunOnceAsync(ct);
                foreach (var outcome in outcomes)
                {
                    stdout.WriteLine(Describe(outcome));
                }
                return outcomes.All(o => o.IsSuccess) ? 0 : 1;
            }
            try
            {
                await app.RunAsync(ct);
            }
            catch (IOException e)
            {
                stderr.WriteLine($"error: cannot serve on {endpoint}: {e.Message}. Choose another --listen address.");
                return 2;
            }
            return 0;
        });
        return command;
    }

    /// <summary>One line per environment: <c>prod: Applied abc123def456 (create=2 update=0 delete=0 unchanged=5)</c>.</summary>
    public static string Describe(ReconcileOutcome outcome)
    {
        var commit = outcome.Commit is { Length: > 12 } c ? c[..12] : outcome.Commit ?? "-";
        return outcome switch
        {
            ReconcileOutcome.Applied a => $"{a.Environment}: Applied {commit} ({a.Plan})",
            ReconcileOutcome.NoChange n => $"{n.Environment}: NoChange {commit}" + (n.Drift > 0 ? $" ({n.Drift} drifted object(s) left alone: selfHeal is off)" : ""),
            ReconcileOutcome.Stalled s => $"{s.Environment}: Stalled {commit}: {s.Reason}"
                + string.Concat(s.Diagnostics.Where(d => d.IsError).Take(20).Select(d => $"\n  {d}")),
            ReconcileOutcome.Retry r => $"{r.Environment}: Retry in {r.After.TotalSeconds:0.#}s: {r.Reason}",
            ReconcileOutcome.Refused r => $"{r.Environment}: Refused {commit}: {r.Reason}"
                + string.Concat(r.Objects.Skip(1).Take(20).Select(o => $"\n  {o}")),
            _ => $"{outcome.Environment}: {outcome.Name}",
        };
    }
}
