using System.Collections.Immutable;

namespace GitOps.Planning.Monitoring;

/// <summary>One Prometheus alerting rule: fires while <see cref="Expr"/> returns series for <see cref="For"/>.</summary>
public sealed record AlertRule(
    string Alert,
    string Expr,
    string? For,
    ImmutableSortedDictionary<string, string> Labels,
    ImmutableSortedDictionary<string, string> Annotations);

/// <summary>A rule group: rules Prometheus evaluates together, on its evaluation interval.</summary>
public sealed record RuleGroup(string Name, ImmutableArray<AlertRule> Rules);

/// <summary>Where the rules run: the environment and namespace they watch, the base URL of docs/runbooks.md, and
/// whether a reconciler with leader election exports <c>gitops_leader</c> there (not in the local runtime).</summary>
public sealed record AlertScope(string Environment, string Namespace, string RunbookBase, bool LeaderElection);

/// <summary>Alert severities: <c>page</c> wakes someone; <c>ticket</c> waits for working hours.</summary>
public static class Severities
{
    public const string Page = "page";
    public const string Ticket = "ticket";
}
