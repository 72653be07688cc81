using System.Collections.Immutable;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Registry;
using GitOps.Reconciler.Rollouts;
using GitOps.Specs.Model;

namespace GitOps.Reconciler.WebConsole;

/// <summary>An environment the console shows: its name, the namespace its rollouts live in, and its Prometheus, if any.</summary>
public sealed record ConsoleEnvironment(string Name, string Namespace, Uri? Prometheus)
{
    /// <summary>The environments named, with the namespace and Prometheus the specs give them (when the specs define them).</summary>
    public static ImmutableArray<ConsoleEnvironment> From(SpecSet? specs, IEnumerable<string> names) =>
        [.. names.Select(name => specs?.Environment(name) is { } env
            ? new ConsoleEnvironment(name, env.Spec.Namespace,
                env.Spec.Prometheus?.Url is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : null)
            : new ConsoleEnvironment(name, "default", null))];
}

/// <summary>
/// Where the console reads from (it never writes): each environment's status as <c>gitops status</c> shows it, the
/// rollout state store, the registry facts and the specs (rollout policies, drift limits). The reconciler reads its status
/// ConfigMaps; <c>gitops up</c> reads its state folder.
/// </summary>
public sealed record ConsoleSources
{
    /// <summary>The environments served, read on every request (the specs may change with each commit).</summary>
    public required Func<ImmutableArray<ConsoleEnvironment>> Environments { get; init; }

    /// <summary>An environment's status view.</summary>
    public required Func<string, CancellationToken, Task<EnvironmentStatusView>> Status { get; init; }

    public IRolloutStateStore? Rollouts { get; init; }

    public IRegistryFactStore? Facts { get; init; }

    /// <summary>The specs last loaded (rollout policies, drift limits); null before any commit was loaded.</summary>
    public Func<SpecSet?> Specs { get; init; } = () => null;
}
