using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace GitOps.Policy.Expressions;

/// <summary>
/// The variables of one evaluation. Besides the root variables it answers dotted paths such as
/// <c>object.spec.owner</c> directly: the CEL library asks for the whole selection text before resolving it field by
/// field, and its field-by-field path scans protobuf enum descriptors on every step (about 20 µs). Paths that do not
/// resolve to a present map entry are left to the library, so missing fields still fail the usual way.
/// </summary>
internal sealed class CelVariables(IReadOnlyDictionary<string, object?> roots) : IDictionary<string, object?>
{
    private Dictionary<string, object?>? _resolved;

    /// <summary>Selections the evaluation asked for that stop at a map lacking the next key, as (field, parent).</summary>
    public List<(string Path, string Field, string Parent)>? Missing { get; private set; }

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        if (roots.TryGetValue(key, out value))
        {
            return true;
        }
        var dot = key.IndexOf('.');
        if (dot <= 0)
        {
            return false;
        }
        if (_resolved is not null && _resolved.TryGetValue(key, out value))
        {
            return true;
        }
        if (!roots.TryGetValue(key[..dot], out var node))
        {
            return false;
        }
        var start = dot + 1;
        while (true)
        {
            var end = key.IndexOf('.', start);
            var segment = end < 0 ? key.AsSpan(start) : key.AsSpan(start, end - start);
            if (node is not Dictionary<string, object?> map)
            {
                value = null;
                return false;
            }
            if (!map.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(segment, out node))
            {
                var parentEnd = start - 1;
                (Missing ??= []).Add((end < 0 ? key : key[..end], segment.ToString(), key[..parentEnd]));
                value = null;
                return false;
            }
            if (end < 0)
            {
                break;
            }
            start = end + 1;
        }
        (_resolved ??= new Dictionary<string, object?>(StringComparer.Ordinal))[key] = node;
        value = node;
        return true;
    }

    public object? this[string key]
    {
        get => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException(key);
        set => throw new NotSupportedException("CEL variables are read-only.");
    }

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public ICollection<string> Keys => [.. roots.Keys];

    public ICollection<object?> Values => [.. roots.Values];

    public int Count => roots.Count;

    public bool IsReadOnly => true;

    public void Add(string key, object? value) => throw new NotSupportedException("CEL variables are read-only.");

    public void Add(KeyValuePair<string, object?> item) => throw new NotSupportedException("CEL variables are read-only.");

    public bool Remove(string key) => throw new NotSupportedException("CEL variables are read-only.");

    public bool Remove(KeyValuePair<string, object?> item) => throw new NotSupportedException("CEL variables are read-only.");

    public void Clear() => throw new NotSupportedException("CEL variables are read-only.");

    public bool Contains(KeyValuePair<string, object?> item) => roots.Contains(item);

    public void CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex) => roots.ToList().CopyTo(array, arrayIndex);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => roots.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
