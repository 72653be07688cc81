using System.Collections.Immutable;
using System.Text.RegularExpressions;
using GitOps.Policy.Expressions;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Policy.Analysis;

/// <summary>
/// GITOPS0304–0306: analysis PromQL queries use only known placeholders, are well formed, and measure the canary.
/// </summary>
public static partial class AnalysisQueryChecks
{
    /// <summary>Placeholders substituted into analysis queries at run time.</summary>
    public static readonly ImmutableArray<string> Placeholders = ["model", "version", "namespace", "track", "environment"];

    /// <summary>Placeholders of a KPI query (<c>spec.monitoring.kpis</c>): alerts watch the model as a whole, so
    /// there is no version or track to fill in.</summary>
    public static readonly ImmutableArray<string> KpiPlaceholders = ["model", "namespace", "environment"];

    public static IEnumerable<Diagnostic> Check(SpecSet specs)
    {
        foreach (var rollout in specs.RolloutPolicies)
        {
            for (var i = 0; i < rollout.Spec.Analysis.Length; i++)
            {
                var template = rollout.Spec.Analysis[i];
                if (template.Kpi is not null)
                {
                    // The KPI's query is checked as the model's (below); GITOPS0233 checks that each model has it.
                    continue;
                }
                foreach (var d in Check(rollout, $"spec.analysis[{i}].query", template.Query ?? "",
                    $"query of analysis '{template.Name}' of RolloutPolicy '{rollout.Name}'", Placeholders, canaryScoped: true))
                {
                    yield return d;
                }
            }
        }
        foreach (var model in specs.Models.Where(m => m.Spec.Monitoring is not null))
        {
            var kpis = model.Spec.Monitoring!.Kpis;
            for (var i = 0; i < kpis.Length; i++)
            {
                foreach (var d in Check(model, $"spec.monitoring.kpis[{i}].query", kpis[i].Query,
                    $"query of KPI '{kpis[i].Name}' of Model '{model.Name}'", KpiPlaceholders, canaryScoped: false))
                {
                    yield return d;
                }
            }
        }
    }

    private static IEnumerable<Diagnostic> Check(SpecObject owner, string path, string query, string what,
        ImmutableArray<string> placeholders, bool canaryScoped)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            yield return new Diagnostic(PolicyRuleIds.QueryMalformed, Severity.Error, owner.Origin.Value(path),
                $"{what} is empty", "write a PromQL expression that returns one number, e.g. an error ratio");
            yield break;
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in PlaceholderPattern().Matches(query))
        {
            var name = m.Groups["name"].Value;
            used.Add(name);
            if (!placeholders.Contains(name))
            {
                var suggestion = Suggestions.Closest(name, placeholders);
                yield return new Diagnostic(PolicyRuleIds.QueryUnknownPlaceholder, Severity.Error,
                    ExpressionSpans.At(owner.Origin, path, query, m.Index),
                    $"{what} uses unknown placeholder '{{{{{name}}}}}'; known placeholders are {string.Join(" ", placeholders.Select(p => $"{{{{{p}}}}}"))}",
                    suggestion is null ? null : $"did you mean '{{{{{suggestion}}}}}'?");
            }
        }

        // Placeholders are replaced by a same-length token so that offsets still match the original text.
        var bare = PlaceholderPattern().Replace(query, m => new string('x', m.Length));
        if (Unbalanced(bare) is { } problem)
        {
            yield return new Diagnostic(PolicyRuleIds.QueryMalformed, Severity.Error,
                ExpressionSpans.At(owner.Origin, path, query, problem.Column), $"{what}: {problem.Message}",
                "check the query with promtool or in the Prometheus UI");
        }

        if (canaryScoped && !used.Contains("version") && !used.Contains("track"))
        {
            yield return new Diagnostic(PolicyRuleIds.QueryNotCanaryScoped, Severity.Warning, owner.Origin.Value(path),
                $"{what} selects neither {{{{version}}}} nor {{{{track}}}}, so it measures every version, not the canary",
                "add a label matcher such as track=\"{{track}}\"");
        }
    }

    private sealed record Imbalance(string Message, int Column);

    private static Imbalance? Unbalanced(string query)
    {
        var open = new Stack<(char Char, int Column)>();
        for (var i = 0; i < query.Length; i++)
        {
            var c = query[i];
            switch (c)
            {
                case '"' or '\'' or '`':
                    var end = query.IndexOf(c, i + 1);
                    while (end > 0 && c != '`' && query[end - 1] == '\\')
                    {
                        end = query.IndexOf(c, end + 1);
                    }
                    if (end < 0)
                    {
                        return new Imbalance($"the string starting at column {i + 1} is never closed", i);
                    }
                    i = end;
                    break;
                case '(' or '[' or '{':
                    open.Push((c, i));
                    break;
                case ')' or ']' or '}':
                    var expected = c switch { ')' => '(', ']' => '[', _ => '{' };
                    if (open.Count == 0)
                    {
                        return new Imbalance($"'{c}' at column {i + 1} has no matching '{expected}'", i);
                    }
                    if (open.Peek().Char != expected)
                    {
                        var (other, at) = open.Peek();
                        return new Imbalance($"'{c}' at column {i + 1} does not close '{other}' from column {at + 1}", i);
                    }
                    open.Pop();
                    break;
                case '#':
                    // A PromQL comment runs to the end of the line.
                    var eol = query.IndexOf('\n', i);
                    i = eol < 0 ? query.Length : eol;
                    break;
            }
        }
        if (open.Count > 0)
        {
            var (ch, column) = open.Peek();
            var close = ch switch { '(' => ')', '[' => ']', _ => '}' };
            return new Imbalance($"'{ch}' at column {column + 1} is never closed with '{close}'", column);
        }
        return null;
    }

    [GeneratedRegex(@"\{\{\s*(?<name>[^{}\s]*)\s*\}\}")]
    private static partial Regex PlaceholderPattern();
}
