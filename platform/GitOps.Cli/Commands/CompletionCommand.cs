using System.CommandLine;
using GitOps.Cli.Completion;
using GitOps.Cli.Conventions;
using GitOps.Specs.Contracts;

namespace GitOps.Cli.Commands;

/// <summary><c>gitops completion bash|zsh|fish|powershell</c>: prints the shell's completion script.</summary>
public static class CompletionCommand
{
    public static Command Create()
    {
        var shell = new Argument<string>("SHELL") { Description = $"The shell: {string.Join(", ", CompletionScripts.Shells)}" };
        shell.AcceptOnlyFromAmong([.. CompletionScripts.Shells]);
        var command = new Command("completion", "Print the shell completion script: commands, options, and environment and model names from the repository")
        {
            shell,
        };
        command.WithExamples(
            ("source <(gitops completion bash)", "complete gitops in this bash session (add it to ~/.bashrc for every session)"),
            ("gitops completion zsh > \"${fpath[1]}/_gitops\"", "install zsh completion, then start a new shell"),
            ("gitops completion fish > ~/.config/fish/completions/gitops.fish", "install fish completion"),
            ("gitops completion powershell | Out-String | Invoke-Expression", "complete gitops in this PowerShell session (add it to $PROFILE)"));
        command.SetAction(parse =>
        {
            parse.Out().Write(CompletionScripts.For(parse.GetValue(shell)!));
            return (int)ExitCode.Success;
        });
        return command;
    }
}
