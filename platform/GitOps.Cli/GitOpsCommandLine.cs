using System.CommandLine;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GitOps.Cli.Commands;
using GitOps.Cli.Conventions;
using GitOps.Cli.Output;
using GitOps.Specs.Contracts;

namespace GitOps.Cli;

/// <summary>The <c>gitops</c> command tree; exit codes are <see cref="ExitCode"/> (listed in <c>gitops --help</c>).</summary>
public static partial class GitOpsCommandLine
{
    /// <summary>The whole command tree: help, completion and the reference of every command.</summary>
    public static RootCommand Build() => Build(Factories.Select(f => f.Create()));

    /// <summary>
    /// The tree these arguments need. A run that names a command (<c>gitops validate ...</c>) parses and runs within that
    /// command alone, so only that command's definition is built: building all of them is a measurable part of the
    /// start-up of a short command. Anything else (bare <c>gitops</c>, a root option, a typo, a directive such as the
    /// completion scripts' <c>[suggest]</c>) gets the whole tree.
    /// </summary>
    public static RootCommand BuildFor(IReadOnlyList<string> args)
    {
        if (args.Count > 0)
        {
            foreach (var (name, create) in Factories)
            {
                if (name == args[0])
                {
                    return Build([create()]);
                }
            }
        }
        return Build();
    }

    private static RootCommand Build(IEnumerable<Command> commands)
    {
        var root = new RootCommand("GitOps ML: run machine learning in production from a Git repository.");
        root.Options.Add(ColorMode.CreateOption());
        foreach (var command in commands)
        {
            root.Subcommands.Add(command);
        }
        var help = HelpLayout.Apply(root);
        root.SetAction(parse =>
        {
            // Bare 'gitops' is a request for help, as with git and kubectl.
            ((SynchronousCommandLineAction)help).Invoke(parse);
            return (int)ExitCode.Success;
        });
        root.WithExamples(
            ("gitops validate", "check every spec of the repository in the current directory"),
            ("gitops plan --all", "what each environment would do for this commit"),
            ("gitops COMMAND --help", "the options and examples of one command"));
        return root;
    }

