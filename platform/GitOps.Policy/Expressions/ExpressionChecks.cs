using System.Collections.Immutable;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.Expressions;

/// <summary>
/// GITOPS0301–0303: every CEL expression of the repository parses and uses only the variables of its context and
/// supported functions. Reported at the offending character of the expression.
/// </summary>
public static class ExpressionChecks
{
    /// <summary>Variables of a QualityGate rule condition.</summary>
    public static readonly ImmutableArray<string> GateVariables = ["metrics", "champion", "model"];

    /// <summary>Variables of a Policy rule expression.</summary>
    public static readonly ImmutableArray<string> PolicyVariables = ["object", "environment", "envName"];

    /// <summary>Variables of an analysis template's successCondition / failureCondition.</summary>
    public static readonly ImmutableArray<string> AnalysisVariables = ["result"];

    public static IEnumerable<Diagnostic> Check(SpecSet specs)
    {
        foreach (var gate in specs.QualityGates)
        {
            for (var i = 0; i < gate.Spec.Rules.Length; i++)
            {
                var rule = gate.Spec.Rules[i];
                if (Check(gate.Origin, $"spec.rules[{i}].condition", rule.Condition, GateVariables,
                        $"condition of rule '{rule.Name}' of QualityGate '{gate.Name}'") is { } d)
                {
                    yield return d;
                }
            }
        }
        foreach (var policy in specs.Policies)
        {
            for (var i = 0; i < policy.Spec.Rules.Length; i++)
            {
                var rule = policy.Spec.Rules[i];
                if (Check(policy.Origin, $"spec.rules[{i}].expression", rule.Expression, PolicyVariables,
                        $"expression of rule '{rule.Name}' of Policy '{policy.Name}'") is { } d)
                {
                    yield return d;
                }
            }
        }
        foreach (var rollout in specs.RolloutPolicies)
        {
            for (var i = 0; i < rollout.Spec.Analysis.Length; i++)
            {
                var template = rollout.Spec.Analysis[i];
                if (template.SuccessCondition is { } success
                    && Check(rollout.Origin, $"spec.analysis[{i}].successCondition", success, AnalysisVariables,
                        $"successCondition of analysis '{template.Name}' of RolloutPolicy '{rollout.Name}'") is { } s)
                {
                    yield return s;
                }
                if (template.FailureCondition is { } failure
                    && Check(rollout.Origin, $"spec.analysis[{i}].failureCondition", failure, AnalysisVariables,
                        $"failureCondition of analysis '{template.Name}' of RolloutPolicy '{rollout.Name}'") is { } f)
                {
                    yield return f;
                }
            }
        }
    }

    private static Diagnostic? Check(SpecOrigin origin, string path, string expression, ImmutableArray<string> variables, string what)
    {
        if (CelExpressions.Check(expression, variables) is not { } problem)
        {
            return null;
        }
        var id = problem.Kind switch
        {
            ExpressionProblemKind.UnknownVariable => PolicyRuleIds.ExpressionUnknownVariable,
            ExpressionProblemKind.UnknownFunction => PolicyRuleIds.ExpressionUnknownFunction,
            _ => PolicyRuleIds.ExpressionSyntax,
        };
        return new Diagnostic(id, Severity.Error, ExpressionSpans.At(origin, path, expression, problem.Column),
            $"{what}: {problem.Message}", problem.Hint);
    }
}
