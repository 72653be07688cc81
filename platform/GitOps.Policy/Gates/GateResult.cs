using System.Collections.Immutable;

namespace GitOps.Policy.Gates;

/// <summary>The verdict of one gate rule and why.</summary>
public sealed record GateRuleResult(string Rule, bool Passed, string Reason);

/// <summary>The verdict of a whole quality gate: it passes when every rule passes.</summary>
public sealed record GateResult(string Gate, ImmutableArray<GateRuleResult> Rules)
{
    public bool Passed => Rules.All(r => r.Passed);

    public IEnumerable<GateRuleResult> Failures => Rules.Where(r => !r.Passed);

    /// <summary>One line, e.g. <c>fraud-quality: failed (min-auc: metrics.auc &gt;= 0.85 is false ...)</c>.</summary>
    public override string ToString() => Passed
        ? $"{Gate}: passed"
        : $"{Gate}: failed ({string.Join("; ", Failures.Select(f => $"{f.Rule}: {f.Reason}"))})";
}
