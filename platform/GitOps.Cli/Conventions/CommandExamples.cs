using System.Collections.Immutable;
using System.CommandLine;
using System.Runtime.CompilerServices;

namespace GitOps.Cli.Conventions;

/// <summary>An example shown in a command's help and in docs/cli.md: the command line and what it does.</summary>
public sealed record CommandExample(string CommandLine, string Description);

/// <summary>The Examples section of every command's help (<c>gitops plan --help</c>) and of docs/cli.md.</summary>
public static class CommandExamples
{
    private static readonly ConditionalWeakTable<Command, ImmutableArray<CommandExample>.Builder> Table = [];

    /// <summary>Adds examples to <paramref name="command"/>; returns it so that a Create method can end with it.</summary>
    public static T WithExamples<T>(this T command, params (string CommandLine, string Description)[] examples) where T : Command
    {
        var list = Table.GetValue(command, _ => ImmutableArray.CreateBuilder<CommandExample>());
        foreach (var (line, description) in examples)
        {
            list.Add(new CommandExample(line, description));
        }
        return command;
    }

    public static ImmutableArray<CommandExample> Of(Command command) =>
        Table.TryGetValue(command, out var list) ? list.ToImmutable() : [];
}
