using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using GitOps.Specs.Contracts;

namespace GitOps.Cli.Conventions;

/// <summary>
/// The help of every command: System.CommandLine's sections, then Examples; the root's help adds the exit codes and
/// the environment variables.
/// </summary>
public static class HelpLayout
{
    public const int Width = 120;

    /// <summary>The exit codes with the meaning printed in help and docs/cli.md.</summary>
    public static readonly IReadOnlyList<(ExitCode Code, string Meaning)> ExitCodes =
    [
        (ExitCode.Success, "success (validate: no errors; plan --detailed-exitcode: no changes)"),
        (ExitCode.Findings, "findings or a failed operation: spec errors, failed training, missing artifact (plan --detailed-exitcode: any error)"),
        (ExitCode.Usage, "usage or input problem: unknown command, option or --env, unreadable file, digest mismatch (plan --detailed-exitcode: changes)"),
        (ExitCode.InternalError, "internal error: a bug in gitops, please report it"),
        (ExitCode.Interrupted, "interrupted (Ctrl+C or SIGTERM)"),
    ];

    /// <summary>Gives every command's help the extra sections; returns the action that prints help.</summary>
    public static CommandLineAction Apply(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        var inner = (HelpAction)help.Action!;
        inner.MaxWidth = Width;
        var action = new SectionsHelpAction(inner);
        help.Action = action;
        return action;
    }

    /// <summary>The extra sections of <paramref name="command"/>'s help, as printed after System.CommandLine's.</summary>
    public static void WriteSections(Command command, TextWriter output)
    {
        var examples = CommandExamples.Of(command);
        if (!examples.IsEmpty)
        {
            output.WriteLine("Examples:");
            foreach (var example in examples)
            {
                output.WriteLine($"  {example.CommandLine}");
                output.WriteLine($"      {example.Description}");
            }
            output.WriteLine();
        }
        if (command is not RootCommand)
        {
            return;
        }
        output.WriteLine("Exit codes:");
        foreach (var (code, meaning) in ExitCodes)
        {
            output.WriteLine($"  {(int)code,-5}{meaning}");
        }
        output.WriteLine();
        output.WriteLine("Environment variables (defaults; flags win):");
        var width = EnvironmentVariables.All.Max(v => v.Name.Length) + 2;
        foreach (var variable in EnvironmentVariables.All)
        {
            output.WriteLine($"  {variable.Name.PadRight(width)}{variable.Description} [{variable.Flag}]");
        }
        output.WriteLine();
    }

    internal sealed class SectionsHelpAction(HelpAction inner) : SynchronousCommandLineAction
    {
        // As System.CommandLine's own help action: 'gitops render --help' prints help although --env is missing.
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var code = inner.Invoke(parseResult);
            WriteSections(parseResult.CommandResult.Command, parseResult.InvocationConfiguration.Output);
            return code;
        }
    }
}
