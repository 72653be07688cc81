using System.Globalization;
using System.Text;

namespace GitOps.Planning.Monitoring;

/// <summary>Small builders for the PromQL of the rendered rules: label matchers with escaped values, numbers and
/// durations in the forms Prometheus parses.</summary>
public static class PromQl
{
    /// <summary><c>metric{a="x",b=~"y"}</c> from matchers already written as <c>a="x"</c>.</summary>
    public static string Select(string metric, params IEnumerable<string> matchers) =>
        $"{metric}{{{string.Join(",", matchers)}}}";

    public static string Eq(string label, string value) => $"{label}=\"{Escape(value)}\"";

    public static string Ne(string label, string value) => $"{label}!=\"{Escape(value)}\"";

    public static string Re(string label, string regex) => $"{label}=~\"{Escape(regex)}\"";

    public static string NotRe(string label, string regex) => $"{label}!~\"{Escape(regex)}\"";

    /// <summary>An alternation that matches exactly the given values (regex metacharacters escaped).</summary>
    public static string Alternation(IEnumerable<string> values) =>
        string.Join("|", values.Select(v => string.Concat(v.Select(c => @"\.+*?()|[]{}^$".Contains(c) ? $"\\{c}" : c.ToString()))));

    /// <summary>A number in at most 10 decimals, without float noise (0.0144, not 0.014400000000000001).</summary>
    public static string Number(double value) => value.ToString("0.##########", CultureInfo.InvariantCulture);

    /// <summary>A duration Prometheus parses (<c>1h30m</c>, <c>500ms</c>, <c>2d</c>).</summary>
    public static string Duration(TimeSpan duration) => Specs.Durations.Format(duration);

    private static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }
}
