using GitOps.Cli.Output;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Specs;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Cli.Commands;

/// <summary>The repository, environment and state folder <c>gitops up</c>, <c>down</c> and <c>status</c> work on.</summary>
public sealed record LocalEnvironment(string Root, IReadOnlyList<SourceFile> Files, LoadResult Load, EnvironmentSpec? Environment, StateFolder State)
{
    /// <summary>
    /// Reads the repository at <paramref name="path"/> (PATH, --repo or their default), picks the
    /// environment (<paramref name="environment"/>, else the only one with <c>cluster: {local: {}}</c>) and its state
    /// folder (<paramref name="state"/>, else the environment's <c>local.stateDir</c>, else <c>.gitops/</c> in the
    /// repository). With <paramref name="mustBeLocal"/> a Kubernetes environment is refused.
    /// </summary>
    public static LocalEnvironment Resolve(string path, string? environment, string? state, bool mustBeLocal)
    {
        var root = Path.GetFullPath(path);
        var files = RepositoryReader.Read(root);
        var load = RepositoryValidator.Validate(files);
        var locals = load.Specs.Environments.Where(e => e.Spec.Cluster.Local is not null).ToList();
        EnvironmentSpec? env;
        if (environment is not null)
        {
            env = load.Specs.Environment(environment);
            if (env is null)
            {
                var names = load.Specs.Environments.Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
                var hint = Suggestions.DidYouMean(environment, names) is { } typo ? $"; {typo}" : "";
                throw new UserError($"--env '{environment}' is not an Environment of this repository{hint} (known: {(names.Count == 0 ? "none" : string.Join(", ", names))}).");
            }
            if (mustBeLocal && env.Spec.Cluster.Local is null)
            {
                throw new UserError($"environment '{environment}' runs on Kubernetes; gitops up runs environments with 'cluster: {{local: {{}}}}'"
                                    + (locals.Count > 0 ? $" ({string.Join(", ", locals.Select(l => l.Name))})." : ". Add one, e.g. environments/local/environment.yaml."));
            }
        }
        else if (locals.Count == 1)
        {
            env = locals[0];
        }
        else if (locals.Count == 0)
        {
            env = null;
            if (mustBeLocal || state is null)
            {
                throw new UserError($"{root} has no environment with 'cluster: {{local: {{}}}}'. Add one (environments/local/environment.yaml) or pass --env.");
            }
        }
        else
        {
            throw new UserError($"several local environments ({string.Join(", ", locals.Select(l => l.Name))}); pick one with --env.");
        }
        return new LocalEnvironment(root, files, load, env, state is not null ? StateFolder.For(state) : StateOf(root, env));
    }

    /// <summary>The state folder of <paramref name="environment"/> in the repository at <paramref name="root"/> when no
    /// --state is given: its <c>local.stateDir</c>, else <c>.gitops/</c>.</summary>
    public static StateFolder StateOf(string root, EnvironmentSpec? environment) =>
        StateFolder.For(environment?.Spec.Cluster.Local?.StateDir is { } dir ? Path.Combine(root, dir) : Path.Combine(root, StateFolder.DefaultName));
}
