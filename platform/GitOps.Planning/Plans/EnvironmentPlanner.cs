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
        return new RepositoryPlan(context.Commit, [.. PlanEach(specs, environments, facts, context, observed, cache)]);
    }

    /// <summary>
    /// The plans of <see cref="Plan"/>, one environment at a time, each planned only when it is asked for: a caller
    /// that writes each plan out and lets it go holds the objects of one environment at once, never of all of them.
    /// </summary>
    public static IEnumerable<EnvironmentPlan> PlanEach(SpecSet specs, IEnumerable<string> environments, RegistryFacts facts,
        RenderContext context, IReadOnlyList<JsonObject> observed, RenderCache? cache = null)
    {
        var index = ObservedObject.Index(observed);
        foreach (var e in environments.Distinct().Order(StringComparer.Ordinal))
        {
            yield return PlanEnvironment(specs, e, facts, context, index, cache);
        }
    }

    public static EnvironmentPlan PlanEnvironment(SpecSet specs, string environment, RegistryFacts facts,
        RenderContext context, IReadOnlyList<JsonObject> observed, RenderCache? cache = null) =>
        PlanEnvironment(specs, environment, facts, context, ObservedObject.Index(observed), cache);

    private static EnvironmentPlan PlanEnvironment(SpecSet specs, string environment, RegistryFacts facts,
        RenderContext context, ObservedObject[] observed, RenderCache? cache)
    {
        var render = Renderer.Render(specs, environment, facts, context, cache);
        if (render.HasErrors)
        {
            return new EnvironmentPlan(environment, render.Namespace, new Plan(environment, [], []), MlSummary.Empty,
                render.Diagnostics, render.Stats);
        }
        var env = specs.Environment(environment)!;
        // Only objects in this environment's namespace can collide with ours, only ours labelled with it can be pruned.
        var relevant = observed.Where(o => o.Key.Namespace == env.Spec.Namespace || o.Environment == environment).ToList();
        var plan = Planner.Plan(environment, render.Objects, relevant, new PlanOptions(env.Spec.SelfHeal), cache);
        var summary = Summarize(specs, env, facts, render, plan, relevant);
        return new EnvironmentPlan(environment, render.Namespace, plan, summary,
            render.Diagnostics.AddRange(PromotionReadiness.Check(env, facts, render.Models)), render.Stats);
    }

    private static MlSummary Summarize(SpecSet specs, EnvironmentSpec env, RegistryFacts facts, RenderResult render,
        Plan plan, IReadOnlyList<ObservedObject> observed)
    {
        var models = ImmutableArray.CreateBuilder<ModelChange>();
        var training = ImmutableArray.CreateBuilder<TrainingStart>();
        var rollouts = ImmutableArray.CreateBuilder<RolloutStart>();
        var gates = ImmutableArray.CreateBuilder<GateCheck>();
        var warnings = ImmutableArray.CreateBuilder<string>();
        var created = plan.Actions.Where(a => a.Action == ActionKind.Create).Select(a => a.Key.Name).ToHashSet();

        foreach (var m in render.Models)
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

        var rendered = render.Models.Select(m => m.Model).ToHashSet();
        foreach (var removed in observed
                     .Where(o => o.IsOurs(env.Name) && ManagedKinds.Find(o.Key.ApiVersion, o.Key.Kind) is not null)
                     .Select(o => (Model: ObjectKeys.Label(o.Object, ManagedLabels.Model), o.Object))
                     .Where(p => p.Model is not null && !rendered.Contains(p.Model))
                     .GroupBy(p => p.Model!, StringComparer.Ordinal)
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
