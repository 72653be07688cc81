using System.CommandLine;
using GitOps.Cli.Conventions;
using GitOps.Cli.Output;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Status;
using GitOps.Specs.Contracts;
using Spectre.Console;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops status</c>: the table <c>gitops up</c> shows, printed once: for a local environment from its state
/// folder, for a Kubernetes environment from the reconciler's status ConfigMap.
/// </summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var env = new Option<string?>("--env") { Description = "Environment (default: the only local one)" };
        var state = new Option<string?>("--state") { Description = "State folder of a local environment (default: as gitops up chooses it)" };
        var output = OutputOption.Create("text or json", "text", "json");
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubernetes environment: kubeconfig file (default: $KUBECONFIG or ~/.kube/config)" };
        var @namespace = new Option<string>("--namespace") { Description = "Kubernetes environment: namespace of the reconciler's status ConfigMaps", DefaultValueFactory = _ => "gitops-system" };
        var command = new Command("status", "Show environments, models, versions, training, replicas and routes (local, or a cluster's last reconcile)")
        {
            env, state, output, kubeconfig, @namespace,
        };
        var repository = RepositoryPath.AddTo(command);
        env.CompleteEnvironments(repository);
        command.WithExamples(
            ("gitops status", "the repository's local environment"),
            ("gitops status --env prod -o json", "a Kubernetes environment's last reconcile, as JSON"));
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var stdout = parse.Out();
            var target = LocalEnvironment.Resolve(repository.Resolve(parse), parse.GetValue(env), parse.GetValue(state), mustBeLocal: false);
            List<EnvironmentStatusView> views;
            if (target.Environment is { Spec.Cluster.Kubernetes: { } kubernetes } environment)
            {
                using var connection = Connect(parse.GetValue(kubeconfig), kubernetes.Context);
                // One status for the environment, or one per shard when several reconcilers share it.
                var store = new ConfigMapStatusStore(connection, parse.GetValue(@namespace)!);
                IReadOnlyList<(string? Shard, EnvironmentStatus Status)> statuses;
                try
                {
                    statuses = await store.ReadAllAsync(environment.Name, ct);
                }
                catch (KubernetesApiException e) when (e.StatusCode == 403)
                {
                    // Allowed to get the status but not to list ConfigMaps: the environment's own, by name.
                    statuses = await ReadByNameAsync(store, environment.Name, parse.GetValue(@namespace)!, ct);
                }
                catch (KubernetesApiException e)
                {
                    throw Unreadable(environment.Name, parse.GetValue(@namespace)!, e);
                }
                if (statuses.Count == 0)
                {
                    throw new UserError($"environment '{environment.Name}' has no status ConfigMap {ConfigMapStatusStore.ConfigMapName(environment.Name)} in namespace {parse.GetValue(@namespace)}: no reconciler has converged it yet, or pass its --namespace.");
                }
                views = [.. statuses.Select(s => s.Shard is { } shard
                    ? LocalStatusViews.FromStatus(s.Status) with { Environment = $"{environment.Name} (shard {shard})" }
                    : LocalStatusViews.FromStatus(s.Status))];
            }
            else
            {
                views = [LocalStatusViews.FromStateFolder(target.State, target.Environment?.Name ?? "local") with
                {
                    TokenFile = target.Environment is { } local ? LocalStatusViews.TokenFile(target.State, local.Spec) : null,
                }];
            }
            if (parse.GetValue(output) == "json")
            {
                await stdout.WriteAsync(StatusTable.ToJson(views));
                return (int)ExitCode.Success;
            }
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(stdout),
                Ansi = ColorMode.Enabled(parse) ? AnsiSupport.Yes : AnsiSupport.No,
                ColorSystem = ColorMode.Enabled(parse) ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            });
            console.Write(StatusTable.Render(views, []));
            if (views is [{ Running: false }] && target.Environment?.Spec.Cluster.Local is not null)
            {
                await stdout.WriteLineAsync("gitops up is not running for this state folder; run 'gitops up' to start it.");
            }
            else
            {
                foreach (var view in views.Where(v => v.AllServing))
                {
                    await stdout.WriteAsync(StatusTable.Ready(view));
                }
            }
            return (int)ExitCode.Success;
        });
        return command;
    }

    private static async Task<IReadOnlyList<(string? Shard, EnvironmentStatus Status)>> ReadByNameAsync(ConfigMapStatusStore store,
        string environment, string @namespace, CancellationToken ct)
    {
        try
        {
            return await store.ReadAsync(environment, ct) is { } one ? [(null, one)] : [];
        }
        catch (KubernetesApiException e)
        {
            throw Unreadable(environment, @namespace, e);
        }
    }

    /// <summary>The API server refused to show the status (401, 403, ...): a message for the person, not a stack trace.</summary>
    private static UserError Unreadable(string environment, string @namespace, KubernetesApiException e) =>
        new($"cannot read the status of environment '{environment}' in namespace {@namespace}: {e.Message.TrimEnd('.')}. "
            + (e.StatusCode is 401 or 403
                ? $"Ask for 'get' and 'list' on configmaps in {@namespace}, or check --kubeconfig and the environment's cluster.kubernetes.context."
                : "Check that the cluster is reachable (kubectl get ns) and pass the reconciler's --namespace."));

    internal static KubernetesApiConnection Connect(string? kubeconfig, string? context)
    {
        try
        {
            return KubernetesApiConnection.FromKubeconfig(kubeconfig, context);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new UserError($"cannot use the kubeconfig ({e.Message}). Check --kubeconfig and the environment's cluster.kubernetes.context.");
        }
    }
}
