using GitOps.Cli;
using GitOps.Cli.Conventions;

namespace GitOps.Cli.Tests;

/// <summary>
/// Runs the <c>gitops</c> command line in-process with captured output, in an isolated environment: no variables
/// but those given, standard input as given, and no terminal — what a CI job or a pipe sees.
/// </summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Task<Result> RunAsync(params string[] args) => RunAsync(CliEnvironment.Isolated(), args);

    public static Task<Result> RunWithVariablesAsync(IReadOnlyDictionary<string, string> variables, params string[] args) =>
        RunAsync(CliEnvironment.Isolated(variables), args);

    public static async Task<Result> RunAsync(CliEnvironment environment, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var code = await GitOpsCommandLine.RunAsync(args, stdout, stderr, environment);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }
}
