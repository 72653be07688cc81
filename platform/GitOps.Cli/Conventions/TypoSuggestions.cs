using System.CommandLine;
using GitOps.Specs.Diagnostics;

namespace GitOps.Cli.Conventions;

/// <summary>"Did you mean" for mistyped commands and options, with the same suggester the spec diagnostics use.</summary>
public static class TypoSuggestions
{
    /// <summary>The closest command or option name to <paramref name="token"/> where it was typed, or null.</summary>
    public static string? For(ParseResult parse, string token)
    {
        var command = parse.CommandResult.Command;
        var candidates = token.StartsWith('-')
            ? OptionNames(parse)
            : command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
        return Suggestions.Closest(token, candidates.Distinct(StringComparer.Ordinal));
    }

    private static IEnumerable<string> OptionNames(ParseResult parse)
    {
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            var own = ReferenceEquals(result, parse.CommandResult);
            foreach (var option in result.Command.Options.Where(o => !o.Hidden && (own || o.Recursive)))
            {
                yield return option.Name;
                foreach (var alias in option.Aliases.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
                {
                    yield return alias;
                }
            }
        }
    }
}
