using System.CommandLine;
using System.CommandLine.Parsing;
using GitOps.Specs.Contracts;

namespace GitOps.Cli.Conventions;

/// <summary>
/// What the native (ahead-of-time compiled) build of gitops runs. Native code starts without a JIT, which makes the
/// commands of a CI check (validate, plan, render) about a third faster, but it cannot generate code at run time:
/// ML.NET's trainers do, and the registry, rollout and server commands read and write JSON by reflection. Those
/// commands stay with the single-file executable and the .NET tool; the native build names them and says where to
/// run them instead of failing half-way (docs/install.md lists what each build runs).
/// </summary>
public static class NativeBuild
{
    /// <summary>The top-level commands checked to give the same output and exit codes in the native build.</summary>
    public static readonly IReadOnlySet<string> Commands = new HashSet<string>(StringComparer.Ordinal)
    {
        "validate", "schema", "render", "alerts", "dashboards", "plan", "datasets", "status", "version", "completion",
    };

    /// <summary>
    /// In the native build, a top-level command it does not run: named, so that help lists it and a run is refused
    /// with the forms that run it (<see cref="Refusal(ParseResult, bool)"/>, before any parse error), without
    /// compiling in what the command uses (ML.NET, ASP.NET Core, ONNX Runtime, the registry's stores). Whatever follows
    /// its name is accepted, so the refusal is the one answer.
    /// </summary>
    public static Func<Command> Placeholder(string name) => () =>
    {
        var command = new Command(name, "Not part of the native build: run it with the single-file executable or the .NET tool (docs/install.md).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(parse =>
        {
            parse.Err().WriteLine($"error: {Refusal(name, dynamicCodeSupported: false)}");
            return (int)ExitCode.Usage;
        });
        return command;
    };

    /// <summary>
    /// Why <paramref name="command"/> does not run in this process, or null when it does: always null where code can
    /// be generated at run time (the single file, the .NET tool, <c>dotnet run</c>).
    /// </summary>
    public static string? Refusal(string command, bool dynamicCodeSupported) =>
        dynamicCodeSupported || Commands.Contains(command)
            ? null
            : $"'gitops {command}' is not part of the native build of gitops, which runs {string.Join(", ", Commands.Order(StringComparer.Ordinal))}. " +
              "Run it with the single-file executable (dotnet cake build/build.cake --target=Publish) or the .NET tool (docs/install.md).";

    /// <summary>
    /// <see cref="Refusal(string, bool)"/> for the top-level command <paramref name="parse"/> names (root options such
    /// as <c>--color</c> may come before it); null for help, which every build shows, and when no command is named.
    /// </summary>
    public static string? Refusal(ParseResult parse, bool dynamicCodeSupported)
    {
        if (parse.Action is HelpLayout.SectionsHelpAction)
        {
            return null;
        }
        var command = parse.CommandResult;
        while (command.Parent is CommandResult { Command: not RootCommand } parent)
        {
            command = parent;
        }
        return command.Command is RootCommand ? null : Refusal(command.Command.Name, dynamicCodeSupported);
    }
}
