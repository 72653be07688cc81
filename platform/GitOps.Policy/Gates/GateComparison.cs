using System.Globalization;
using GitOps.Policy.Expressions;

namespace GitOps.Policy.Gates;

/// <summary>
/// Says why a failed rule that is one comparison failed, in the terms of the comparison: <c>auc 0.81 &lt; 0.85</c>,
/// or <c>auc 0.9 &lt; 0.915 (champion.metrics.auc - 0.005)</c> when a side is computed. Pure. Conditions that are
/// not a single top-level comparison of two numbers get no explanation (null): their values are quoted instead.
/// </summary>
internal static class GateComparison
{
    private static readonly string[] Operators = [">=", "<=", "==", "!=", ">", "<"];

    public static string? Explain(string condition, IReadOnlyDictionary<string, object?> variables)
    {
        if (Split(condition) is not var (left, op, right))
        {
            return null;
        }
        if (Number(left, variables) is not { } l || Number(right, variables) is not { } r)
        {
            return null;
        }
        var computed = IsLiteral(right) || IsSelection(right) ? "" : $" ({right})";
        return $"{Label(left)} {Format(l)} {Negated(op)} {Format(r)}{computed}";
    }

    /// <summary>The one top-level comparison of <paramref name="condition"/>, or null (logic operators, ternaries,
    /// several comparisons, comparisons inside calls or parentheses).</summary>
    private static (string Left, string Op, string Right)? Split(string condition)
    {
        var depth = 0;
        char? quote = null;
        (int At, string Op)? found = null;
        for (var i = 0; i < condition.Length; i++)
        {
            var c = condition[i];
            if (quote is { } q)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == q)
                {
                    quote = null;
                }
                continue;
            }
            switch (c)
            {
                case '"' or '\'':
                    quote = c;
                    continue;
                case '(' or '[' or '{':
                    depth++;
                    continue;
                case ')' or ']' or '}':
                    depth--;
                    continue;
            }
            if (depth != 0)
            {
                continue;
            }
            if (c is '?' or '&' or '|' || (c == '!' && (i + 1 >= condition.Length || condition[i + 1] != '=')))
            {
                return null;
            }
            if (Operators.FirstOrDefault(o => string.CompareOrdinal(condition, i, o, 0, o.Length) == 0) is { } op)
            {
                if (found is not null)
                {
                    return null;
                }
                found = (i, op);
                i += op.Length - 1;
            }
        }
        if (found is not { } f)
        {
            return null;
        }
        var left = condition[..f.At].Trim();
        var right = condition[(f.At + f.Op.Length)..].Trim();
        return left.Length == 0 || right.Length == 0 ? null : (left, f.Op, right);
    }

    private static double? Number(string expression, IReadOnlyDictionary<string, object?> variables) =>
        CelExpressions.Evaluate(expression, variables) is { Failure: null, Value: var v } ? v switch
        {
            double d => d,
            long l => l,
            ulong u => u,
            int i => i,
            _ => null,
        } : null;

    private static bool IsLiteral(string expression) =>
        double.TryParse(expression, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static bool IsSelection(string expression) =>
        expression.All(c => char.IsLetterOrDigit(c) || c is '.' or '_');

    /// <summary><c>metrics.auc</c> reads as <c>auc</c>, <c>model.latencyP99Ms</c> as <c>latencyP99Ms</c>,
    /// <c>champion.metrics.auc</c> as <c>champion auc</c>; anything else as written.</summary>
    private static string Label(string expression) => expression switch
    {
        _ when !IsSelection(expression) => expression,
        _ when expression.StartsWith("champion.metrics.", StringComparison.Ordinal) => "champion " + expression["champion.metrics.".Length..],
        _ when expression.StartsWith("metrics.", StringComparison.Ordinal) => expression["metrics.".Length..],
        _ when expression.StartsWith("model.", StringComparison.Ordinal) => expression["model.".Length..],
        _ => expression,
    };

    /// <summary>What holds instead, given that <c>left op right</c> is false.</summary>
    private static string Negated(string op) => op switch
    {
        ">=" => "<",
        "<=" => ">",
        ">" => "<=",
        "<" => ">=",
        "==" => "!=",
        _ => "==",
    };

    private static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
