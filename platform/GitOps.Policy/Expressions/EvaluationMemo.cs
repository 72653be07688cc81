using System.Globalization;
using System.Text;

namespace GitOps.Policy.Expressions;

/// <summary>
/// Remembers outcomes of expressions by the values they read. An expression's outcome depends only on the values at
/// the field paths it selects and on the variables it uses whole, so objects that agree on those values (thousands
/// of models with the same owner pattern, replicas, dataset digest length) share one evaluation. Expressions that
/// use a map or list variable whole, or shadow a variable in a macro, are always evaluated.
/// </summary>
public sealed class EvaluationMemo
{
    private const int MaxKeyLength = 4096;
    private readonly Dictionary<(CompiledExpression, string), CelOutcome> _outcomes = [];

    public int Hits { get; private set; }

    public int Evaluations { get; private set; }

    public CelOutcome Evaluate(CompiledExpression expression, IReadOnlyDictionary<string, object?> variables)
    {
        var key = Key(expression, variables);
        if (key is not null && _outcomes.TryGetValue((expression, key), out var known))
        {
            Hits++;
            return known;
        }
        Evaluations++;
        var outcome = CelExpressions.Evaluate(expression, variables);
        if (key is not null)
        {
            _outcomes[(expression, key)] = outcome;
        }
        return outcome;
    }

    // One builder for every key: the memo serves one evaluation pass on one thread.
    private readonly StringBuilder _key = new();

    private string? Key(CompiledExpression expression, IReadOnlyDictionary<string, object?> variables)
    {
        var shape = expression.Shape;
        if (!expression.IsValid)
        {
            return null;
        }
        foreach (var name in shape.BoundNames)
        {
            if (variables.ContainsKey(name))
            {
                return null;
            }
        }
        // The memo is keyed by expression too, and an expression always lists the same variables and selections in the
        // same order: the key needs only their values, each ended by a separator.
        var key = _key.Clear();
        foreach (var name in shape.BareVariables)
        {
            var present = variables.TryGetValue(name, out var value);
            if (value is IDictionary<string, object?> or IList<object?>)
            {
                return null;
            }
            Append(key, value, present);
            key.Append('\u001e');
        }
        foreach (var path in shape.Selections)
        {
            if (!variables.TryGetValue(path[0], out var node))
            {
                return null;
            }
            var i = 1;
            for (; i < path.Length; i++)
            {
                if (node is not Dictionary<string, object?> map)
                {
                    // The path stops at a scalar, list or null: its value decides how the selection fails.
                    key.Append("stop@").Append(i).Append(':');
                    break;
                }
                if (!map.TryGetValue(path[i], out node))
                {
                    key.Append("missing@").Append(i);
                    node = null;
                    break;
                }
            }
            if (i == path.Length || node is not null)
            {
                Append(key, node, true);
            }
            key.Append('\u001e');
            if (key.Length > MaxKeyLength)
            {
                return null;
            }
        }
        return key.ToString();
    }

    private static void Append(StringBuilder key, object? value, bool present)
    {
        switch (value)
        {
            case null:
                key.Append(present ? "null" : "absent");
                break;
            case string s:
                key.Append('"').Append(s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                break;
            case bool b:
                key.Append(b ? "true" : "false");
                break;
            case long l:
                key.Append('i').Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                key.Append('d').Append(d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case IDictionary<string, object?> map:
                key.Append('{');
                foreach (var (k, v) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    Append(key, k, true);
                    key.Append(':');
                    Append(key, v, true);
                    key.Append(',');
                }
                key.Append('}');
                break;
            case IList<object?> list:
                key.Append('[');
                foreach (var item in list)
                {
                    Append(key, item, true);
                    key.Append(',');
                }
                key.Append(']');
                break;
            default:
                key.Append(value.GetType().Name).Append(':').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
