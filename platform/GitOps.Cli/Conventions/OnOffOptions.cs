using System.CommandLine;
using System.CommandLine.Parsing;

namespace GitOps.Cli.Conventions;

/// <summary>
/// On/off options (<c>--warnings-as-errors</c>, <c>--once</c>, <c>--watch</c>, ...) take no value, or <c>true</c> or
/// <c>false</c> (in any case) after <c>=</c> or <c>:</c>, on every command. The command-line library leaves any other
/// value written that way as an argument of its own, taken for PATH (<c>--warnings-as-errors=yes</c> read the folder
/// 'yes') or reported as an unmatched token, and so with <c>yes</c>, <c>no</c>, <c>on</c>, <c>off</c>, <c>1</c> or
/// <c>0</c> written after the option with a space; this names the option and what it takes instead.
/// </summary>
public static class OnOffOptions
{
    /// <summary>What is wrong with the first on/off option of <paramref name="args"/> given a value other than true or
    /// false, or null.</summary>
    public static string? Misused(ParseResult parse, IReadOnlyList<string> args)
    {
        var options = InScope(parse.CommandResult).ToList();
        bool OnOff(string name) => options.Any(o => o is Option<bool> && (o.Name == name || o.Aliases.Contains(name)));
        var before = args.TakeWhile(a => a != "--").ToList();
        for (var i = 0; i < before.Count; i++)
        {
            var arg = before[i];
            if (arg.Length < 2 || arg[0] != '-')
            {
                continue;
            }
            var at = arg.IndexOfAny(['=', ':']);
            if (at >= 0 && OnOff(arg[..at]) && !bool.TryParse(arg[(at + 1)..], out _))
            {
                return Message(arg[..at], arg[(at + 1)..]);
            }
            // Written with a space, a yes or no after the option is read as PATH ('yes' is not a folder); true and
            // false are the option's value, and a folder of that name is PATH.
            if (at < 0 && i + 1 < before.Count && OnOff(arg) && LooksOnOff(before[i + 1]) && !Directory.Exists(before[i + 1]))
            {
                return Message(arg, before[i + 1]);
            }
        }
        return null;
    }

    private static string Message(string name, string value) =>
        $"{name} is on or off: give it alone, or as {name}=true or {name}=false, not '{value}'.";

    private static readonly string[] OnOffWords = ["yes", "no", "y", "n", "on", "off", "1", "0"];

    private static bool LooksOnOff(string value) => OnOffWords.Contains(value, StringComparer.OrdinalIgnoreCase);

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
