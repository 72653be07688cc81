using GitOps.Cli.Conventions;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests.Conventions;

public sealed class ColorTests
{
    private static readonly string BrokenRepo = RepositoryPaths.Combine("tests", "GitOps.Cli.Tests", "testdata", "validate", "broken-repo");

    private static CliEnvironment Terminal(IReadOnlyDictionary<string, string>? variables = null) =>
        CliEnvironment.Isolated(variables) with { OutputIsTerminal = true, ErrorIsTerminal = true };

    public sealed class TheColorOption
    {
        [Theory]
        [InlineData("validate", "{broken}")]
        [InlineData("plan", "{repo}", "--all")]
        [InlineData("render", "{repo}", "--env", "dev")]
        [InlineData("datasets", "generate", "fraud", "--rows", "100", "--out", "{tmp}")]
        public async Task Should_Write_No_Escape_Codes_When_Output_Is_Not_A_Terminal(params string[] args)
        {
            // Given a pipe (the runner's default environment)
            var tmp = Path.Combine(Path.GetTempPath(), $"gitops-color-{Guid.NewGuid():N}.csv");
            var resolved = args.Select(a => a.Replace("{broken}", BrokenRepo).Replace("{repo}", RepositoryPaths.Root).Replace("{tmp}", tmp)).ToArray();

            // When
            var result = await CliRunner.RunAsync(resolved);
            File.Delete(tmp);

            // Then
            Assert.DoesNotContain("\u001b", result.Stdout);
            Assert.DoesNotContain("\u001b", result.Stderr);
        }

        [Fact]
        public async Task Should_Colour_On_A_Terminal_Unless_NO_COLOR_Is_Set()
        {
            // Given / When
            var terminal = await CliRunner.RunAsync(Terminal(), "validate", BrokenRepo);
            var noColor = await CliRunner.RunAsync(Terminal(new Dictionary<string, string> { ["NO_COLOR"] = "1" }), "validate", BrokenRepo);

            // Then
            Assert.Contains("\u001b[", terminal.Stdout);
            Assert.DoesNotContain("\u001b", noColor.Stdout);
            Assert.Equal(noColor.Stdout, System.Text.RegularExpressions.Regex.Replace(terminal.Stdout, "\u001b\\[[0-9;]*m", ""));
        }

        [Fact]
        public async Task Should_Show_Progress_On_Standard_Error_Only_When_It_Is_A_Terminal()
        {
            // Given / When
            var terminal = await CliRunner.RunAsync(Terminal(), "plan", RepositoryPaths.Root, "--all");
            var piped = await CliRunner.RunAsync("plan", RepositoryPaths.Root, "--all");

            // Then the status line went to standard error, and the plan itself is the same
            Assert.Contains("Planning ", terminal.Stderr);
            Assert.DoesNotContain("Planning ", piped.Stderr);
            Assert.Equal(0, terminal.ExitCode);
            Assert.Equal(piped.Stdout, System.Text.RegularExpressions.Regex.Replace(terminal.Stdout, "\u001b\\[[0-9;]*m", ""));
        }

        [Fact]
        public async Task Should_Let_The_Flag_Win_Over_The_Variables()
        {
            // Given
            var forced = new Dictionary<string, string> { ["GITOPS_FORCE_COLOR"] = "1" };
            var noColor = new Dictionary<string, string> { ["NO_COLOR"] = "1" };

            // When
            var fromVariable = await CliRunner.RunWithVariablesAsync(forced, "validate", BrokenRepo);
            var never = await CliRunner.RunWithVariablesAsync(forced, "validate", BrokenRepo, "--color", "never");
            var always = await CliRunner.RunWithVariablesAsync(noColor, "validate", BrokenRepo, "--color", "always");

            // Then
            Assert.Contains("\u001b[", fromVariable.Stdout);
            Assert.DoesNotContain("\u001b", never.Stdout);
            Assert.Contains("\u001b[", always.Stdout);
        }
    }
}
