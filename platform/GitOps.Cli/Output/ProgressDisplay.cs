using System.CommandLine;
using GitOps.Cli.Conventions;
using Spectre.Console;

namespace GitOps.Cli.Output;

/// <summary>
/// A spinner with a status line on standard error while a long step runs (training, dataset generation, planning) —
/// only when standard error is a terminal, so that piped and CI output stays free of escape codes.
/// </summary>
public static class ProgressDisplay
{
    public static Task<T> RunAsync<T>(ParseResult parse, string status, Func<Task<T>> work) =>
        RunAsync(parse, status, _ => work());

    /// <summary>As <see cref="RunAsync{T}(ParseResult, string, Func{Task{T}})"/>; the work may replace the status line
    /// as it goes (a step of a training run). Off a terminal the updates go nowhere.</summary>
    public static async Task<T> RunAsync<T>(ParseResult parse, string status, Func<Action<string>, Task<T>> work)
    {
        if (!CliEnvironment.Current.ErrorIsTerminal)
        {
            return await work(_ => { });
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(parse.InvocationConfiguration.Error),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorMode.Enabled(parse, forStandardError: true) ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
        });
        // The status line is transient: Spectre clears it when the work ends, leaving only the command's own output.
        return await console.Status().StartAsync(Markup.Escape(status), context => work(step => context.Status(Markup.Escape($"{status}: {step}"))));
    }

    public static T Run<T>(ParseResult parse, string status, Func<T> work) =>
        RunAsync(parse, status, () => Task.FromResult(work())).GetAwaiter().GetResult();
}
