using GitOps.Testing.Git;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class PlanCommandTests
{
    public sealed class TheEnvOption
    {
        [Theory]
        [InlineData("plan")]
        [InlineData("render")]
        public async Task Should_Exit_2_And_List_Known_Environments_When_The_Name_Is_Unknown(string command)
        {
            // Given the example repository, which defines dev, prod and staging
            // When
            var result = await CliRunner.RunAsync(command, "--env", "prdo", "--repo", RepositoryPaths.Root);

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("--env 'prdo' is not an Environment of this repository (known: dev, local, prod, staging)", result.Stderr);
            Assert.Equal("", result.Stdout);
        }

        [Fact]
        public async Task Should_Plan_Every_Example_Environment_With_Changes_On_An_Empty_Cluster()
        {
            // Given no live state (a first deploy)
            // When
            var result = await CliRunner.RunAsync("plan", "--all", "--repo", RepositoryPaths.Root, "--detailed-exitcode");

            // Then
            Assert.True(result.ExitCode == 2, result.Stderr);
            Assert.Contains("Environment prod", result.Stdout);
            Assert.Contains("Environment local (namespace ml-local)", result.Stdout);
            Assert.DoesNotContain("\u001b[", result.Stdout);
        }

        [Fact]
        public async Task Should_Report_The_Head_Commit_Of_The_Repository_It_Plans()
        {
            // Given the example specs committed to a Git repository with its README and CI workflows beside them
            // (HEAD is read while the specs are validated)
            using var repo = FakeGitRepo.Create();
            var files = new[] { "environments", "models", "policies", Path.Combine(".github", "workflows") }
                .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, folder), "*", SearchOption.AllDirectories))
                .Append(Path.Combine(RepositoryPaths.Root, "README.md"))
                .ToDictionary(f => Path.GetRelativePath(RepositoryPaths.Root, f), f => (string?)File.ReadAllText(f));
            var commit = repo.Commit("specs", files);

            // When
            var result = await CliRunner.RunAsync("plan", "--env", "prod", "--repo", repo.Path);

            // Then
            Assert.True(result.ExitCode == 0, result.Stderr);
            Assert.StartsWith($"Plan for commit {commit}", result.Stdout);
            // A commit id that starts with a digit is quoted in YAML (a plain scalar there may not start with one).
            Assert.Matches($"ml\\.gitops/source-commit: \"?{commit}\"?\n", result.Stdout);
        }
    }
    public sealed class TheJsonFormat
    {
        [Fact]
        public async Task Should_Still_Print_Json_Naming_The_Errors_When_The_Specs_Have_Errors()
        {
            // Given a repository whose specs have errors
            var broken = RepositoryPaths.Combine("tests", "GitOps.Cli.Tests", "testdata", "validate", "broken-repo");

            // When
            var result = await CliRunner.RunAsync("plan", broken, "--all", "-o", "json");

            // Then the exit says findings, and standard output is a plan a pipeline can read: nothing planned, and why
            Assert.Equal(1, result.ExitCode);
            using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
            var root = json.RootElement;
            Assert.True(root.GetProperty("hasErrors").GetBoolean());
            Assert.False(root.GetProperty("hasChanges").GetBoolean());
            Assert.Equal(0, root.GetProperty("environments").GetArrayLength());
            var diagnostics = root.GetProperty("diagnostics").EnumerateArray().ToList();
            Assert.NotEmpty(diagnostics);
            Assert.All(diagnostics, d => Assert.StartsWith("GITOPS", d.GetProperty("id").GetString()));
            Assert.Contains(diagnostics, d => d.GetProperty("severity").GetString() == "error");
        }
    }
}
