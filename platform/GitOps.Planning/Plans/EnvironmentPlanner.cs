using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Planning.Plans;

/// <summary>The plan of one environment: object actions, the ML summary and anything that kept it from planning.</summary>
public sealed record EnvironmentPlan(
    string Environment,
    string Namespace,
    Plan Plan,
    MlSummary Summary,
    ImmutableArray<Diagnostic> Diagnostics,
    RenderStats Stats)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>The plans of every environment planned for one commit.</summary>
public sealed record RepositoryPlan(string Commit, ImmutableArray<EnvironmentPlan> Environments)
{
    public bool HasChanges => Environments.Any(e => e.Plan.HasChanges);

    public bool HasErrors => Environments.Any(e => e.HasErrors);
}

/// <summary>Render → diff → plan → summary for environments of one commit. Pure.</summary>
public static class EnvironmentPlanner
{
    /// <summary>
    /// Plans <paramref name="environments"/>. <paramref name="observed"/> may hold objects of every environment; each
    /// plan only considers objects of its own. An environment whose render has errors gets no actions at all (never
    /// a prune computed from a partial render).
    /// </summary>
    public static RepositoryPlan Plan(SpecSet specs, IEnumerable<string> environments, RegistryFacts facts,
        RenderContext context, IReadOnlyList<JsonObject> observed, RenderCache? cache = null)
    {
        var index = ObservedObject.Index(observed);
        return new RepositoryPlan(context.Commit,
            [.. InPlanOrder(environments).Select(e => PlanEnvironment(specs, e, facts, context, index, cache))]);
    }

    /// <summary>
    /// The order in which <see cref="Plan"/> plans and reports environments: each once, by name. A caller that plans
    /// one environment at a time with <see cref="PlanEnvironment(SpecSet, string, RegistryFacts, RenderContext, IReadOnlyList{JsonObject}, RenderCache?, bool)"/>,
    /// writes each plan out and lets it go before planning the next, holds one environment's objects at once.
    /// </summary>
    public static IEnumerable<string> InPlanOrder(IEnumerable<string> environments) =>
        environments.Distinct().Order(StringComparer.Ordinal);

    /// <param name="desiredAsText">The plan's actions keep the objects to apply as their JSON text instead of trees
    /// (<see cref="PlanAction.DesiredText"/>): for a caller that applies them, not one that prints them.</param>
    public static EnvironmentPlan PlanEnvironment(SpecSet specs, string environment, RegistryFacts facts,
        RenderContext context, IReadOnlyList<JsonObject> observed, RenderCache? cache = null, bool desiredAsText = false) =>
        PlanEnvironment(specs, environment, facts, context, ObservedObject.Index(observed), cache, desiredAsText);

    /// <summary>
    /// Renders and decides model by model: each model's objects are compared with the cluster as soon as they are
    /// rendered, and the trees of objects that match it are let go at once, so a pass holds the desired trees of its
    /// changes only, never of every object. With a <paramref name="cache"/>, a model whose inputs and objects in the
    /// cluster have not moved since it last matched is neither rendered nor compared.
    /// </summary>
    private static EnvironmentPlan PlanEnvironment(SpecSet specs, string environment, RegistryFacts facts,
        RenderContext context, ObservedObject[] observed, RenderCache? cache, bool desiredAsText = false)
    {
        if (specs.Environment(environment) is not { } env)
        {
            var unknown = Renderer.UnknownEnvironment(specs, environment);
            return new EnvironmentPlan(environment, unknown.Namespace, new Plan(environment, [], []), MlSummary.Empty,
                unknown.Diagnostics, unknown.Stats);
        }
        // Only objects in this environment's namespace can collide with ours, only ours labelled with it can be pruned.
        var relevant = observed.Where(o => o.Key.Namespace == env.Spec.Namespace || o.Environment == environment).ToList();
        var comparison = new Planner.Comparison(environment, relevant, new PlanOptions(env.Spec.SelfHeal), desiredAsText);
        var served = Renderer.Served(specs, environment);
        var units = new PlannedModel[served.Count];
        // Models render and compare independently; results are collected by index, so the plan never depends on scheduling.
        Parallel.For(0, served.Count, Parallelism.For(served.Count),
            i => units[i] = PlanModel(specs, env, served[i], facts, context, comparison, cache));
        cache?.Retain(environment, served);
        var shared = Renderer.EnvironmentObjects(specs, env, context);
        var sharedKeys = shared.Select(ObjectKeys.Of).ToList();
        var keys = units.SelectMany(u => u.Keys).Concat(sharedKeys).Order().ToList();
        var models = units.Select(u => u.Model).OfType<RenderedModel>().ToImmutableArray();
        var diagnostics = units.SelectMany(u => u.Diagnostics).Concat(Renderer.Collisions(keys, environment)).ToImmutableArray();
        var reused = units.Count(u => u.Reused);
        var stats = new RenderStats(served.Count - reused, reused);
        if (diagnostics.Any(d => d.IsError))
        {
            return new EnvironmentPlan(environment, env.Spec.Namespace, new Plan(environment, [], []), MlSummary.Empty,
                diagnostics, stats);
        }
        var decisions = units.SelectMany(u => u.Decisions).Concat(shared.Select((o, i) => comparison.Decide(sharedKeys[i], o)));
        var plan = comparison.Finish(decisions, keys);
        var summary = Summarize(specs, env, facts, models, plan, relevant);
        return new EnvironmentPlan(environment, env.Spec.Namespace, plan, summary,
            diagnostics.AddRange(PromotionReadiness.Check(env, facts, models)), stats);
    }

