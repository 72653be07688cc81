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
        PlanOptions? options = null)
    {
        var comparison = new Comparison(environment, ObservedObject.Index(observed), options ?? PlanOptions.Default);
        // Objects are compared independently (reads only), and each result goes to its own slot, so the plan
        // never depends on scheduling.
        var keys = new ResourceKey[desired.Count];
        var decisions = new Decision[desired.Count];
        Parallel.For(0, desired.Count, Parallelism.For(desired.Count), i =>
        {
            keys[i] = ObjectKeys.Of(desired[i]);
            decisions[i] = comparison.Decide(keys[i], desired[i]);
        });
        return comparison.Finish(decisions, keys);
    }

    /// <summary>What was decided for one desired object: an action, or a conflict with an object that is not ours.</summary>
    internal readonly record struct Decision(PlanAction? Action, PlanConflict? Conflict)
    {
        /// <summary>The object matches the cluster: nothing to do, and nothing to remember of the desired tree.</summary>
        public bool Matches => Action is { Action: ActionKind.Unchanged, Diff.IsDefaultOrEmpty: true };
    }

    /// <summary>
    /// The observed objects of one environment, indexed once, against which desired objects are decided one by one as
    /// they are rendered (from several threads: reads only), then turned into the ordered plan with the prunes. An
    /// object that matches the cluster keeps no desired tree in its action, so a caller that renders and decides model
    /// by model never holds the trees of unchanged objects.
    /// </summary>
    internal sealed class Comparison
    {
        private readonly string _environment;
        private readonly PlanOptions _options;
        private readonly bool _desiredAsText;
        private readonly Dictionary<ResourceKey, ObservedObject> _observed;

        /// <param name="desiredAsText">Actions keep the objects to apply as their JSON text (<see cref="PlanAction.DesiredText"/>).</param>
        public Comparison(string environment, IReadOnlyList<ObservedObject> observed, PlanOptions options, bool desiredAsText = false)
        {
            _environment = environment;
            _options = options;
            _desiredAsText = desiredAsText;
            _observed = new Dictionary<ResourceKey, ObservedObject>(observed.Count);
            foreach (var o in observed)
            {
                _observed.TryAdd(o.Key, o);
            }
        }

        /// <summary>The identity (<see cref="RenderCache.ObservedIdentity"/>) of our observed object under
        /// <paramref name="key"/>, or null when there is none, it is not ours, or it has no resourceVersion.</summary>
        public string? IdentityOf(ResourceKey key) =>
            _observed.TryGetValue(key, out var o) && o.IsOurs(_environment) ? o.Identity : null;

        /// <summary>An object already found to match the cluster in this very version.</summary>
        public Decision Unchanged(ResourceKey key) =>
            new(Observing(new PlanAction(key, ActionKind.Unchanged, WaveOf(key.Kind), "matches the cluster", []), _observed[key]), null);

        public Decision Decide(ResourceKey key, JsonObject d)
        {
            var wave = WaveOf(key.Kind);
            if (!_observed.TryGetValue(key, out var observed))
            {
                return new(Keep(new PlanAction(key, ActionKind.Create, wave, CreateReason(d), []), d), null);
            }
            if (!observed.IsOurs(_environment))
            {
                var owner = observed.ManagedBy;
                return new(null, new PlanConflict(key, owner is null
                    ? $"{key} already exists without label {ManagedLabels.ManagedBy}={ManagedLabels.ManagedByValue}: left untouched; delete it or rename the model"
                    : $"{key} belongs to environment '{observed.Environment}' (managed-by {owner}): left untouched"));
            }
            // Built for this comparison only: the action keeps the observed object as it was given.
            var o = observed.Object;
            var diff = ObjectDiff.Compare(d, o);
            if (diff.IsEmpty)
            {
                return new(Observing(new PlanAction(key, ActionKind.Unchanged, wave, "matches the cluster", []), observed), null);
            }
            var specChanged = ObjectKeys.Annotation(o, ManagedLabels.SpecHashAnnotation) != ObjectKeys.Annotation(d, ManagedLabels.SpecHashAnnotation);
            if (!specChanged && !_options.SelfHeal)
            {
                return new(Keep(Observing(new PlanAction(key, ActionKind.Unchanged, wave,
                    $"edited in the cluster ({Fields(diff)}); left as is because selfHeal is off", diff), observed), d), null);
            }
            var reason = specChanged
                ? $"spec changed: {Fields(diff)}"
                : $"drift: edited in the cluster ({Fields(diff)}); restoring the spec";
            return new(Keep(Observing(new PlanAction(key, ActionKind.Update, wave, reason, diff), observed), d), null);
        }

        private static PlanAction Observing(PlanAction action, ObservedObject observed) =>
            action with { Observed = observed.Held, ObservedCompact = observed.Compact };

        private PlanAction Keep(PlanAction action, JsonObject desired) => _desiredAsText
            ? action with { DesiredText = DetachedJson.ToUtf8(desired) }
            : action with { Desired = desired };

        /// <summary>The plan: the decided actions, a prune for every object of ours not in <paramref name="desired"/>,
        /// in the order they run; conflicts by key.</summary>
        public Plan Finish(IEnumerable<Decision> decisions, IEnumerable<ResourceKey> desired)
        {
            var actions = new List<PlanAction>(_observed.Count + 16);
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
            var desiredKeys = new HashSet<ResourceKey>(desired);
            foreach (var (key, o) in _observed)
            {
                // Pods and ReplicaSets inherit our labels from templates: only kinds we render are ever pruned.
                if (desiredKeys.Contains(key) || !o.IsOurs(_environment) || ManagedKinds.Find(key.ApiVersion, key.Kind) is null)
                {
                    continue;
                }
                actions.Add(Observing(new PlanAction(key, ActionKind.Delete, Wave.Prune, DeleteReason(o.Model, o.Object), []), o));
            }
            var ordered = actions
                .OrderBy(StepOf)
                .ThenBy(a => a.Key)
                .ToImmutableArray();
            return new Plan(_environment, ordered, [.. conflicts.OrderBy(c => c.Key)]);
        }
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
        "HTTPRoute" or "GRPCRoute" or "VirtualService" => Wave.Routing,
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

    private static string DeleteReason(string? model, JsonObject o)
    {
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
