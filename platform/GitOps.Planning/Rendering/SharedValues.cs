using System.Text;
using System.Text.Json;

namespace GitOps.Planning.Rendering;

/// <summary>
/// Rendered trees hold few distinct integers (ports, replicas, weights, limits): each one's parsed element is kept
/// and shared (elements are immutable), instead of parsing a small document for every occurrence.
/// </summary>
internal static class SharedNumbers
{
    private const int MaxEntries = 1024;

    [ThreadStatic]
    private static Dictionary<long, JsonElement>? t_elements;

    public static JsonElement Get(ref Utf8JsonReader reader)
    {
        if (reader.HasValueSequence || reader.ValueSpan.IndexOfAny("eE."u8) >= 0 || !reader.TryGetInt64(out var value))
        {
            return JsonElement.ParseValue(ref reader);
        }
        var elements = t_elements ??= [];
        if (!elements.TryGetValue(value, out var element))
        {
            element = JsonElement.ParseValue(ref reader);
            if (elements.Count < MaxEntries)
            {
                elements[value] = element;
            }
        }
        return element;
    }
}

/// <summary>
/// Shares the strings of rendered trees: property names and values repeat across a model's objects and across
/// models (labels, kinds, ports, the namespace). Fewer distinct strings means less for the garbage collector to
/// move while a plan holds tens of thousands of objects. One table per thread, emptied when it grows large.
/// </summary>
internal static class SharedStrings
{
    private const int MaxLength = 64;
    private const int MaxEntries = 16 * 1024;

    [ThreadStatic]
    private static HashSet<string>? t_table;

    /// <summary>The shared copy of <paramref name="text"/> (this thread's table), or the text itself when long.</summary>
    public static string Get(string text) =>
        text.Length > MaxLength ? text : Share(t_table ??= new HashSet<string>(StringComparer.Ordinal), text, text);

    /// <param name="table">The strings to share with (one parse's, say); null: this thread's table.</param>
    public static string Get(ref Utf8JsonReader reader, HashSet<string>? table = null)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxLength)
        {
            return reader.GetString()!;
        }
        Span<char> chars = stackalloc char[MaxLength];
        var length = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        return Share(table ?? (t_table ??= new HashSet<string>(StringComparer.Ordinal)), chars[..length], null);
    }

    /// <summary>The table's string equal to <paramref name="chars"/>; otherwise <paramref name="text"/> (or a new string
    /// of the characters), added to the table, which is emptied first when full.</summary>
    private static string Share(HashSet<string> table, ReadOnlySpan<char> chars, string? text)
    {
        if (table.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out var shared))
        {
            return shared;
        }
        if (table.Count >= MaxEntries)
        {
            table.Clear();
        }
        text ??= new string(chars);
        table.Add(text);
        return text;
    }
}
