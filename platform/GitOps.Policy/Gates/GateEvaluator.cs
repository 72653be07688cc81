using System.Collections.Immutable;
using System.Globalization;
using GitOps.Policy.Expressions;
using GitOps.Specs.Model;

namespace GitOps.Policy.Gates;

/// <summary>
/// Decides whether a candidate version passes a <c>kind: QualityGate</c>. Pure: the caller supplies the candidate's
/// metrics, the champion's metrics (null when there is none yet) and the model facts.
/// </summary>
public static class GateEvaluator
{
    public const string OnNoChampionPass = "pass";
    public const string OnNoChampionFail = "fail";

    /// <summary>
    /// Evaluates every rule. Without a champion, rules that read <c>champion</c> follow <c>onNoChampion</c>
    /// (pass or fail) and the other rules are still evaluated. A rule that cannot be evaluated (missing metric,
    /// type error, syntax error, non-boolean result) fails: a gate never passes by accident.
    /// </summary>
    public static GateResult Evaluate(QualityGateSpec gate, IReadOnlyDictionary<string, double> metrics,
        IReadOnlyDictionary<string, double>? championMetrics, ModelFacts model)
    {
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["metrics"] = ToVariable(metrics),
            ["champion"] = championMetrics is null
                ? null
                : new Dictionary<string, object?>(StringComparer.Ordinal) { ["metrics"] = ToVariable(championMetrics) },
            ["model"] = model.ToVariable(),
        };
        var onNoChampion = gate.Spec.OnNoChampion?.ToLowerInvariant() ?? OnNoChampionPass;
        var results = ImmutableArray.CreateBuilder<GateRuleResult>(gate.Spec.Rules.Length);
        foreach (var rule in gate.Spec.Rules)
        {
            results.Add(EvaluateRule(rule, variables, championMetrics is null, onNoChampion));
        }
        return new GateResult(gate.Name, results.MoveToImmutable());
    }

    private static GateRuleResult EvaluateRule(GateRule rule, Dictionary<string, object?> variables, bool noChampion, string onNoChampion)
    {
        var compiled = CelExpressions.Compile(rule.Condition);
        if (CelExpressions.Check(rule.Condition, ExpressionChecks.GateVariables) is { } problem)
        {
            return new GateRuleResult(rule.Name, false, $"the condition is invalid: {problem.Message}");
        }
        if (noChampion && compiled.Shape.Uses("champion"))
        {
            return onNoChampion == OnNoChampionFail
                ? new GateRuleResult(rule.Name, false, "there is no champion to compare with (onNoChampion: fail)")
                : new GateRuleResult(rule.Name, true, "there is no champion to compare with (onNoChampion: pass)");
        }
        var outcome = CelExpressions.Evaluate(compiled, variables);
        if (outcome.Failure is { } failure)
        {
            var reason = failure is { Kind: CelFailureKind.MissingField, Field: { } field, Parent: "metrics" or "champion.metrics" }
                ? $"metric '{field}' was not reported for the {(failure.Parent == "metrics" ? "candidate" : "champion")}"
                : $"the condition could not be evaluated: {failure.Message}";
            return new GateRuleResult(rule.Name, false, reason);
        }
        var values = Values(compiled.Shape, variables);
        return outcome.Value switch
        {
            true => new GateRuleResult(rule.Name, true, $"{rule.Condition} is true{values}"),
            false => new GateRuleResult(rule.Name, false, FailureReason(rule, variables, values)),
            _ => new GateRuleResult(rule.Name, false,
                $"the condition evaluated to {outcome.Value?.GetType().Name ?? "null"}, not a boolean"),
        };
    }

    /// <summary><c>auc 0.81 &lt; 0.85</c> (after the rule's message when it has one) for a comparison, else the
    /// message or the condition with the values read.</summary>
    private static string FailureReason(GateRule rule, Dictionary<string, object?> variables, string values) =>
        GateComparison.Explain(rule.Condition, variables) is { } comparison
            ? rule.Message is { } message ? $"{message}: {comparison}" : comparison
            : $"{rule.Message ?? rule.Condition + " is false"}{values}";

    private static Dictionary<string, object?> ToVariable(IReadOnlyDictionary<string, double> metrics) =>
        metrics.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal);

    /// <summary>The values the condition read, e.g. <c> (metrics.auc = 0.81, champion.metrics.auc = 0.83)</c>.</summary>
    private static string Values(ExpressionShape shape, Dictionary<string, object?> variables)
    {
        var parts = new List<string>();
        foreach (var path in shape.Selections.Select(s => string.Join('.', s)).Distinct().Order(StringComparer.Ordinal))
        {
            object? node = variables;
            foreach (var segment in path.Split('.'))
            {
                node = node is Dictionary<string, object?> d ? d.GetValueOrDefault(segment) : null;
            }
            if (node is double or long or string or bool)
            {
                parts.Add($"{path} = {Convert.ToString(node, CultureInfo.InvariantCulture)}");
            }
        }
        return parts.Count == 0 ? "" : $" ({string.Join(", ", parts)})";
    }
}
