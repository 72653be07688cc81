using System.Collections.Immutable;
using GitOps.Planning.Rendering;
using GitOps.Specs;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Planning.Plans;

/// <summary>
/// What a plan can say about a promoted environment (<c>promotion.from</c>) from the registry facts it was given. When
/// the facts show what the source environment serves and it is not the version this commit would deploy, the plan has
/// an error (GITOPS0630): the reconciler would hold the version as waiting, so the plan must not promise it. When the
/// source serves it, or the plan cannot see the source at all, the soak is the reconciler's to judge (from the
/// source's deploy history, which a plan does not read) and the plan only warns.
/// </summary>
public static class PromotionReadiness
{
    public static IEnumerable<Diagnostic> Check(EnvironmentSpec env, RegistryFacts facts, IEnumerable<RenderedModel> models)
    {
        if (env.Spec.Promotion is not { } promotion)
        {
            yield break;
        }
        foreach (var m in models.Where(m => NeedsPromotion(env, facts, m)))
        {
            var known = facts.For(m.Model);
            if (!known.Environments.TryGetValue(promotion.From, out var source) || source.StableVersion == m.DesiredVersion)
            {
                continue;
            }
            var serves = source.StableVersion is null ? "nothing" : source.StableVersion;
            var keeps = m.StableVersion is null ? "nothing is served there" : $"{m.StableVersion} keeps serving";
            yield return new Diagnostic(PlanningDiagnostics.PromotionNotReady, Severity.Error, env.Origin.Value("spec.promotion.from"),
                $"{env.Name} would deploy {m.Model} {m.DesiredVersion}, but {promotion.From} does not serve it as stable ({promotion.From} serves {serves}); "
                + $"{env.Name} never trains, so the version waits and {keeps}",
                $"let {promotion.From} roll out {m.DesiredVersion} and serve it as stable for the soak ({promotion.Soak ?? "0s"}) first, then apply");
        }
    }

    /// <summary>The plan's warning for <paramref name="m"/>, or null: the soak is still to be judged by the reconciler.</summary>
    public static string? Warning(EnvironmentSpec env, RegistryFacts facts, RenderedModel m)
    {
        if (env.Spec.Promotion is not { } promotion || !NeedsPromotion(env, facts, m))
        {
            return null;
        }
        var soak = promotion.Soak ?? "0s";
        return facts.For(m.Model).Environments.TryGetValue(promotion.From, out var source)
            ? source.StableVersion == m.DesiredVersion
                ? $"{env.Name} receives {m.Model} {m.DesiredVersion} once {promotion.From} has served it as stable for {soak} (the reconciler reads {promotion.From}'s deploy history)"
                : null
            : $"{env.Name} would deploy {m.Model} {m.DesiredVersion} only once {promotion.From} has served it as stable for {soak}; this plan cannot see {promotion.From} (pass its live state too)";
    }

    /// <summary>A version this environment does not serve yet, not held and not already received.</summary>
    private static bool NeedsPromotion(EnvironmentSpec env, RegistryFacts facts, RenderedModel m) =>
        m.StableVersion != m.DesiredVersion && m.CanaryVersion != m.DesiredVersion && m.Held is null
        && !facts.For(m.Model).IsTrained(m.DesiredVersion) && env.Spec.Promotion is not null;
}
