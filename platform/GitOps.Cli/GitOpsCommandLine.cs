using System.CommandLine;
using GitOps.Cli.Commands;
using GitOps.Cli.Output;

namespace GitOps.Cli;

/// <summary>The <c>gitops</c> command tree and its exit-code contract: 0 ok, 1 findings, 2 usage or I/O problem.</summary>
public static class GitOpsCommandLine
{
    public const int Ok = 0;
    public const int Findings = 1;
    public const int UsageOrIo = 2;
    public const int InternalError = 3;

    public static RootCommand Build()
    {
        var root = new RootCommand("GitOps ML: run machine learning in production from a Git repository.");
        foreach (var command in Commands())
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    private static IEnumerable<Command> Commands() =>
    [
        ValidateCommand.Create(),
        SchemaCommand.Create(),
        RenderCommand.Create(),
        PlanCommand.Create(),
        TrainCommand.Create(),
        DatasetsCommand.Create(),
        ServeCommand.Create(),
        ReconcileCommand.Create(),
        ArtifactsCommand.Create(),
        UpCommand.Create(),
        DownCommand.Create(),
        StatusCommand.Create(),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"error: {error.Message}");
            }
            await stderr.WriteLineAsync("Run 'gitops --help' to see the commands and their options.");
            return UsageOrIo;
        }
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(config, ct);
        }
        catch (UserError e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return UsageOrIo;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("cancelled");
            return 130;
        }
        catch (Exception e)
        {
            await stderr.WriteLineAsync($"internal error: {e.GetType().Name}: {e.Message}");
            await stderr.WriteLineAsync("This is a bug in gitops, not in your input. Please report it with the command you ran.");
            return InternalError;
        }
    }
}

/// <summary>Writers of the current invocation, so that commands print where the caller (or a test) asked.</summary>
public static class ParseResultOutput
{
    public static TextWriter Out(this ParseResult parse) => parse.InvocationConfiguration.Output;
    public static TextWriter Err(this ParseResult parse) => parse.InvocationConfiguration.Error;
}
