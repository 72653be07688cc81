using System.Globalization;

namespace GitOps.Specs.Yaml;

/// <summary>
/// YAML 1.2 core-schema resolution of plain scalars: <c>null</c>/<c>~</c>/empty, <c>true</c>/<c>false</c>,
/// decimal, <c>0o</c> octal and <c>0x</c> hex integers, floats, <c>.inf</c> and <c>.nan</c>. Everything else,
/// including YAML 1.1's <c>yes</c>/<c>no</c>/<c>on</c>/<c>off</c>, is a string. The one resolution of the code
/// base: the spec loader, the live-state reader and the YAML writer's quoting all use it.
/// </summary>
public static class CoreSchema
{
    /// <summary>
    /// The value of a plain (unquoted) scalar: <c>null</c>, a <see cref="bool"/>, a <see cref="long"/>, a
    /// <see cref="double"/> (also for integers beyond 64 bits, and for <c>.inf</c>/<c>.nan</c>) or the text itself.
    /// </summary>
    public static object? Resolve(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }
        switch (text)
        {
            case "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                return double.PositiveInfinity;
            case "-.inf" or "-.Inf" or "-.INF":
                return double.NegativeInfinity;
            case ".nan" or ".NaN" or ".NAN":
                return double.NaN;
        }
        var c = text[0];
        if (!(char.IsAsciiDigit(c) || c is '-' or '+' or '.'))
        {
            return text;
        }
        if (text.StartsWith("0x", StringComparison.Ordinal) && text.Length > 2 && IsAll(text.AsSpan(2), char.IsAsciiHexDigit))
        {
            return ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h) && h <= long.MaxValue
                ? (object)(long)h
                : text;
        }
        if (text.StartsWith("0o", StringComparison.Ordinal) && text.Length > 2 && IsAll(text.AsSpan(2), ch => ch is >= '0' and <= '7'))
        {
            long value = 0;
            foreach (var ch in text.AsSpan(2))
            {
                if (value > (long.MaxValue >> 3))
                {
                    return text;
                }
                value = (value << 3) | (long)(ch - '0');
            }
            return value;
        }
        if (IsInteger(text))
        {
            // Integers beyond 64 bits stay numbers, with a double's precision.
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                ? (object)l
                : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        if (IsFloat(text))
        {
            return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return text;
    }

    private static bool IsAll(ReadOnlySpan<char> s, Func<char, bool> predicate)
    {
        foreach (var ch in s)
        {
            if (!predicate(ch))
            {
                return false;
            }
        }
        return true;
    }

    // [-+]?[0-9]+
    private static bool IsInteger(string s)
    {
        var i = s[0] is '-' or '+' ? 1 : 0;
        return i < s.Length && IsAll(s.AsSpan(i), char.IsAsciiDigit);
    }

    // [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
    private static bool IsFloat(string s)
    {
        var i = 0;
        if (s[i] is '-' or '+')
        {
            i++;
        }
        var intDigits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
            intDigits++;
        }
        var fracDigits = 0;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                fracDigits++;
            }
        }
        if (intDigits == 0 && fracDigits == 0)
        {
            return false;
        }
        if (i < s.Length && s[i] is 'e' or 'E')
        {
            i++;
            if (i < s.Length && s[i] is '-' or '+')
            {
                i++;
            }
            var expDigits = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                expDigits++;
            }
            if (expDigits == 0)
            {
                return false;
            }
        }
        return i == s.Length;
    }
}
