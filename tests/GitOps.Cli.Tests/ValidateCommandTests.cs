using System.Text.Json;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class ValidateCommandTests
{
    private static readonly string BrokenRepo = RepositoryPaths.Combine("tests", "GitOps.Cli.Tests", "testdata", "validate", "broken-repo");
    private static readonly string WarningsRepo = RepositoryPaths.Combine("tests", "GitOps.Cli.Tests", "testdata", "validate", "warnings-only");
    private static readonly string KubernetesRefusalsRepo = RepositoryPaths.Combine("tests", "GitOps.Cli.Tests", "testdata", "validate", "kubernetes-refusals");

    public sealed class TheExampleRepository
    {
        [Fact]
        public async Task Should_Validate_With_No_Errors()
        {
            // Given the example content shipped at the repository root
            // When
            var result = await CliRunner.RunAsync("validate", RepositoryPaths.Root);

            // Then
            Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
            Assert.Contains(": 0 errors", result.Stdout);
        }
    }

    public sealed class TheKubernetesFieldRules
    {
        [Fact]
        public async Task Should_Refuse_What_The_Api_Server_Would_Refuse_When_A_Node_Selector_Key_Is_Invalid()
        {
            // Given an environment whose GPU pool selects nodes by 'bad key!!/x' and tolerates with tolerationSeconds on NoSchedule
            // When
            var result = await CliRunner.RunAsync("validate", KubernetesRefusalsRepo);

            // Then
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("environments/prod/environment.yaml:14:9: error GITOPS0222: nodeSelector key 'bad key!!/x'", result.Stdout);
            Assert.Contains("environments/prod/environment.yaml:19:30: error GITOPS0224: toleration 'nvidia.com/gpu' sets tolerationSeconds", result.Stdout);
        }
    }

    public sealed class TheFormats
    {
        [Theory]
        [InlineData("text", "expected.text.txt")]
        [InlineData("json", "expected.json")]
        [InlineData("sarif", "expected.sarif.json")]
        [InlineData("github", "expected.github.txt")]
        public async Task Should_Match_Golden_Output_For_Each_Format(string format, string golden)
        {
            // Given a repository with errors
            // When
            var result = await CliRunner.RunAsync("validate", BrokenRepo, "--format", format);

            // Then
            Assert.Equal(1, result.ExitCode);
            GoldenFile.AssertMatches(Path.Combine(BrokenRepo, "..", "broken-repo." + golden), result.Stdout);
        }

        [Fact]
        public async Task Should_Write_Sarif_That_Lists_Every_Diagnostic()
        {
            // Given
            var json = await CliRunner.RunAsync("validate", BrokenRepo, "--format", "json");
            var sarif = await CliRunner.RunAsync("validate", BrokenRepo, "--format", "sarif");

            // When
            using var jsonDoc = JsonDocument.Parse(json.Stdout);
            using var sarifDoc = JsonDocument.Parse(sarif.Stdout);

            // Then
            var run = sarifDoc.RootElement.GetProperty("runs")[0];
            Assert.Equal("2.1.0", sarifDoc.RootElement.GetProperty("version").GetString());
            Assert.Equal(jsonDoc.RootElement.GetProperty("diagnostics").GetArrayLength(), run.GetProperty("results").GetArrayLength());
            foreach (var r in run.GetProperty("results").EnumerateArray())
            {
                var region = r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region");
                Assert.True(region.GetProperty("startLine").GetInt32() >= 1);
                Assert.Equal(r.GetProperty("ruleId").GetString(),
                    run.GetProperty("tool").GetProperty("driver").GetProperty("rules")[r.GetProperty("ruleIndex").GetInt32()].GetProperty("id").GetString());
            }
        }

        [Fact]
        public async Task Should_Escape_Workflow_Command_Data()
        {
            // Given / When
            var result = await CliRunner.RunAsync("validate", BrokenRepo, "--format", "github");

            // Then every annotation is one line with file, line and column
            var annotations = result.Stdout.Split('\n').Where(l => l.StartsWith("::", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(annotations);
            Assert.All(annotations, a => Assert.Matches(@"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+", a));
        }
    }

    public sealed class TheTextOutput : IDisposable
    {
        private readonly string _repo = Directory.CreateTempSubdirectory("gitops-validate-escapes-").FullName;

        public void Dispose() => Directory.Delete(_repo, recursive: true);

        [Fact]
        public async Task Should_Print_Control_Characters_Of_A_Spec_As_Escapes_Not_As_Terminal_Commands()
        {
            // Given a model whose task holds an escape sequence that would turn the terminal red and retitle it, and a bell
            Directory.CreateDirectory(Path.Combine(_repo, "models", "m"));
            await File.WriteAllTextAsync(Path.Combine(_repo, "models", "m", "model.yaml"),
                "apiVersion: ml.gitops/v1alpha1\nkind: Model\nmetadata:\n  name: m\nspec:\n  task: \"\\e[31mx\\e]0;PWN\\a\"\n");

            // When
            var result = await CliRunner.RunAsync("validate", _repo, "--color", "never");

            // Then
            Assert.Equal(1, result.ExitCode);
            Assert.DoesNotContain(result.Stdout, c => char.IsControl(c) && c != '\n');
            Assert.Contains("'spec.task' is '\\x1b[31mx\\x1b]0;PWN\\x07'", result.Stdout);
        }

        [Fact]
        public async Task Should_Put_The_Caret_Under_The_Value_After_Wide_Characters()
        {
            // Given a line where Chinese text (two terminal columns per character) comes before the wrong value
            Directory.CreateDirectory(Path.Combine(_repo, "models", "m"));
            await File.WriteAllTextAsync(Path.Combine(_repo, "models", "m", "model.yaml"),
                "apiVersion: ml.gitops/v1alpha1\nkind: Model\nmetadata:\n  name: m\nspec: {说明: 模型分类, task: nope}\n");

            // When
            var result = await CliRunner.RunAsync("validate", _repo, "--color", "never");

            // Then the carets sit under 'nope': "spec: {" 7 columns, "说明" 4, ": " 2, "模型分类" 8, ", task: " 8
            var lines = result.Stdout.Split('\n');
            var task = Array.FindIndex(lines, l => l.Contains("'spec.task' is 'nope'", StringComparison.Ordinal));
            Assert.True(task >= 0, result.Stdout);
            Assert.Equal("   | " + new string(' ', 29) + "^^^^", lines[task + 2]);
        }
    }

    public sealed class TheExitCode
    {
        [Fact]
        public async Task Should_Be_2_When_The_Path_Does_Not_Exist()
        {
            // Given / When
            var result = await CliRunner.RunAsync("validate", Path.Combine(Path.GetTempPath(), "no-such-repo-" + Guid.NewGuid()));

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("is not a folder", result.Stderr);
            Assert.DoesNotContain("   at ", result.Stderr);
        }

        [Fact]
        public async Task Should_Be_2_When_The_Folder_Is_Not_A_Repository()
        {
            // Given an empty folder
            var dir = Directory.CreateTempSubdirectory("gitops-empty-");
            try
            {
                // When
                var result = await CliRunner.RunAsync("validate", dir.FullName);

                // Then
                Assert.Equal(2, result.ExitCode);
                Assert.Contains("none of environments/, models/ or policies/", result.Stderr);
            }
            finally
            {
                dir.Delete(true);
            }
        }

        [Fact]
        public async Task Should_Be_2_On_An_Unknown_Format()
        {
            // Given / When
            var result = await CliRunner.RunAsync("validate", RepositoryPaths.Root, "--format", "xml");

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("xml", result.Stderr);
        }

        [Fact]
        public async Task Should_Be_1_On_Warnings_Only_With_Warnings_As_Errors()
        {
            // Given a repository whose only findings are warnings
            var lenient = await CliRunner.RunAsync("validate", WarningsRepo);

            // When
            var strict = await CliRunner.RunAsync("validate", WarningsRepo, "--warnings-as-errors");

            // Then
            Assert.True(lenient.ExitCode == 0, lenient.Stdout);
            Assert.Contains("warning", lenient.Stdout);
            Assert.Equal(1, strict.ExitCode);
        }
    }

    public sealed class TheRootCommand
    {
        [Fact]
        public async Task Should_Print_Help()
        {
            var result = await CliRunner.RunAsync("--help");
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("validate", result.Stdout);
        }

        [Fact]
        public async Task Should_Print_Version()
        {
            var result = await CliRunner.RunAsync("--version");
            Assert.Equal(0, result.ExitCode);
            Assert.Matches(@"^\d+\.\d+\.\d+", result.Stdout);
        }

        [Fact]
        public async Task Should_Exit_2_On_An_Unknown_Command()
        {
            var result = await CliRunner.RunAsync("deploy-everything");
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("gitops --help", result.Stderr);
        }
    }
}
