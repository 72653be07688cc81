using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.BuiltinRules;

/// <summary>
/// GITOPS0407: a rollout policy with analysis steps measures the canary in Prometheus; used in an environment without
/// <c>prometheus</c> every analysis would end with no data and the rollout could never promote.
/// </summary>
public sealed class AnalysisNeedsPrometheusRule : IBuiltinRule
{
    public string Id => PolicyRuleIds.AnalysisWithoutPrometheus;

    public IEnumerable<Diagnostic> Check(SpecSet specs)
    {
        var uses = ServedModel.All(specs)
            .Where(s => s.Environment.Spec.Prometheus is null && s.Rollout is not null)
            .GroupBy(s => (Rollout: s.Rollout!, Environment: s.Environment.Name))
            .OrderBy(g => g.Key.Rollout, StringComparer.Ordinal).ThenBy(g => g.Key.Environment, StringComparer.Ordinal);
        foreach (var use in uses)
        {
            if (specs.RolloutPolicy(use.Key.Rollout) is not { } rollout)
            {
                continue;
            }
            var step = rollout.Spec.Steps.Select((s, i) => s.Analysis is { IsDefaultOrEmpty: false } ? i : -1).FirstOrDefault(i => i >= 0, -1);
            if (step < 0)
            {
                continue;
            }
            var models = string.Join(", ", use.Select(s => s.Model.Name).Distinct().Order(StringComparer.Ordinal));
            yield return new Diagnostic(Id, Severity.Error, rollout.Origin.Key($"spec.steps[{step}].analysis"),
                $"RolloutPolicy '{rollout.Name}' runs analysis, but environment '{use.Key.Environment}' has no prometheus (used by {models})",
                "set spec.prometheus.url in that environment, or use a rollout policy without analysis there");
        }
    }
}