    /// <summary>One model's objects as decided: their keys, the decision for each, and what the renderer decided.</summary>
    private sealed record PlannedModel(
        ImmutableArray<ResourceKey> Keys,
        ImmutableArray<Planner.Decision> Decisions,
        RenderedModel? Model,
        ImmutableArray<Diagnostic> Diagnostics,
        bool Reused);

    private static PlannedModel PlanModel(SpecSet specs, EnvironmentSpec env, ModelSpec model, RegistryFacts facts,
        RenderContext context, Planner.Comparison comparison, RenderCache? cache)
    {
        var inputs = Renderer.ModelInputs.Of(specs, env, model);
        var inputHash = cache is null ? "" : Renderer.InputHash(cache, env, inputs, facts);
        if (cache is not null && cache.TryGet(env.Name, model.Name, inputHash, out var entry) && StillMatches(entry, comparison))
        {
            return new PlannedModel(entry.Keys, [.. entry.Keys.Select(comparison.Unchanged)], entry.Model, entry.Diagnostics, Reused: true);
        }
        var unit = Renderer.RenderModel(env, inputs, facts, context);
        var keys = unit.Objects.Select(ObjectKeys.Of).ToImmutableArray();
        var decisions = keys.Select((key, j) => comparison.Decide(key, unit.Objects[j])).ToImmutableArray();
        cache?.Put(env.Name, model.Name, new RenderCache.Entry(inputHash, keys,
            [.. keys.Select((key, j) => decisions[j].Matches ? comparison.IdentityOf(key) : null)], unit.Model, unit.Diagnostics));
        return new PlannedModel(keys, decisions, unit.Model, unit.Diagnostics, Reused: false);
    }

    /// <summary>Every object of the entry matched the cluster in the version the cluster still has.</summary>
    private static bool StillMatches(RenderCache.Entry entry, Planner.Comparison comparison)
    {
        for (var i = 0; i < entry.Keys.Length; i++)
        {
            if (entry.Matched[i] is not { } matched || comparison.IdentityOf(entry.Keys[i]) != matched)
            {
                return false;
            }
        }
        return true;
    }

