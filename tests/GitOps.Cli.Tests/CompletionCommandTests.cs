using System.Diagnostics;
using GitOps.Cli.Completion;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class CompletionCommandTests
{
    private static readonly string[] ExampleEnvironments =
        [.. Directory.GetDirectories(RepositoryPaths.Combine("environments")).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal)];

    private static readonly string[] ExampleModels =
        [.. Directory.GetDirectories(RepositoryPaths.Combine("models")).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal)];

    /// <summary>What a completion script asks: <c>gitops [suggest:N] "LINE"</c>, the line typed so far without the program name.</summary>
    private static async Task<string[]> SuggestAsync(string line, IReadOnlyDictionary<string, string>? variables = null)
    {
        var result = await CliRunner.RunWithVariablesAsync(variables ?? new Dictionary<string, string>(), $"[suggest:{line.Length}]", line);
        Assert.Equal(0, result.ExitCode);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public sealed class TheCompletionCommand
    {
        [Theory]
        [InlineData(CompletionScripts.Bash, "complete -o default -F _gitops_completions gitops")]
        [InlineData(CompletionScripts.Zsh, "compdef _gitops gitops")]
        [InlineData(CompletionScripts.Fish, "complete -c gitops -f -a '(__gitops_complete)'")]
        [InlineData(CompletionScripts.PowerShell, "Register-ArgumentCompleter -Native -CommandName gitops")]
        public async Task Should_Print_A_Script_That_Registers_Completion_For_The_Shell(string shell, string registration)
        {
            // Given / When
            var result = await CliRunner.RunAsync("completion", shell);

            // Then
            Assert.Equal(0, result.ExitCode);
            Assert.Equal("", result.Stderr);
            Assert.Contains(registration, result.Stdout);
            Assert.Contains("gitops \"[suggest:", result.Stdout);
            Assert.DoesNotContain("\r", result.Stdout);
            Assert.EndsWith("\n", result.Stdout);
        }

        [Fact]
        public async Task Should_Print_A_Bash_Script_Bash_Accepts()
        {
            // Given
            var script = (await CliRunner.RunAsync("completion", "bash")).Stdout;

            // When
            var (code, _, error) = await RunBashAsync(["-n"], script, workingDirectory: Path.GetTempPath());

            // Then
            Assert.True(code == 0, error);
        }

        [Fact]
        public async Task Should_Reject_A_Shell_It_Has_No_Script_For()
        {
            // Given / When
            var result = await CliRunner.RunAsync("completion", "tcsh");

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("bash", result.Stderr);
        }

        [Fact]
        public async Task Should_Complete_Environment_Names_In_Bash_From_The_Repository_Of_The_Working_Directory()
        {
            // Given the script loaded in a real bash, with gitops the built program, in the example repository
            var script = (await CliRunner.RunAsync("completion", "bash")).Stdout;
            const string Complete = """
                gitops() { dotnet "$GITOPS_DLL" "$@"; }
                source /dev/stdin
                complete_line() { COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; _gitops_completions; for r in "${COMPREPLY[@]}"; do echo "$r"; done; echo ---; }
                complete_line 'gitops plan --env '
                complete_line 'gitops render --env st'
                complete_line 'gitops pl'
                complete_line 'gitops plan --live docs/ex'
                """;

            // When
            var (code, output, error) = await RunBashAsync(["-c", Complete], script, RepositoryPaths.Root);

            // Then
            Assert.True(code == 0, error);
            var answers = output.Split("---\n");
            Assert.Equal(ExampleEnvironments, answers[0].Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal(["staging"], answers[1].Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal(["plan"], answers[2].Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal("", answers[3]);
        }
    }

    public sealed class TheSuggestions
    {
        [Theory]
        [InlineData("plan {repo} --env ")]
        [InlineData("render --repo {repo} --env ")]
        [InlineData("status {repo} --env ")]
        [InlineData("down {repo} --env ")]
        public async Task Should_Offer_The_Environments_Of_The_Repository_Being_Typed(string line)
        {
            // Given / When
            var suggestions = await SuggestAsync(line.Replace("{repo}", RepositoryPaths.Root));

            // Then
            Assert.Equal(ExampleEnvironments, suggestions);
        }

        [Fact]
        public async Task Should_Offer_Only_The_Names_Starting_With_What_Was_Typed()
        {
            // Given / When
            var suggestions = await SuggestAsync($"plan {RepositoryPaths.Root} --env pr");

            // Then
            Assert.Equal(["prod"], suggestions);
        }

        [Fact]
        public async Task Should_Offer_Model_Names_From_GITOPS_REPOSITORY_For_Serve()
        {
            // Given / When
            var suggestions = await SuggestAsync("serve --name ", new Dictionary<string, string> { ["GITOPS_REPOSITORY"] = RepositoryPaths.Root });

            // Then
            Assert.NotEmpty(ExampleModels);
            Assert.Equal(ExampleModels, suggestions);
        }

        [Fact]
        public async Task Should_Offer_Commands_And_Option_Values()
        {
            // Given / When
            var commands = await SuggestAsync("pl");
            var formats = await SuggestAsync("validate -o ");
            var shells = await SuggestAsync("completion ");

            // Then
            Assert.Contains("plan", commands);
            Assert.Equal(["github", "json", "sarif", "text"], formats.Order(StringComparer.Ordinal));
            Assert.Subset(shells.ToHashSet(), CompletionScripts.Shells.ToHashSet());
        }

        [Fact]
        public async Task Should_Offer_No_Names_When_The_Folder_Is_Not_A_Repository()
        {
            // Given
            var empty = Directory.CreateTempSubdirectory("gitops-completion-empty-").FullName;
            try
            {
                // When
                var suggestions = await SuggestAsync($"plan {empty} --env ");

                // Then
                Assert.Empty(suggestions);
            }
            finally
            {
                Directory.Delete(empty);
            }
        }
    }

    private static async Task<(int Code, string Output, string Error)> RunBashAsync(string[] args, string stdin, string workingDirectory)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        psi.Environment["GITOPS_DLL"] = Path.Combine(AppContext.BaseDirectory, "gitops.dll");
        psi.Environment.Remove("GITOPS_REPOSITORY");
        using var process = Process.Start(psi)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        return (process.ExitCode, await output, await error);
    }
}
