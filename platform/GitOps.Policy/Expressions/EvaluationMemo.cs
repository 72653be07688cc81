using System.Diagnostics.CodeAnalysis;
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

    // By expression instance (each rule is compiled once; a record's own equality would hash its source text on
    // every lookup), then by the key of the values it reads.
    private readonly Dictionary<CompiledExpression, Dictionary<string, CelOutcome>> _outcomes = new(ReferenceEqualityComparer.Instance);

    public int Hits { get; private set; }

    public int Evaluations { get; private set; }

    public CelOutcome Evaluate(CompiledExpression expression, IReadOnlyDictionary<string, object?> variables)
    {
        Dictionary<string, CelOutcome>? known = null;
        if (BuildKey(expression, variables))
        {
            if (!_outcomes.TryGetValue(expression, out known))
            {
                known = new Dictionary<string, CelOutcome>(StringComparer.Ordinal);
                _outcomes[expression] = known;
            }
            if (TryGetKnown(known, out var outcome))
            {
                Hits++;
                return outcome;
            }
        }
        Evaluations++;
        var evaluated = CelExpressions.Evaluate(expression, variables);
        if (known is not null)
        {
            // Only a new outcome makes the key a string: a lookup reads it from the builder.
            known[_key.ToString()] = evaluated;
        }
        return evaluated;
    }

    /// <summary>Looks the builder's key up without making a string of it when the builder holds one piece, as it
    /// does once it has grown to the longest key and been cleared.</summary>
    private bool TryGetKnown(Dictionary<string, CelOutcome> known, [MaybeNullWhen(false)] out CelOutcome outcome)
    {
        ReadOnlyMemory<char> only = default;
        var pieces = 0;
        foreach (var chunk in _key.GetChunks())
        {
            only = chunk;
            if (++pieces > 1)
            {
                return known.TryGetValue(_key.ToString(), out outcome);
            }
        }
        return known.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(only.Span, out outcome);
    }

    // One builder for every key: the memo serves one evaluation pass on one thread.
    private readonly StringBuilder _key = new();

    /// <summary>Writes the key of the values <paramref name="expression"/> reads into the builder; false when its
    /// outcome cannot be remembered.</summary>
    private bool BuildKey(CompiledExpression expression, IReadOnlyDictionary<string, object?> variables)
    {
        var shape = expression.Shape;
        if (!expression.IsValid)
        {
            return false;
        }
        foreach (var name in shape.BoundNames)
        {
            if (variables.ContainsKey(name))
            {
                return false;
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
                return false;
            }
            Append(key, value, present);
            key.Append('\u001e');
        }
        foreach (var path in shape.Selections)
        {
            if (!variables.TryGetValue(path[0], out var node))
            {
                return false;
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
                return false;
            }
        }
        return true;
    }

    private static void AppendEntry(StringBuilder key, string name, object? value)
    {
        Append(key, name, true);
        key.Append(':');
        Append(key, value, true);
        key.Append(',');
    }

    /// <summary>Whether the map's keys already come in ordinal order, so that the key reads the same whatever the
    /// order they were written in.</summary>
    private static bool KeysInOrder(Dictionary<string, object?> map)
    {
        string? previous = null;
        foreach (var k in map.Keys)
        {
            if (previous is not null && string.CompareOrdinal(previous, k) > 0)
            {
                return false;
            }
            previous = k;
        }
        return true;
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
                key.Append(CultureInfo.InvariantCulture, $"i{l}");
                break;
            case double d:
                key.Append(CultureInfo.InvariantCulture, $"d{d:R}");
                break;
            case Dictionary<string, object?> map when KeysInOrder(map):
                // Keys already in order (one key, or written sorted): no copy to sort.
                key.Append('{');
                foreach (var (k, v) in map)
                {
                    AppendEntry(key, k, v);
                }
                key.Append('}');
                break;
            case IDictionary<string, object?> map:
                key.Append('{');
                var keys = new string[map.Count];
                map.Keys.CopyTo(keys, 0);
                Array.Sort(keys, StringComparer.Ordinal);
                foreach (var k in keys)
                {
                    AppendEntry(key, k, map[k]);
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
