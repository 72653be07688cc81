using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Diff;
using GitOps.Planning.Rendering;

namespace GitOps.Planning.Plans;

/// <summary>Settings of one planning pass.</summary>
/// <param name="SelfHeal">When false, objects edited by hand in the cluster (drift without a spec change) are left as they are.</param>
public sealed record PlanOptions(bool SelfHeal = true)
{
    public static readonly PlanOptions Default = new();
}

/// <summary>
/// Compares desired objects with observed ones and orders the actions. Pure. Observed objects may come from a
/// live-state file, an in-memory cluster or an API server: only their JSON matters.
/// Only observed objects labelled <c>ml.gitops/managed-by=gitops</c> and <c>ml.gitops/environment=&lt;env&gt;</c>
/// can be updated or deleted, and only kinds the renderer emits (<see cref="ManagedKinds"/>) are pruned: Pods and
/// ReplicaSets carry our labels through pod templates but belong to their controllers. Anything else is never touched.
/// </summary>
public static class Planner
{
    public static Plan Plan(string environment, IReadOnlyList<JsonObject> desired, IReadOnlyList<JsonObject> observed,
        PlanOptions? options = null) =>
        Plan(environment, desired, ObservedObject.Index(observed), options);

    /// <param name="cache">Where objects found equal in an earlier pass are remembered, to skip comparing them again.</param>
    internal static Plan Plan(string environment, IReadOnlyList<JsonObject> desired, IReadOnlyList<ObservedObject> observed,
        PlanOptions? options, RenderCache? cache = null)
    {
        options ??= PlanOptions.Default;
        var observedByKey = new Dictionary<ResourceKey, ObservedObject>(observed.Count);
        foreach (var o in observed)
        {
            observedByKey.TryAdd(o.Key, o);
        }
        // Objects are compared independently (reads only), and each result goes to its own slot, so the plan
        // never depends on scheduling.
        var keys = new ResourceKey[desired.Count];
        var decisions = new (PlanAction? Action, PlanConflict? Conflict)[desired.Count];
        Parallel.For(0, desired.Count, Parallelism.For(desired.Count), i =>
        {
            keys[i] = ObjectKeys.Of(desired[i]);
            decisions[i] = Decide(environment, keys[i], desired[i], observedByKey, options, cache);
        });
        var actions = new List<PlanAction>(desired.Count + 16);
        var conflicts = ImmutableArray.CreateBuilder<PlanConflict>();
        foreach (var (action, conflict) in decisions)
        {
            if (action is not null)
            {
                actions.Add(action);
            }
            if (conflict is not null)
            {
                conflicts.Add(conflict);
            }
        }
        var desiredKeys = new HashSet<ResourceKey>(keys);
        foreach (var (key, o) in observedByKey)
        {
            // Pods and ReplicaSets inherit our labels from templates: only kinds we render are ever pruned.
            if (desiredKeys.Contains(key) || !o.IsOurs(environment) || ManagedKinds.Find(key.ApiVersion, key.Kind) is null)
            {
                continue;
            }
            actions.Add(new PlanAction(key, ActionKind.Delete, Wave.Prune, DeleteReason(o.Object), []) { Observed = o.Object });
        }
        var ordered = actions
            .OrderBy(StepOf)
            .ThenBy(a => a.Key)
            .ToImmutableArray();
        return new Plan(environment, ordered, [.. conflicts.OrderBy(c => c.Key)]);
    }

