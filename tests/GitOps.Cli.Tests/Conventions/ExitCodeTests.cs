using GitOps.Specs.Contracts;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests.Conventions;

public sealed class ExitCodeTests
{
    private static readonly string BrokenRepo = RepositoryPaths.Combine("tests", "GitOps.Cli.Tests", "testdata", "validate", "broken-repo");

    public sealed class TheExitCodeOfEachCommand : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("gitops-exit-codes-").FullName;

        public void Dispose() => Directory.Delete(_root, recursive: true);

        [Theory]
        [InlineData(ExitCode.Success, "validate", "{repo}")]
        [InlineData(ExitCode.Findings, "validate", "{broken}")]
        [InlineData(ExitCode.Usage, "validate", "{missing}")]
        [InlineData(ExitCode.Success, "plan", "{repo}", "--all")]
        [InlineData(ExitCode.Findings, "plan", "{broken}", "--all")]
        [InlineData(ExitCode.Usage, "plan", "{repo}", "--env", "prdo")]
        [InlineData(ExitCode.Usage, "plan", "{repo}")]
        [InlineData(ExitCode.Success, "render", "{repo}", "--env", "dev")]
        [InlineData(ExitCode.Findings, "render", "{broken}", "--env", "dev")]
        [InlineData(ExitCode.Usage, "render", "{repo}", "--env", "prdo")]
        [InlineData(ExitCode.Usage, "schema")]
        [InlineData(ExitCode.Usage, "datasets", "generate", "fraud", "--rows", "0")]
        [InlineData(ExitCode.Usage, "datasets", "generate", "fraud", "--rows", "10", "--out", "{tmp}/d.csv", "--shift", "amout*10")]
        [InlineData(ExitCode.Usage, "train", "verify-output", "{missing}")]
        [InlineData(ExitCode.Usage, "train", "--dataset", "{missing}")]
        [InlineData(ExitCode.Usage, "reconcile", "--repo", "{missing}", "--env", "prod", "--interval", "soon")]
        [InlineData(ExitCode.Usage, "serve", "--model", "{missing}", "--name", "m", "--score-buckets", "0.9,0.1")]
        [InlineData(ExitCode.Usage, "serve", "--model", "{missing}", "--name", "m", "--cache", "redis")]
        [InlineData(ExitCode.Usage, "serve", "--model", "{missing}", "--name", "m", "--cache", "memory", "--cache-max-bytes", "lots")]
        [InlineData(ExitCode.Usage, "artifacts", "fetch", "--uri", "gs://bucket/m.onnx", "--out", "{tmp}/m.onnx")]
        [InlineData(ExitCode.Findings, "artifacts", "fetch", "--uri", "{missing}", "--out", "{tmp}/m.onnx")]
        [InlineData(ExitCode.Usage, "artifacts", "push", "--from", "{missing}", "--uri", "{tmp}/store")]
        [InlineData(ExitCode.Usage, "no-such-command")]
        [InlineData(ExitCode.Usage, "validate", "--no-such-option")]
        [InlineData(ExitCode.Success)]
        public async Task Should_Exit_With_The_Documented_Code(ExitCode expected, params string[] args)
        {
            // Given
            var resolved = args.Select(a => a
                .Replace("{repo}", RepositoryPaths.Root, StringComparison.Ordinal)
                .Replace("{broken}", BrokenRepo, StringComparison.Ordinal)
                .Replace("{missing}", Path.Combine(_root, "missing"), StringComparison.Ordinal)
                .Replace("{tmp}", _root, StringComparison.Ordinal)).ToArray();

            // When
            var result = await CliRunner.RunAsync(resolved);

            // Then
            Assert.True((int)expected == result.ExitCode, $"gitops {string.Join(' ', args)} exited {result.ExitCode}, expected {(int)expected}:\n{result.Stderr}");
            Assert.DoesNotContain("   at ", result.Stderr);
        }

