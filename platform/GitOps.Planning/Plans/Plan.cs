using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Diff;

namespace GitOps.Planning.Plans;

/// <summary>What to do with one object.</summary>
public enum ActionKind
{
    Create,
    Update,
    Unchanged,
    Delete,
}

/// <summary>
/// The order objects are applied in: configuration before the training Jobs that read it, serving before the
/// routes that send traffic to it; deletions (prune) come last, routes first so no traffic reaches a removed backend.
/// </summary>
public enum Wave
{
    Config = 1,
    Training = 2,
    Serving = 3,
    Routing = 4,
    Prune = 5,
}

/// <summary>One step of a plan. <see cref="Diff"/> lists the fields that change (empty for create, delete and unchanged).</summary>
public sealed record PlanAction(
    ResourceKey Key,
    ActionKind Action,
    Wave Wave,
    string Reason,
    ImmutableArray<FieldChange> Diff)
{
    private readonly JsonObject? _desired;

    /// <summary>The object to apply (create/update; an unchanged object that differs from the cluster while selfHeal is
    /// off), or null for a delete and for an object that matches the cluster. When the plan keeps it as
    /// <see cref="DesiredText"/>, each read parses a new tree from that text.</summary>
    public JsonObject? Desired
    {
        get => _desired ?? (DesiredText is { } text ? (JsonObject)DetachedJson.Parse(text)! : null);
        init => _desired = value;
    }

    /// <summary>The object to apply as compact UTF-8 JSON (keys in the tree's order), when the plan was made to keep
    /// text rather than trees (the reconciler: a first pass creates every object, and a tree weighs several times its
    /// text).</summary>
    public byte[]? DesiredText { get; init; }

    private readonly JsonObject? _observed;

    /// <summary>The object in the cluster (update/unchanged/delete), or null for a create. When the plan keeps it as
    /// <see cref="ObservedCompact"/>, each read builds a new tree from that.</summary>
    public JsonObject? Observed
    {
        get => _observed ?? ObservedCompact?.Tree();
        init => _observed = value;
    }

    /// <summary>The object in the cluster as it was observed compactly (a reconciler's listing or watch): a plan holds
    /// no tree of an object it leaves alone.</summary>
    public CompactObject? ObservedCompact { get; init; }

    public bool IsChange => Action is not ActionKind.Unchanged;
}

/// <summary>An object we want that already exists without our <c>managed-by</c> label: it is never touched.</summary>
public sealed record PlanConflict(ResourceKey Key, string Reason);

/// <summary>The ordered actions for one environment.</summary>
public sealed record Plan(string Environment, ImmutableArray<PlanAction> Actions, ImmutableArray<PlanConflict> Conflicts)
{
    public bool HasChanges => Actions.Any(a => a.IsChange);

    public int Count(ActionKind kind) => Actions.Count(a => a.Action == kind);

    public IEnumerable<PlanAction> Changes => Actions.Where(a => a.IsChange);
}
