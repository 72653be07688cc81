using System.Collections.Immutable;
using GitOps.Policy.Analysis;
using GitOps.Policy.BuiltinRules;
using GitOps.Policy.Expressions;
using GitOps.Policy.Policies;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy;

/// <summary>
/// Every check of this project over an already loaded spec set: expressions (GITOPS03xx), built-in rules (GITOPS04xx)
/// and Policy documents (GITOPS05xx). Pure and deterministic.
/// </summary>
public static class PolicyChecks
{
    /// <summary>Diagnostics sorted by file, line, column, ID and message.</summary>
    public static ImmutableArray<Diagnostic> Check(SpecSet specs)
    {
        // The built-in rules run on another core while the Policy documents are evaluated: both only read the specs.
        var builtin = Task.Run(() => BuiltinRuleSet.Check(specs).ToList());
        var policies = PolicyEvaluator.Evaluate(specs);
        return Sort(ExpressionChecks.Check(specs)
            .Concat(AnalysisQueryChecks.Check(specs))
            .Concat(builtin.GetAwaiter().GetResult())
            .Concat(policies));
    }

    /// <summary>The order every validation result is reported in.</summary>
    public static ImmutableArray<Diagnostic> Sort(IEnumerable<Diagnostic> diagnostics) =>
        DiagnosticOrder.Sort(diagnostics.Distinct());
}
