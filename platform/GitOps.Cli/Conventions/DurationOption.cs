using System.CommandLine;
using GitOps.Specs;

namespace GitOps.Cli.Conventions;

/// <summary>
/// An option holding a duration in the one syntax of the product (<see cref="Durations"/>): <c>2ms</c>, <c>30s</c>,
/// <c>5m</c>, <c>1h30m</c>. Options that once took a bare number keep reading it in their old unit.
/// </summary>
public static class DurationOption
{
    /// <param name="name">The option name, e.g. <c>--interval</c>.</param>
    /// <param name="description">What the duration is for.</param>
    /// <param name="defaultValue">The default, in duration syntax (e.g. <c>1m</c>); null for no default.</param>
    /// <param name="bareNumberUnit">The unit of a bare number such as <c>30</c>, for options that took one before.</param>
    /// <param name="minimum">The shortest duration accepted (a loop that waits 0s spins), with the option's name in the error.</param>
    public static Option<TimeSpan> Create(string name, string description, string? defaultValue, TimeSpan? bareNumberUnit = null, TimeSpan? minimum = null)
    {
        var option = new Option<TimeSpan>(name)
        {
            Description = description + (defaultValue is null ? "" : $" (default: {defaultValue})"),
            HelpName = "DURATION",
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
                if (TryParse(text, bareNumberUnit, out var value))
                {
                    if (value < minimum)
                    {
                        result.AddError($"{name} '{text}' is shorter than {Durations.Format(minimum.Value)}, the shortest it accepts.");
                    }
                    return value;
                }
                result.AddError($"{name} '{text}' is not a duration: use a number and a unit, e.g. 2ms, 30s, 5m or 1h.");
                return default;
            },
        };
        if (defaultValue is not null)
        {
            var parsed = Durations.Parse(defaultValue);
            option.DefaultValueFactory = _ => parsed;
        }
        return option;
    }

    private static bool TryParse(string text, TimeSpan? bareNumberUnit, out TimeSpan value)
    {
        if (Durations.TryParse(text, out value))
        {
            return true;
        }
        if (bareNumberUnit is { } unit && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number)
            && number >= 0 && double.IsFinite(number))
        {
            value = unit * number;
            return true;
        }
        return false;
    }
}
