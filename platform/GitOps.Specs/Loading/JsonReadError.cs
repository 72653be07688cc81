using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GitOps.Specs.Loading;

/// <summary>
/// What a <see cref="JsonException"/> means, for a person reading a file: System.Text.Json's reason without its
/// "Path: $ | LineNumber: 0 | BytePositionInLine: 0" tail (0-based, and a developer's wording), followed by where:
/// the JSON path when it is not the document itself, and the 1-based line and column when the reader knew them.
/// </summary>
public static partial class JsonReadError
{
    public static string Describe(JsonException e)
    {
        var where = new List<string>();
        if (e.Path is { Length: > 0 } path && path != "$")
        {
            where.Add($"at {path}");
        }
        if (e.LineNumber is { } line)
        {
            where.Add(string.Create(CultureInfo.InvariantCulture, $"line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}"));
        }
        var reason = Reason(e.Message);
        return where.Count == 0 ? reason : $"{reason} ({string.Join(", ", where)})";
    }

    private static string Reason(string message)
    {
        var tail = message.IndexOf(" Path: ", StringComparison.Ordinal) is >= 0 and var p ? p : message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        // A quoted bad literal may span lines; one line reads better in an error message.
        var reason = (tail >= 0 ? message[..tail] : message).Trim().TrimEnd('.').Replace("\r", "", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        if (MissingRequired().Match(reason) is { Success: true } missing)
        {
            return $"required field(s) missing: {missing.Groups["names"].Value}";
        }
        if (NullNotAllowed().IsMatch(reason))
        {
            // The exception names the C# member; its JSON path (in where) names the field as the file spells it.
            return "a required field is null";
        }
        if (WrongType().IsMatch(reason))
        {
            return "a value has the wrong JSON type";
        }
        return reason;
    }

    [GeneratedRegex(@"missing required properties including: (?<names>.+)$")]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"on type '[^']+' doesn't allow (setting )?null values")]
    private static partial Regex NullNotAllowed();

    [GeneratedRegex(@"^The JSON value could not be converted to ")]
    private static partial Regex WrongType();
}
