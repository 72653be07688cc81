using GitOps.Cli.Commands;
using GitOps.Cli.Output;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Rollouts;
using GitOps.Rollouts.Rollout;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Cli.Rollouts;

/// <summary>
/// The environment whose rollouts a <c>gitops rollout</c> command reads or commands, and the store that holds them:
/// the ConfigMaps of a Kubernetes environment (kubeconfig and the environment's context, as <c>gitops status</c>),
/// or the state folder of the local runtime (<c>gitops up</c>).
/// </summary>
public sealed class RolloutTarget : IDisposable
{
    private readonly KubernetesApiConnection? _connection;

    private RolloutTarget(LocalEnvironment repository, RolloutScope scope, IRolloutStateStore store, KubernetesApiConnection? connection)
    {
        Repository = repository;
        Scope = scope;
        Store = store;
        _connection = connection;
    }

    public LocalEnvironment Repository { get; }

    public RolloutScope Scope { get; }

    public IRolloutStateStore Store { get; }

    public string Environment => Scope.Environment;

    public static RolloutTarget Open(string repository, string? environment, string? state, string? kubeconfig)
    {
        var target = LocalEnvironment.Resolve(repository, environment, state, mustBeLocal: false);
        var name = target.Environment?.Name ?? "local";
        var scope = new RolloutScope(name, target.Environment?.Spec.Namespace ?? "default");
        if (target.Environment is { Spec.Cluster.Kubernetes: { } kubernetes })
        {
            var connection = StatusCommand.Connect(kubeconfig, kubernetes.Context);
            return new RolloutTarget(target, scope, new ConfigMapRolloutStateStore(connection), connection);
        }
        return new RolloutTarget(target, scope, new LocalRolloutStateStore(target.State), null);
    }

    /// <summary>The model's stored rollout; a model the repository does not define, one not served in the environment,
    /// or one never deployed there, is a user error that says so (with the closest model name for a typo).</summary>
    public async Task<StoredRollout> LoadAsync(string model, CancellationToken ct)
    {
        if (await Store.LoadAsync(Scope, model, ct) is { } stored)
        {
            return stored;
        }
        var known = Repository.Load.Specs.Models.Select(m => m.Name).ToList();
        if (!known.Contains(model, StringComparer.Ordinal))
        {
            var listed = (await Store.ListAsync(Scope, ct)).Select(r => r.Model);
            var suggestion = Suggestions.Closest(model, known.Concat(listed).Distinct(StringComparer.Ordinal));
            throw new UserError($"--model '{model}' is not a Model of this repository"
                + (suggestion is null ? $" (models: {(known.Count == 0 ? "none" : string.Join(", ", known.Order(StringComparer.Ordinal)))})." : $"; did you mean '{suggestion}'?"));
        }
        if (Repository.Load.Specs.Model(model) is { } spec && !spec.Spec.Environments.Contains(Environment, StringComparer.Ordinal))
        {
            throw new UserError($"model {model} is not served in environment {Environment}"
                + (spec.Spec.Environments.IsEmpty
                    ? ": its spec.environments lists none."
                    : $" (it is served in: {string.Join(", ", spec.Spec.Environments)}); pass --env with one of them."));
        }
        throw new UserError($"model {model} has no rollout in environment {Environment} yet: the reconciler has not deployed it there"
            + (Repository.Environment?.Spec.Cluster.Local is not null ? " (is 'gitops up' running for this repository?)." : "."));
    }

    /// <summary>The rollout policy the repository gives the model in this environment, or null when it has none (direct).</summary>
    public RolloutPolicy? PolicyOf(string model) => RolloutPolicies.Of(Repository.Load.Specs, model, Environment);

    public void Dispose() => _connection?.Dispose();
}
