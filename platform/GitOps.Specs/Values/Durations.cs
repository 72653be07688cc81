using System.Globalization;

namespace GitOps.Specs;

/// <summary>
/// Go-style durations: one or more <c>&lt;number&gt;&lt;unit&gt;</c> terms, units <c>ms</c>, <c>s</c>, <c>m</c>,
/// <c>h</c> and <c>d</c> (24h), decimal fractions allowed: <c>500ms</c>, <c>30s</c>, <c>1h30m</c>, <c>1.5h</c>,
/// <c>2d</c>. A bare <c>0</c> is zero. No sign, no spaces, no microseconds; at most 3650 days.
/// </summary>
public static class Durations
{
    private static readonly TimeSpan Max = TimeSpan.FromDays(3650);

    public static bool TryParse(string? s, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(s) || s.Length > 64)
        {
            return false;
        }
        if (s == "0")
        {
            return true;
        }
        decimal totalMs = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            if (i == start || !decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }
            decimal unitMs;
            if (i + 1 < s.Length && s[i] == 'm' && s[i + 1] == 's')
            {
                unitMs = 1;
                i += 2;
            }
            else if (i < s.Length)
            {
                unitMs = s[i] switch
                {
                    's' => 1000,
                    'm' => 60_000,
                    'h' => 3_600_000,
                    'd' => 86_400_000,
                    _ => 0,
                };
                if (unitMs == 0)
                {
                    return false;
                }
                i++;
            }
            else
            {
                return false;
            }
            totalMs += number * unitMs;
            if (totalMs > (decimal)Max.TotalMilliseconds)
            {
                return false;
            }
        }
        duration = TimeSpan.FromTicks((long)(totalMs * TimeSpan.TicksPerMillisecond));
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/>; for values already checked by validation.</summary>
    public static TimeSpan Parse(string s) =>
        TryParse(s, out var d) ? d : throw new FormatException($"'{s}' is not a duration such as 30s, 5m or 1h30m");

    /// <summary>Writes a duration in the syntax <see cref="TryParse"/> reads, largest units first and whole
    /// milliseconds at most: <c>30s</c>, <c>1h30m</c>, <c>1500ms</c> becomes <c>1s500ms</c>, zero is <c>0</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        var ms = (long)Math.Round(Math.Abs(duration.TotalMilliseconds));
        if (ms == 0)
        {
            return "0";
        }
        var text = new System.Text.StringBuilder();
        foreach (var (unit, size) in new (string, long)[] { ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1) })
        {
            if (ms >= size)
            {
                text.Append((ms / size).ToString(CultureInfo.InvariantCulture)).Append(unit);
                ms %= size;
            }
        }
        return text.ToString();
    }
}
