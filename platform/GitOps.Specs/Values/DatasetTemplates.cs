using System.Globalization;
using System.Text;

namespace GitOps.Specs;

/// <summary>
/// Dataset URI templates of <c>spec.training.retrain.uriTemplate</c>: text with <c>{date}</c> (the retrain's UTC
/// date as <c>yyyy-MM-dd</c>) or <c>{date:FORMAT}</c> placeholders, where FORMAT is made of the .NET date
/// specifiers <c>y M d H m s</c> and the separators <c>- _ . /</c>, e.g. <c>{date:yyyy/MM/dd}</c>. A template
/// without placeholders names one URI whose content changes in place. No other braces are allowed.
/// </summary>
public static class DatasetTemplates
{
    public const string DefaultDateFormat = "yyyy-MM-dd";

    private const string Placeholder = "date";
    private const string FormatLetters = "yMdHms";
    private const string Separators = "-_./";

    /// <summary>Why <paramref name="template"/> cannot be resolved, or null when it can.</summary>
    public static string? Check(string template) => Walk(template, null, null);

    /// <summary><paramref name="template"/> with its placeholders filled for <paramref name="at"/> (in UTC); for
    /// templates <see cref="Check"/> accepted.</summary>
    public static string Resolve(string template, DateTimeOffset at)
    {
        var text = new StringBuilder(template.Length + 16);
        var error = Walk(template, text, at.ToUniversalTime());
        return error is null ? text.ToString() : throw new FormatException(error);
    }

    private static string? Walk(string template, StringBuilder? output, DateTimeOffset? at)
    {
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '}')
            {
                return $"'}}' at column {i + 1} closes no placeholder; placeholders are {{date}} or {{date:yyyy-MM-dd}}";
            }
            if (c != '{')
            {
                output?.Append(c);
                i++;
                continue;
            }
            var end = template.IndexOf('}', i + 1);
            if (end < 0)
            {
                return $"'{{' at column {i + 1} is never closed; placeholders are {{date}} or {{date:yyyy-MM-dd}}";
            }
            var inner = template[(i + 1)..end];
            var colon = inner.IndexOf(':');
            var name = colon < 0 ? inner : inner[..colon];
            var format = colon < 0 ? DefaultDateFormat : inner[(colon + 1)..];
            if (name != Placeholder)
            {
                return $"unknown placeholder '{{{inner}}}'; the only placeholder is {{date}} or {{date:FORMAT}}, e.g. {{date:yyyy-MM-dd}}";
            }
            if (format.Length == 0 || format.Any(f => !FormatLetters.Contains(f) && !Separators.Contains(f)) || !format.Any(f => FormatLetters.Contains(f)))
            {
                return $"date format '{format}' in '{{{inner}}}' may only use y M d H m s and the separators - _ . /, e.g. yyyy-MM-dd";
            }
            if (output is not null && at is { } time)
            {
                output.Append(time.ToString(format, CultureInfo.InvariantCulture));
            }
            i = end + 1;
        }
        return null;
    }
}