        [Fact]
        public async Task Should_Exit_2_For_A_Digest_Mismatch_In_Both_Artifacts_Fetch_And_Train()
        {
            // Given a dataset whose sha256 is not the one expected
            var dataset = Path.Combine(_root, "fraud.csv");
            var generated = await CliRunner.RunAsync("datasets", "generate", "fraud", "--rows", "200", "--out", dataset);
            Assert.Equal(0, generated.ExitCode);
            var wrong = new string('0', 64);

            // When
            var fetch = await CliRunner.RunAsync("artifacts", "fetch", "--uri", dataset, "--out", Path.Combine(_root, "copy.csv"), "--sha256", wrong);
            var train = await CliRunner.RunWithVariablesAsync(new Dictionary<string, string>
            {
                [TrainingContract.DatasetUri] = new Uri(dataset).AbsoluteUri,
                [TrainingContract.DatasetSha256] = wrong,
            }, "train", "--label", "is_fraud", "--task", "binaryClassification", "--algorithm", "fastTree", "--out", Path.Combine(_root, "out"));

            // Then
            Assert.Equal((int)ExitCode.Usage, fetch.ExitCode);
            Assert.Equal(fetch.ExitCode, train.ExitCode);
            Assert.Contains(wrong, fetch.Stderr);
            Assert.Contains(wrong, train.Stderr);
        }
    }

    public sealed class ThePlanDetailedExitCode
    {
        [Theory]
        [InlineData("--env", "prdo")]
        [InlineData("--all", "--live", "/no/such/live.yaml")]
        [InlineData("--all", "--no-such-option")]
        [InlineData("--all", "--context", "prod-eu")]
        public async Task Should_Exit_1_On_Any_Error_So_That_2_Always_Means_Changes(params string[] args)
        {
            // Given / When
            var result = await CliRunner.RunAsync(["plan", RepositoryPaths.Root, "--detailed-exitcode", .. args]);

            // Then
            Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.Stderr}");
        }

        [Fact]
        public async Task Should_Exit_1_When_The_Specs_Have_Errors()
        {
            // Given / When
            var result = await CliRunner.RunAsync("plan", BrokenRepo, "--all", "--detailed-exitcode");

            // Then
            Assert.Equal(1, result.ExitCode);
        }

        [Fact]
        public async Task Should_Exit_2_With_Changes_And_0_Without()
        {
            // Given the live state the plan itself would create: render every object of dev as a JSON list
            var render = await CliRunner.RunAsync("render", RepositoryPaths.Root, "--env", "dev");
            Assert.Equal(0, render.ExitCode);

            // When
            var changes = await CliRunner.RunAsync("plan", RepositoryPaths.Root, "--env", "dev", "--detailed-exitcode");
            var none = await CliRunner.RunAsync(GitOps.Cli.Conventions.CliEnvironment.Isolated(stdin: render.Stdout),
                "plan", RepositoryPaths.Root, "--env", "dev", "--live", "-", "--detailed-exitcode");

            // Then
            Assert.Equal(2, changes.ExitCode);
            Assert.True(none.ExitCode == 0, none.Stdout + none.Stderr);
            Assert.Contains("No changes.", none.Stdout);
        }
    }
    public sealed class AnUnexpectedFailure
    {
        [Fact]
        public async Task Should_Exit_3_Naming_The_Innermost_Cause_Without_A_Stack_Trace()
        {
            // Given a command that fails the way a bug does: a wrapper around the exception that says what went wrong
            var command = new System.CommandLine.Command("explode");
            command.SetAction((_, _) => Task.FromException<int>(new AggregateException(new InvalidOperationException("the cache lost its index"))));
            var root = new System.CommandLine.RootCommand { command };
            var stderr = new StringWriter();

            // When
            var exit = await GitOpsCommandLine.InvokeAsync(root.Parse(["explode"]), new StringWriter(), stderr, CancellationToken.None);

            // Then
            Assert.Equal((int)ExitCode.InternalError, exit);
            var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("internal error: AggregateException: ", lines[0]);
            Assert.EndsWith(" Cause: InvalidOperationException: the cache lost its index", lines[0]);
            Assert.Equal("This is a bug in gitops, not in your input. Please report it with the command you ran.", lines[1]);
            Assert.DoesNotContain("   at ", stderr.ToString());
        }

        [Fact]
        public async Task Should_Not_Repeat_The_Message_When_There_Is_No_Inner_Cause()
        {
            // Given
            var command = new System.CommandLine.Command("explode");
            command.SetAction((_, _) => Task.FromException<int>(new InvalidOperationException("the cache lost its index")));
            var root = new System.CommandLine.RootCommand { command };
            var stderr = new StringWriter();

            // When
            var exit = await GitOpsCommandLine.InvokeAsync(root.Parse(["explode"]), new StringWriter(), stderr, CancellationToken.None);

            // Then
            Assert.Equal((int)ExitCode.InternalError, exit);
            Assert.StartsWith("internal error: InvalidOperationException: the cache lost its index\n", stderr.ToString().ReplaceLineEndings("\n"));
            Assert.DoesNotContain("Cause:", stderr.ToString());
        }

        [Fact]
        public async Task Should_Exit_2_For_A_User_Error_Thrown_By_A_Command()
        {
            // Given
            var command = new System.CommandLine.Command("refuse");
            command.SetAction((_, _) => Task.FromException<int>(new GitOps.Cli.Output.UserError("--out names a folder that does not exist")));
            var root = new System.CommandLine.RootCommand { command };
            var stderr = new StringWriter();

            // When
            var exit = await GitOpsCommandLine.InvokeAsync(root.Parse(["refuse"]), new StringWriter(), stderr, CancellationToken.None);

            // Then
            Assert.Equal((int)ExitCode.Usage, exit);
            Assert.Equal("error: --out names a folder that does not exist", stderr.ToString().TrimEnd());
        }
    }
}