    private static MlSummary Summarize(SpecSet specs, EnvironmentSpec env, RegistryFacts facts, ImmutableArray<RenderedModel> rendered,
        Plan plan, IReadOnlyList<ObservedObject> observed)
    {
        var models = ImmutableArray.CreateBuilder<ModelChange>();
        var training = ImmutableArray.CreateBuilder<TrainingStart>();
        var rollouts = ImmutableArray.CreateBuilder<RolloutStart>();
        var gates = ImmutableArray.CreateBuilder<GateCheck>();
        var warnings = ImmutableArray.CreateBuilder<string>();
        var created = plan.Actions.Where(a => a.Action == ActionKind.Create).Select(a => a.Key.Name).ToHashSet();

        foreach (var m in rendered)
        {
            var served = facts.For(m.Model).In(env.Name);
            var from = served.StableVersion;
            var to = m.DesiredVersion;
            string change, detail;
            if (from is null)
            {
                change = "new";
                detail = m.Training is not null ? "first version: train, then serve"
                    : env.Spec.Promotion is { } p ? $"first version: received from {p.From} after its soak, then served"
                    : "first version: serve";
            }
            else if (from == to)
            {
                change = "unchanged";
                detail = "serving the current version";
            }
            else
            {
                change = "changed";
                detail = m.Training is not null ? "new version: train, check gates, then roll out"
                    : env.Spec.Promotion is { } p ? $"new version: received from {p.From} after its soak, check gates, then roll out"
                    : "new version: check gates, then roll out";
            }
            if (m.Held is { } held)
            {
                change = held.State;
                detail = from is null ? $"{held.Reason}; nothing is served" : $"{held.Reason}; {from} keeps serving";
            }
            models.Add(new ModelChange(m.Model, from, to, change, detail));

            if (m.Training is { } t && created.Contains(t.JobName))
            {
                training.Add(new TrainingStart(m.Model, t.Version, t.JobName, t.Gpus, t.Pool, t.GpuResource, t.Timeout,
                    t.TimeoutSeconds, t.Retries, t.GpuHours, t.EstimatedCost));
                var pool = env.Spec.GpuPools.FirstOrDefault(p => p.Name == t.Pool);
                if (pool is not null && pool.Quota > 0 && t.Gpus > pool.Quota)
                {
                    warnings.Add($"{m.Model}: training asks for {t.Gpus} GPUs but pool '{pool.Name}' allows {pool.Quota} per workload");
                }
            }

            if (from is not null && from != to && m.Held is null)
            {
                var policy = m.RolloutPolicy is null ? null : specs.RolloutPolicy(m.RolloutPolicy);
                var strategy = policy?.Spec.Strategy ?? RolloutStrategies.Direct;
                var state = m.CanaryVersion == to
                    ? $"in progress: canary at {m.CanaryWeight}%"
                    : m.Training is not null ? "starts after training and gates" : m.StableVersion == to ? "switches directly" : "starts after gates";
                rollouts.Add(new RolloutStart(m.Model, from, to, strategy, m.RolloutPolicy,
                    policy is null ? ["switch all traffic at once"] : [.. policy.Spec.Steps.Select(Describe)], state));
            }

            if (from != to)
            {
                foreach (var gate in m.Gates)
                {
                    var spec = specs.QualityGate(gate);
                    gates.Add(new GateCheck(m.Model, to, gate,
                        spec is null ? ["(gate not defined)"] : [.. spec.Spec.Rules.Select(r => $"{r.Name}: {r.Condition}")]));
                }
                if (PromotionReadiness.Warning(env, facts, m) is { } promotionWarning)
                {
                    warnings.Add(promotionWarning);
                }
            }
        }

        var renderedNames = rendered.Select(m => m.Model).ToHashSet();
        foreach (var removed in observed
                     .Where(o => o.IsOurs(env.Name) && ManagedKinds.Find(o.Key.ApiVersion, o.Key.Kind) is not null)
                     .Where(o => o.Model is not null && !renderedNames.Contains(o.Model))
                     .GroupBy(o => o.Model!, StringComparer.Ordinal)
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var version = facts.For(removed.Key).In(env.Name).StableVersion;
            models.Add(new ModelChange(removed.Key, version, null, "removed",
                $"no longer served here: {removed.Count()} object(s) pruned"));
        }
        foreach (var conflict in plan.Conflicts)
        {
            warnings.Add(conflict.Reason);
        }
        return new MlSummary(models.ToImmutable(), training.ToImmutable(), rollouts.ToImmutable(), gates.ToImmutable(),
            warnings.ToImmutable());
    }

    /// <summary>One rollout step in words: <c>weight 10%</c>, <c>pause 5m</c>, <c>analysis error-rate</c>.</summary>
    public static string Describe(RolloutStep step)
    {
        if (step.SetWeight is { } w)
        {
            return $"weight {w.ToString(CultureInfo.InvariantCulture)}%";
        }
        if (step.PauseUntilPromoted)
        {
            return "pause until promoted";
        }
        if (step.Pause is { } p)
        {
            return $"pause {p}";
        }
        if (step.Analysis is { } a)
        {
            return $"analysis {string.Join(", ", a)}";
        }
        if (step.SetHeaderRoute is { } h)
        {
            return $"header route {h.Header}={h.Value}";
        }
        if (step.Mirror is { } mirror)
        {
            return $"mirror {mirror.ToString(CultureInfo.InvariantCulture)}%";
        }
        return "(empty step)";
    }
}
