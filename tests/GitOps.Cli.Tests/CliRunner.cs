using GitOps.Cli;

namespace GitOps.Cli.Tests;

/// <summary>Runs the <c>gitops</c> command line in-process with captured output.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var code = await GitOpsCommandLine.RunAsync(args, stdout, stderr);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }
}
