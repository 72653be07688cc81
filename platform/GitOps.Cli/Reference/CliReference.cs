using System.Collections;
using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Help;
using System.Globalization;
using System.Text;
using GitOps.Cli.Conventions;

namespace GitOps.Cli.Reference;

/// <summary>
/// docs/cli.md, written from the command definitions themselves: every command and subcommand with its arguments,
/// options (aliases, defaults, accepted values) and examples, the exit codes and the environment variables. A test
/// compares the page with this output, so that the page cannot drift from the program.
/// </summary>
public static class CliReference
{
    public const string DocumentPath = "docs/cli.md";

    public static string Markdown(RootCommand root)
    {
        // Defaults such as -o's come from GITOPS_* variables: the page shows the program's own defaults, not those of
        // the machine that writes it. A repository that does not exist gives the --env completions nothing to read.
        using var isolated = CliEnvironment.Isolated(new Dictionary<string, string> { [RepositoryPath.Variable] = Path.Combine(Path.GetTempPath(), "gitops-no-repository") }).Enter();
        var md = new StringBuilder();
        md.Append("""
            # `gitops` command reference

            <!-- Generated from the command definitions by platform/GitOps.Cli/Reference/CliReference.cs: do not edit by
                 hand. Regenerate with GITOPS_UPDATE_GOLDEN=1 dotnet test tests/GitOps.Cli.Tests --filter CliReference -->

            Every command of `gitops`, with its arguments, options and examples; `gitops COMMAND --help` prints the same.
            The exit codes and the environment variables at the end hold for every command.

            """);
        md.Append('\n');
        var commands = Commands(root).ToList();
        foreach (var (path, command) in commands)
        {
            var depth = path.Count(c => c == ' ') - 1;
            md.Append(CultureInfo.InvariantCulture, $"{new string(' ', depth * 2)}- [`{path}`](#{Anchor(path)}) — {Cell(command.Description)}\n");
        }
        md.Append("\n## Options of every command\n\n");
        md.Append("An on/off option (`--warnings-as-errors`, `--once`, ...) is given alone, or as `--once=true` or `--once=false`;\n"
                  + "any other value (`--once=yes`) is a usage error (exit 2).\n\n");
        OptionTable(md, root.Options.Where(o => !o.Hidden));
        foreach (var (path, command) in commands)
        {
            CommandSection(md, path, command);
        }
        md.Append("\n## Exit codes\n\n| Code | Meaning |\n|---:|---|\n");
        foreach (var (code, meaning) in HelpLayout.ExitCodes)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {(int)code} | {Cell(meaning)} |\n");
        }
        md.Append("\nCtrl+C (or SIGTERM) asks the running command to stop: it finishes or abandons what it is writing so that nothing is\n"
                  + "left half-written, prints `interrupted` and exits 130. The servers (`serve`, `up`, `reconcile`) drain and stop instead,\n"
                  + "exiting 0, as an orchestrator expects of a pod it stops. A second Ctrl+C ends the process at once.\n");
        md.Append("\n## Environment variables\n\nRead as defaults; the flag named next to each wins over it.\n\n| Variable | Flag | Meaning |\n|---|---|---|\n");
        foreach (var variable in EnvironmentVariables.All)
        {
            md.Append(CultureInfo.InvariantCulture, $"| `{variable.Name}` | {Code(variable.Flag)} | {Cell(variable.Description)} |\n");
        }
        return md.ToString();
    }

    private static void CommandSection(StringBuilder md, string path, Command command)
    {
        md.Append(CultureInfo.InvariantCulture, $"\n## {path}\n\n{Cell(command.Description)}\n\n```\n{Usage(path, command)}\n```\n");
        var arguments = command.Arguments.Where(a => !a.Hidden).ToList();
        if (arguments.Count > 0)
        {
            md.Append("\n| Argument | Description |\n|---|---|\n");
            foreach (var argument in arguments)
            {
                md.Append(CultureInfo.InvariantCulture, $"| `{argument.Name}` | {Cell(argument.Description)}{Values(argument.GetCompletions(CompletionContext.Empty))} |\n");
            }
        }
        var options = command.Options.Where(o => !o.Hidden && o is not HelpOption).ToList();
        if (options.Count > 0)
        {
            md.Append('\n');
            OptionTable(md, options);
        }
        var subcommands = command.Subcommands.Where(c => !c.Hidden).ToList();
        if (subcommands.Count > 0)
        {
            md.Append("\n| Command | Description |\n|---|---|\n");
            foreach (var sub in subcommands)
            {
                md.Append(CultureInfo.InvariantCulture, $"| [`{sub.Name}`](#{Anchor($"{path} {sub.Name}")}) | {Cell(sub.Description)} |\n");
            }
        }
        var examples = CommandExamples.Of(command);
        if (!examples.IsEmpty)
        {
            md.Append("\nExamples:\n\n```bash\n");
            foreach (var example in examples)
            {
                md.Append(CultureInfo.InvariantCulture, $"{example.CommandLine}\n    # {example.Description}\n");
            }
            md.Append("```\n");
        }
    }

    private static void OptionTable(StringBuilder md, IEnumerable<Option> options)
    {
        md.Append("| Option | Default | Description |\n|---|---|---|\n");
        foreach (var option in options)
        {
            var description = option.Description ?? "";
            var values = option.ValueType == typeof(bool) || option is HelpOption ? "" : Values(option.GetCompletions(CompletionContext.Empty));
            md.Append(CultureInfo.InvariantCulture, $"| {Code(Names(option))} | {Default(option, description)} | {Cell(description)}{values} |\n");
        }
    }

    private static string Names(Option option)
    {
        var names = option.Aliases.Prepend(option.Name).Distinct(StringComparer.Ordinal).ToList();
        var ordered = names.Where(n => !n.StartsWith("--", StringComparison.Ordinal)).Concat(names.Where(n => n.StartsWith("--", StringComparison.Ordinal)));
        var text = string.Join(", ", ordered);
        return option.ValueType == typeof(bool) || option is HelpOption or VersionOption
            ? text
            : $"{text} {option.HelpName ?? option.Name.TrimStart('-').ToUpperInvariant()}";
    }

    private static string Default(Option option, string description)
    {
        if (!option.HasDefaultValue || description.Contains("(default: ", StringComparison.Ordinal))
        {
            return "";
        }
        return option.GetDefaultValue() switch
        {
            null or false => "",
            string { Length: 0 } => "",
            string text => Code(text),
            IEnumerable list when !list.Cast<object>().Any() => "",
            IFormattable value => Code(value.ToString(null, CultureInfo.InvariantCulture)),
            var value => Code(value.ToString() ?? ""),
        };
    }

    private static string Values(IEnumerable<CompletionItem> completions)
    {
        var values = completions.Select(c => c.Label).ToList();
        return values.Count == 0 ? "" : $" (one of {string.Join(", ", values.Select(Code))})";
    }

    private static string Usage(string path, Command command)
    {
        var parts = new List<string> { path };
        if (command.Subcommands.Any(c => !c.Hidden))
        {
            parts.Add("COMMAND");
        }
        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            parts.Add(argument.Arity.MinimumNumberOfValues == 0 ? $"[{argument.Name}]" : argument.Name);
        }
        if (command.Options.Any(o => !o.Hidden && o is not HelpOption))
        {
            parts.Add("[options]");
        }
        return string.Join(' ', parts);
    }

    /// <summary>Every visible command under <paramref name="root"/>, depth first, with its path (<c>gitops artifacts fetch</c>).</summary>
    public static IEnumerable<(string Path, Command Command)> Commands(RootCommand root) => Walk(root, "gitops").Skip(1);

    private static IEnumerable<(string Path, Command Command)> Walk(Command command, string path)
    {
        yield return (path, command);
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            foreach (var nested in Walk(sub, $"{path} {sub.Name}"))
            {
                yield return nested;
            }
        }
    }

    private static string Anchor(string heading) => heading.ToLowerInvariant().Replace(' ', '-');

    private static string Code(string text) => text.Length == 0 ? "" : $"`{text.Replace("|", "\\|", StringComparison.Ordinal)}`";

    /// <summary>Text in a table cell: no line breaks, no column separator, no HTML tags.</summary>
    private static string Cell(string? text) => (text ?? "")
        .Replace("\n", " ", StringComparison.Ordinal)
        .Replace("|", "\\|", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);
}
