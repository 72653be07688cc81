using System.CommandLine;
using System.CommandLine.Parsing;

namespace GitOps.Cli.Conventions;

/// <summary>
/// On/off options (<c>--warnings-as-errors</c>, <c>--once</c>, <c>--watch</c>, ...) take no value, or <c>true</c> or
/// <c>false</c> (in any case) after <c>=</c> or <c>:</c>, on every command. The command-line library leaves any other
/// value written that way as an argument of its own, taken for PATH (<c>--warnings-as-errors=yes</c> read the folder
/// 'yes') or reported as an unmatched token; this names the option and what it takes instead.
/// </summary>
public static class OnOffOptions
{
    /// <summary>What is wrong with the first on/off option of <paramref name="args"/> given a value other than true or
    /// false, or null.</summary>
    public static string? Misused(ParseResult parse, IReadOnlyList<string> args)
    {
        var options = InScope(parse.CommandResult);
        foreach (var arg in args.TakeWhile(a => a != "--"))
        {
            var at = arg.Length > 1 && arg[0] == '-' ? arg.IndexOfAny(['=', ':']) : -1;
            if (at < 0)
            {
                continue;
            }
            var (name, value) = (arg[..at], arg[(at + 1)..]);
            if (options.Any(o => o is Option<bool> && (o.Name == name || o.Aliases.Contains(name))) && !bool.TryParse(value, out _))
            {
                return $"{name} is on or off: give it alone, or as {name}=true or {name}=false, not '{value}'.";
            }
        }
        return null;
    }

    /// <summary>The options of the command and those its parents pass down to it.</summary>
    private static IEnumerable<Option> InScope(CommandResult command)
    {
        for (CommandResult? result = command, own = command; result is not null; result = result.Parent as CommandResult)
        {
            foreach (var option in result.Command.Options.Where(o => ReferenceEquals(result, own) || o.Recursive))
            {
                yield return option;
            }
        }
    }
}