    /// <summary>
    /// Every top-level command by the name it is typed with, in the order help lists them. Where code cannot be
    /// generated at run time (the native build), a command it does not run is a placeholder that names it
    /// (<see cref="NativeBuild.Placeholder"/>): the compiler drops the branch that is never taken, so the command and
    /// everything only it uses stay out of the native image, whose start-up grows with its size.
    /// </summary>
    private static readonly (string Name, Func<Command> Create)[] Factories =
    [
        ("validate", ValidateCommand.Create),
        ("schema", SchemaCommand.Create),
        ("render", RenderCommand.Create),
        ("alerts", AlertsCommand.Create),
        ("dashboards", DashboardsCommand.Create),
        ("plan", PlanCommand.Create),
        ("train", RuntimeFeature.IsDynamicCodeSupported ? TrainCommand.Create : NativeBuild.Placeholder("train")),
        ("datasets", DatasetsCommand.Create),
        ("serve", RuntimeFeature.IsDynamicCodeSupported ? ServeCommand.Create : NativeBuild.Placeholder("serve")),
        ("score", RuntimeFeature.IsDynamicCodeSupported ? ScoreCommand.Create : NativeBuild.Placeholder("score")),
        ("reconcile", RuntimeFeature.IsDynamicCodeSupported ? ReconcileCommand.Create : NativeBuild.Placeholder("reconcile")),
        ("artifacts", RuntimeFeature.IsDynamicCodeSupported ? ArtifactsCommand.Create : NativeBuild.Placeholder("artifacts")),
        ("experiments", RuntimeFeature.IsDynamicCodeSupported ? ExperimentsCommand.Create : NativeBuild.Placeholder("experiments")),
        ("models", RuntimeFeature.IsDynamicCodeSupported ? ModelsCommand.Create : NativeBuild.Placeholder("models")),
        ("version", VersionCommand.Create),
        ("github", RuntimeFeature.IsDynamicCodeSupported ? GitHubCommand.Create : NativeBuild.Placeholder("github")),
        ("up", RuntimeFeature.IsDynamicCodeSupported ? UpCommand.Create : NativeBuild.Placeholder("up")),
        ("down", RuntimeFeature.IsDynamicCodeSupported ? DownCommand.Create : NativeBuild.Placeholder("down")),
        ("status", StatusCommand.Create),
        ("rollout", RuntimeFeature.IsDynamicCodeSupported ? RolloutGroupCommand.Create : NativeBuild.Placeholder("rollout")),
        ("analyze", RuntimeFeature.IsDynamicCodeSupported ? AnalyzeCommand.Create : NativeBuild.Placeholder("analyze")),
        ("completion", CompletionCommand.Create),
    ];

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default) =>
        RunAsync(args, stdout, stderr, CliEnvironment.FromProcess(), ct);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CliEnvironment environment, CancellationToken ct = default)
    {
        using var invocation = environment.Enter();
        var parse = BuildFor(args).Parse(args);
        // Before the usage errors: in the native build, a command it does not run is refused whatever its options.
        if (NativeBuild.Refusal(parse, RuntimeFeature.IsDynamicCodeSupported) is { } refusal)
        {
            await stderr.WriteLineAsync($"error: {refusal}");
            return Exit(parse, ExitCode.Usage);
        }
        // Before the parse errors: the value of a misused on/off option is one of them, or was taken for PATH.
        if (parse.Action is not { ClearsParseErrors: true } && OnOffOptions.Misused(parse, args) is { } misused)
        {
            await stderr.WriteLineAsync($"error: {misused}");
            await stderr.WriteLineAsync($"Run '{CommandPath(parse)} --help' to see the commands and their options.");
            return Exit(parse, ExitCode.Usage);
        }
        if (parse.Action is not { ClearsParseErrors: true } && OutputOption.VariableProblem(parse) is { } variable)
        {
            await stderr.WriteLineAsync($"error: {variable}");
            return Exit(parse, ExitCode.Usage);
        }
        if (parse.Errors.Count > 0 && parse.Action is not { ClearsParseErrors: true })
        {
            foreach (var error in parse.Errors)
            {
                var typo = parse.UnmatchedTokens.FirstOrDefault(t => error.Message.Contains($"'{t}'", StringComparison.Ordinal)) is { } token
                    ? TypoSuggestions.For(parse, token)
                    : null;
                await stderr.WriteLineAsync($"error: {Readable(error.Message)}" + (typo is null ? "" : $" Did you mean '{typo}'?"));
            }
            await stderr.WriteLineAsync($"Run '{CommandPath(parse)} --help' to see the commands and their options.");
            return Exit(parse, ExitCode.Usage);
        }
        return await InvokeAsync(parse, stdout, stderr, ct);
    }

    /// <summary>Runs a parsed command: a <see cref="UserError"/> is a usage error, anything else unexpected an internal
    /// error that names its innermost cause, never a stack trace.</summary>
    internal static async Task<int> InvokeAsync(ParseResult parse, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        // Ctrl+C and SIGTERM are handled here, not by the command-line library, whose own handling cancels a token of
        // its own: the cancellation they cause must read as an interruption (exit 130), not as a bug. The first signal
        // asks the command to stop (it cancels the token the command runs with); a second one ends the process at once.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        void OnSignal(PosixSignalContext context)
        {
            if (!cancel.IsCancellationRequested)
            {
                context.Cancel = true;
                cancel.Cancel();
            }
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        try
        {
            return await parse.InvokeAsync(config, cancel.Token);
        }
        catch (UserError e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return Exit(parse, ExitCode.Usage);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("interrupted");
            return (int)ExitCode.Interrupted;
        }
        catch (Exception e)
        {
            // The innermost exception says what failed (a type initializer's, a task's); the wrapper seldom does.
            var cause = e.GetBaseException();
            await stderr.WriteLineAsync($"internal error: {e.GetType().Name}: {e.Message}" +
                (ReferenceEquals(cause, e) ? "" : $" Cause: {cause.GetType().Name}: {cause.Message}"));
            await stderr.WriteLineAsync("This is a bug in gitops, not in your input. Please report it with the command you ran.");
            return Exit(parse, ExitCode.InternalError);
        }
    }

    /// <summary>The command-line library names the type a value did not parse as by its .NET name
    /// (<c>System.Nullable`1[System.Int32]</c>); a person is told what to type instead.</summary>
    internal static string Readable(string message) =>
        CannotParse().Replace(message, m =>
        {
            var expected = m.Groups["type"].Value switch
            {
                "Int32" or "Int64" => "a whole number",
                "Double" or "Single" or "Decimal" => "a number",
                "Boolean" => "true or false",
                "TimeSpan" => "a duration such as 30s or 5m",
                "DateTimeOffset" or "DateTime" => "a date and time such as 2026-03-04T14:00:00Z",
                "Uri" => "a URL",
                var other => $"a value of type {other}",
            };
            return $"'{m.Groups["value"].Value}' is not a valid value for {m.Groups["name"].Value}: expected {expected}.";
        });

    [System.Text.RegularExpressions.GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (?<what>option|argument) '(?<name>[^']*)' as expected type '(?:System\.Nullable`1\[)?(?:System\.)?(?<type>[\w.]+?)\]?'\.?$")]
    private static partial System.Text.RegularExpressions.Regex CannotParse();

    private static int Exit(ParseResult parse, ExitCode code) => (int)PlanCommand.DetailedExitCode(parse, code);

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Command is RootCommand ? "gitops" : result.Command.Name);
        }
        names.Reverse();
        return string.Join(' ', names);
    }
}

/// <summary>Writers of the current invocation, so that commands print where the caller (or a test) asked.</summary>
public static class ParseResultOutput
{
    public static TextWriter Out(this ParseResult parse) => parse.InvocationConfiguration.Output;
    public static TextWriter Err(this ParseResult parse) => parse.InvocationConfiguration.Error;
}
