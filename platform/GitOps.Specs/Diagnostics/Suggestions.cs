namespace GitOps.Specs.Diagnostics;

/// <summary>"Did you mean" hints: the closest known name by edit distance, if it is close enough.</summary>
public static class Suggestions
{
    /// <summary>The candidate nearest to <paramref name="value"/>, or <c>null</c> when none is plausibly meant.</summary>
    public static string? Closest(string value, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var limit = Math.Max(2, value.Length / 3);
        foreach (var candidate in candidates)
        {
            if (Math.Abs(candidate.Length - value.Length) > limit)
            {
                continue;
            }
            // Ties go to a candidate with the same first letter (typos rarely hit it), then ordinal order.
            var d = Distance(value, candidate);
            if (d < bestDistance || (d == bestDistance && best is not null && Better(value, candidate, best)))
            {
                bestDistance = d;
                best = candidate;
            }
        }
        return bestDistance <= limit ? best : null;
    }

    private static bool Better(string value, string candidate, string best)
    {
        var c = SameStart(value, candidate);
        var b = SameStart(value, best);
        return c != b ? c : string.CompareOrdinal(candidate, best) < 0;
    }

    private static bool SameStart(string a, string b) =>
        a.Length > 0 && b.Length > 0 && char.ToLowerInvariant(a[0]) == char.ToLowerInvariant(b[0]);

    /// <summary>A hint such as <c>did you mean 'fraud-quality'?</c>, or <c>null</c>.</summary>
    public static string? DidYouMean(string value, IEnumerable<string> candidates) =>
        Closest(value, candidates) is { } c ? $"did you mean '{c}'?" : null;

    /// <summary>Levenshtein distance, case-insensitive (a wrong case is a cheap typo).</summary>
    public static int Distance(string a, string b)
    {
        if (a.Length > 200 || b.Length > 200)
        {
            return int.MaxValue;
        }
        Span<int> previous = stackalloc int[b.Length + 1];
        Span<int> current = stackalloc int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            current.CopyTo(previous);
        }
        return previous[b.Length];
    }

    /// <summary>A short human list: <c>'a', 'b' or 'c'</c>.</summary>
    public static string List(IEnumerable<string> names)
    {
        var items = names.Select(n => $"'{n}'").ToList();
        return items.Count switch
        {
            0 => "(none)",
            1 => items[0],
            _ => string.Join(", ", items.Take(items.Count - 1)) + " or " + items[^1],
        };
    }
}
