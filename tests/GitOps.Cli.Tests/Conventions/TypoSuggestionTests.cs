using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests.Conventions;

public sealed class TypoSuggestionTests
{
    public sealed class TheSuggestions
    {
        [Theory]
        [InlineData("valdate", "Did you mean 'validate'?")]
        [InlineData("rendr", "Did you mean 'render'?")]
        public async Task Should_Suggest_The_Command_Meant(string typed, string expected)
        {
            // Given / When
            var result = await CliRunner.RunAsync(typed, RepositoryPaths.Root);

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains(expected, result.Stderr);
        }

        [Fact]
        public async Task Should_Suggest_The_Option_Meant_Including_Inherited_Ones()
        {
            // Given / When
            var own = await CliRunner.RunAsync("plan", RepositoryPaths.Root, "--all", "--detailed-exitcod");
            var inherited = await CliRunner.RunAsync("validate", RepositoryPaths.Root, "--colour", "never");

            // Then
            Assert.Contains("Did you mean '--detailed-exitcode'?", own.Stderr);
            Assert.Contains("Did you mean '--color'?", inherited.Stderr);
            Assert.Contains("gitops plan --help", own.Stderr);
        }

        [Fact]
        public async Task Should_Suggest_The_Environment_Meant()
        {
            // Given / When
            var result = await CliRunner.RunAsync("plan", RepositoryPaths.Root, "--env", "prdo");

            // Then
            Assert.Contains("Did you mean 'prod'?", result.Stderr);
        }

        [Fact]
        public async Task Should_Not_Suggest_Anything_Far_From_Every_Name()
        {
            // Given / When
            var result = await CliRunner.RunAsync("deploy-everything");

            // Then
            Assert.DoesNotContain("Did you mean", result.Stderr);
        }
    }
}