    private static (PlanAction? Action, PlanConflict? Conflict) Decide(string environment, ResourceKey key, JsonObject d,
        Dictionary<ResourceKey, ObservedObject> observedByKey, PlanOptions options, RenderCache? cache)
    {
        var wave = WaveOf(key.Kind);
        if (!observedByKey.TryGetValue(key, out var observed))
        {
            return (new PlanAction(key, ActionKind.Create, wave, CreateReason(d), []) { Desired = d }, null);
        }
        var o = observed.Object;
        if (!observed.IsOurs(environment))
        {
            var owner = observed.ManagedBy;
            return (null, new PlanConflict(key, owner is null
                ? $"{key} already exists without label {ManagedLabels.ManagedBy}={ManagedLabels.ManagedByValue}: left untouched; delete it or rename the model"
                : $"{key} belongs to environment '{observed.Environment}' (managed-by {owner}): left untouched"));
        }
        if (cache?.KnownToMatch(key, d, o) == true)
        {
            return (new PlanAction(key, ActionKind.Unchanged, wave, "matches the cluster", []) { Desired = d, Observed = o }, null);
        }
        var diff = ObjectDiff.Compare(d, o);
        if (diff.IsEmpty)
        {
            cache?.RememberMatch(key, d, o);
            return (new PlanAction(key, ActionKind.Unchanged, wave, "matches the cluster", []) { Desired = d, Observed = o }, null);
        }
        var specChanged = ObjectKeys.Annotation(o, ManagedLabels.SpecHashAnnotation) != ObjectKeys.Annotation(d, ManagedLabels.SpecHashAnnotation);
        if (!specChanged && !options.SelfHeal)
        {
            return (new PlanAction(key, ActionKind.Unchanged, wave,
                $"edited in the cluster ({Fields(diff)}); left as is because selfHeal is off", diff)
            { Desired = d, Observed = o }, null);
        }
        var reason = specChanged
            ? $"spec changed: {Fields(diff)}"
            : $"drift: edited in the cluster ({Fields(diff)}); restoring the spec";
        return (new PlanAction(key, ActionKind.Update, wave, reason, diff) { Desired = d, Observed = o }, null);
    }

    /// <summary>
    /// The step an action runs in, in ascending order: its wave, and within the prune wave the reverse of the apply
    /// order (routes before the Deployments they point at, Jobs and configuration last). The plan is sorted by it and
    /// the executor runs one step after another, so both follow the same order.
    /// </summary>
    public static (Wave Wave, int Order) StepOf(PlanAction action) =>
        (action.Wave, action.Action == ActionKind.Delete ? -(int)WaveOf(action.Key.Kind) : 0);

    public static Wave WaveOf(string kind) => kind switch
    {
        // Network policies go first, so that no pod ever runs unguarded.
        "ConfigMap" or "NetworkPolicy" => Wave.Config,
        "Job" => Wave.Training,
        "HTTPRoute" or "VirtualService" => Wave.Routing,
        _ => Wave.Serving,
    };

    private static string Fields(ImmutableArray<FieldChange> diff)
    {
        var paths = diff.Select(c => c.Path).Distinct().ToList();
        return paths.Count <= 3 ? string.Join(", ", paths) : $"{string.Join(", ", paths.Take(3))} and {paths.Count - 3} more";
    }

    private static string CreateReason(JsonObject d)
    {
        var model = ObjectKeys.Label(d, ManagedLabels.Model);
        var version = ObjectKeys.Label(d, ManagedLabels.Version);
        var track = ObjectKeys.Label(d, ManagedLabels.Track);
        if (model is null)
        {
            return "environment-wide: not in the cluster";
        }
        return track switch
        {
            ModelRenderer.TrackTraining => $"train {model} version {version}: no trained artifact yet",
            ModelRenderer.TrackCanary => $"canary of {model} version {version}",
            _ => $"{model} {version}: not in the cluster",
        };
    }

    private static string DeleteReason(JsonObject o)
    {
        var model = ObjectKeys.Label(o, ManagedLabels.Model);
        var track = ObjectKeys.Label(o, ManagedLabels.Track);
        if (model is null)
        {
            return "prune: no longer rendered for the environment";
        }
        return track == ModelRenderer.TrackTraining
            ? $"prune: training Job of {model} no longer wanted (trained, or its inputs changed)"
            : $"prune: no longer rendered for {model} (removed from Git, from this environment, or no longer needed)";
    }
}
