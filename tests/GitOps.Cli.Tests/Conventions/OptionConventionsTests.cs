using GitOps.Cli.Conventions;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests.Conventions;

public sealed class OptionConventionsTests
{
    public sealed class TheOutputOption
    {
        [Theory]
        [InlineData("validate")]
        [InlineData("plan")]
        public async Task Should_Accept_O_Output_And_Format_Alike(string command)
        {
            // Given
            string[] scope = command == "plan" ? ["--all"] : [];

            // When
            var shortName = await CliRunner.RunAsync([command, RepositoryPaths.Root, .. scope, "-o", "json"]);
            var longName = await CliRunner.RunAsync([command, RepositoryPaths.Root, .. scope, "--output", "json"]);
            var alias = await CliRunner.RunAsync([command, RepositoryPaths.Root, .. scope, "--format", "json"]);

            // Then
            Assert.True(shortName.ExitCode == 0, shortName.Stderr);
            Assert.StartsWith("{", shortName.Stdout.TrimStart());
            Assert.Equal(shortName.Stdout, longName.Stdout);
            Assert.Equal(shortName.Stdout, alias.Stdout);
        }

        [Fact]
        public async Task Should_Default_To_GITOPS_OUTPUT_FORMAT_With_The_Flag_Winning()
        {
            // Given
            var variables = new Dictionary<string, string> { [OutputOption.Variable] = "json" };

            // When
            var fromVariable = await CliRunner.RunWithVariablesAsync(variables, "validate", RepositoryPaths.Root);
            var flagWins = await CliRunner.RunWithVariablesAsync(variables, "validate", RepositoryPaths.Root, "-o", "text");

            // Then
            Assert.StartsWith("{", fromVariable.Stdout.TrimStart());
            Assert.Contains("validate:", flagWins.Stdout);
            Assert.DoesNotContain("{", flagWins.Stdout[..1]);
        }

        [Theory]
        [InlineData("JSON")]
        [InlineData("Json")]
        public async Task Should_Read_GITOPS_OUTPUT_FORMAT_In_Any_Case(string value)
        {
            // Given
            var variables = new Dictionary<string, string> { [OutputOption.Variable] = value };

            // When
            var result = await CliRunner.RunWithVariablesAsync(variables, "validate", RepositoryPaths.Root);

            // Then
            Assert.True(result.ExitCode == 0, result.Stderr);
            Assert.StartsWith("{", result.Stdout.TrimStart());
        }

        [Fact]
        public async Task Should_Refuse_A_GITOPS_OUTPUT_FORMAT_That_Is_No_Format_Naming_The_Variable_Unless_The_Flag_Wins()
        {
            // Given
            var variables = new Dictionary<string, string> { [OutputOption.Variable] = "yaml" };

            // When
            var fromVariable = await CliRunner.RunWithVariablesAsync(variables, "validate", RepositoryPaths.Root);
            var flagWins = await CliRunner.RunWithVariablesAsync(variables, "validate", RepositoryPaths.Root, "-o", "json");

            // Then
            Assert.Equal(2, fromVariable.ExitCode);
            Assert.Equal("error: GITOPS_OUTPUT_FORMAT is 'yaml', which is not one of text, json, markdown, sarif, github; set it to one of them, or unset it.\n",
                fromVariable.Stderr);
            Assert.Equal("", fromVariable.Stdout);
            Assert.True(flagWins.ExitCode == 0, flagWins.Stderr);
        }

        [Fact]
        public async Task Should_Refuse_A_GITOPS_SERVING_FAULT_TRACK_That_Is_No_Track_Naming_The_Variable()
        {
            // Given a model file that exists (it is never loaded: the variable is refused first)
            var model = Path.Combine(Path.GetTempPath(), $"gitops-fault-track-{Guid.NewGuid():N}.onnx");
            await File.WriteAllBytesAsync(model, [1, 2, 3]);
            try
            {
                var variables = new Dictionary<string, string> { [EnvironmentVariables.FaultTrack] = "canry" };

                // When
                var result = await CliRunner.RunWithVariablesAsync(variables, "serve", "--model", model, "--name", "fraud", "--port", "0");

                // Then
                Assert.Equal(2, result.ExitCode);
                Assert.StartsWith("error: GITOPS_SERVING_FAULT_TRACK is 'canry', which is not one of stable, canary;", result.Stderr);
            }
            finally
            {
                File.Delete(model);
            }
        }

        [Fact]
        public async Task Should_Ignore_GITOPS_OUTPUT_FORMAT_When_The_Command_Has_No_Such_Format()
        {
            // Given sarif, which only validate writes
            var variables = new Dictionary<string, string> { [OutputOption.Variable] = "sarif" };

            // When
            var plan = await CliRunner.RunWithVariablesAsync(variables, "plan", RepositoryPaths.Root, "--env", "dev");

            // Then
            Assert.Equal(0, plan.ExitCode);
            Assert.StartsWith("Plan for commit", plan.Stdout);
        }
    }

    public sealed class TheRepositoryPath
    {
        [Fact]
        public async Task Should_Read_The_Same_Repository_From_PATH_From_Repo_And_From_GITOPS_REPOSITORY()
        {
            // Given / When
            var positional = await CliRunner.RunAsync("render", RepositoryPaths.Root, "--env", "dev");
            var option = await CliRunner.RunAsync("render", "--repo", RepositoryPaths.Root, "--env", "dev");
            var variable = await CliRunner.RunWithVariablesAsync(new Dictionary<string, string> { [RepositoryPath.Variable] = RepositoryPaths.Root }, "render", "--env", "dev");

            // Then
            Assert.Equal(0, positional.ExitCode);
            Assert.Equal(positional.Stdout, option.Stdout);
            Assert.Equal(positional.Stdout, variable.Stdout);
        }

        [Fact]
        public async Task Should_Exit_2_When_PATH_And_Repo_Name_Different_Folders()
        {
            // Given / When
            var result = await CliRunner.RunAsync("validate", RepositoryPaths.Root, "--repo", Path.GetTempPath());

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("pass only one of them", result.Stderr);
        }

        [Theory]
        [InlineData("plan --all --bogus", "error: unrecognized option '--bogus'.")]
        [InlineData("plan --bogus", "error: unrecognized option '--bogus'.")]
        [InlineData("validate --warning-as-errors", "error: unrecognized option '--warning-as-errors'. Did you mean '--warnings-as-errors'?")]
        [InlineData("render --env dev --otu", "error: unrecognized option '--otu'. Did you mean '--out'?")]
        public async Task Should_Call_An_Unknown_Option_Unknown_Instead_Of_Taking_It_For_PATH(string command, string error)
        {
            // Given / When
            var result = await CliRunner.RunAsync(command.Split(' '));

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith(error, result.Stderr);
            Assert.DoesNotContain("does not exist", result.Stderr);
            Assert.DoesNotContain("is not a folder", result.Stderr);
        }
    }

    public sealed class AnOnOffOption
    {
        [Theory]
        [InlineData("validate {root} --warnings-as-errors=yes", "--warnings-as-errors", "yes")]
        [InlineData("validate --warnings-as-errors=1 {root}", "--warnings-as-errors", "1")]
        [InlineData("plan {root} --all:on", "--all", "on")]
        [InlineData("down --purge=yes", "--purge", "yes")]
        [InlineData("validate {root} --warnings-as-errors yes", "--warnings-as-errors", "yes")]
        [InlineData("validate --warnings-as-errors Yes", "--warnings-as-errors", "Yes")]
        [InlineData("down --purge no", "--purge", "no")]
        public async Task Should_Refuse_A_Value_Other_Than_True_Or_False_Naming_The_Option(string command, string option, string value)
        {
            // Given / When
            var result = await CliRunner.RunAsync([.. command.Split(' ').Select(a => a == "{root}" ? RepositoryPaths.Root : a)]);

            // Then it is a usage error about the option, not a folder named after the value
            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith($"error: {option} is on or off: give it alone, or as {option}=true or {option}=false, not '{value}'.", result.Stderr);
            Assert.DoesNotContain("does not exist", result.Stderr);
            Assert.Equal("", result.Stdout);
        }

        [Theory]
        [InlineData("--warnings-as-errors=true")]
        [InlineData("--warnings-as-errors=TRUE")]
        [InlineData("--warnings-as-errors:false")]
        [InlineData("--warnings-as-errors")]
        public async Task Should_Accept_It_Alone_Or_With_True_Or_False_In_Any_Case(string flag)
        {
            // Given / When
            var result = await CliRunner.RunAsync("validate", RepositoryPaths.Root, flag);

            // Then
            Assert.True(result.ExitCode == 0, result.Stderr);
        }
    }

    public sealed class AValueThatDoesNotParse
    {
        [Theory]
        [InlineData("train --seed x", "error: 'x' is not a valid value for --seed: expected a whole number.")]
        [InlineData("serve --model m.onnx --name n --port abc", "error: 'abc' is not a valid value for --port: expected a whole number.")]
        [InlineData("score --model m --input a.csv --out b.csv --batch-size 1.5", "error: '1.5' is not a valid value for --batch-size: expected a whole number.")]
        public async Task Should_Say_What_To_Type_Instead_Of_Naming_A_Dotnet_Type(string command, string error)
        {
            // Given / When
            var result = await CliRunner.RunAsync(command.Split(' '));

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith(error, result.Stderr);
            Assert.DoesNotContain("System.", result.Stderr);
        }
    }

    public sealed class AValueOutsideWhatItCanMean
    {
        [Theory]
        [InlineData("up --once --watch", "error: --once and --watch contradict each other")]
        [InlineData("github pr-check --pr -1", "error: --pr -1 is not a pull request number")]
        [InlineData("rollout status --model fraud-detector -w --interval 0s", "error: --interval '0s' is shorter than 10ms")]
        [InlineData("serve --model {model} --name a/b", "error: --name 'a/b' cannot be part of the URL /v2/models/{name}")]
        [InlineData("serve --model {model} --name n --fault-latency 5m", "error: --fault-latency must be between 0 and 1m, found 5m\n")]
        [InlineData("serve --model {model} --name n --max-batch-delay 1m30s", "error: --max-batch-delay must be between 0 and 10s, found 1m30s\n")]
        [InlineData("serve --model {model} --name n --cache memory --cache-ttl 500ms", "error: --cache-ttl must be at least 1s, found 500ms\n")]
        [InlineData("score --model {model} --input in.csv --out out.csv --threads 0", "error: --threads must be at least 1, not 0.")]
        [InlineData("score --model {model} --input in.csv --out out.csv --max-errors -1", "error: --max-errors must be 0 or more, not -1.")]
        [InlineData("score --model {model} --input in.csv --out out.csv --version", "error: --name and --version must not be empty")]
        public async Task Should_Refuse_It_Naming_The_Option_Before_Doing_Anything(string command, string error)
        {
            // Given a model file that exists (it is never loaded: the options are refused first)
            var model = Path.Combine(Path.GetTempPath(), $"gitops-bounds-{Guid.NewGuid():N}.onnx");
            await File.WriteAllBytesAsync(model, [1, 2, 3]);
            try
            {
                var args = command.Split(' ').Select(a => a == "{model}" ? model : a).ToList();
                if (args[^1] == "--version")
                {
                    args.Add("");
                }

                // When
                var result = await CliRunner.RunAsync([.. args]);

                // Then
                Assert.Equal(2, result.ExitCode);
                Assert.StartsWith(error, result.Stderr);
            }
            finally
            {
                File.Delete(model);
            }
        }
    }

    public sealed class TheStandardInput
    {
        [Fact]
        public async Task Should_Read_The_Live_State_From_Standard_Input_For_A_Dash()
        {
            // Given a live state file and the same bytes on standard input
            var file = RepositoryPaths.Combine("docs", "examples", "live-prod.yaml");
            var text = File.ReadAllText(file);

            // When
            var fromFile = await CliRunner.RunAsync("plan", RepositoryPaths.Root, "--env", "prod", "--live", file);
            var fromStdin = await CliRunner.RunAsync(CliEnvironment.Isolated(stdin: text), "plan", RepositoryPaths.Root, "--env", "prod", "--live", "-");

            // Then
            Assert.True(fromFile.ExitCode == 0, fromFile.Stderr);
            Assert.Equal(fromFile.Stdout, fromStdin.Stdout);
        }

        [Fact]
        public async Task Should_Name_Standard_Input_In_Diagnostics_Of_Bad_Live_State()
        {
            // Given / When
            var result = await CliRunner.RunAsync(CliEnvironment.Isolated(stdin: "items: [oops"), "plan", RepositoryPaths.Root, "--env", "prod", "--live", "-");

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("<stdin>", result.Stderr);
        }
    }

    public sealed class TheContextOption
    {
        [Theory]
        [InlineData("--context", "prod-eu")]
        [InlineData("--kubeconfig", "kubeconfig.yaml")]
        public async Task Should_Be_An_Error_Without_Live_Cluster(string option, string value)
        {
            // Given / When
            var result = await CliRunner.RunAsync("plan", RepositoryPaths.Root, "--env", "prod", option, value);

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("add --live-cluster", result.Stderr);
            Assert.Equal("", result.Stdout);
        }
    }

    public sealed class TheDurationOptions
    {
        [Theory]
        [InlineData("2ms")]
        [InlineData("30s")]
        [InlineData("5m")]
        [InlineData("1h")]
        public async Task Should_Accept_The_One_Duration_Syntax(string value)
        {
            // Given a reconcile that fails later, at the Git remote, so that parsing is all that is tested
            var missing = Path.Combine(Path.GetTempPath(), "no-such-remote-" + Guid.NewGuid());

            // When
            var result = await CliRunner.RunAsync("reconcile", "--repo", missing, "--env", "prod", "--interval", value, "--kubeconfig", missing);

            // Then
            Assert.DoesNotContain("--interval", result.Stderr);
        }

        [Fact]
        public async Task Should_Reject_A_Value_Without_A_Unit_And_Say_Which_Units_Exist()
        {
            // Given / When
            var result = await CliRunner.RunAsync("reconcile", "--repo", "x", "--env", "prod", "--interval", "30");

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("--interval '30' is not a duration", result.Stderr);
            Assert.Contains("2ms, 30s, 5m or 1h", result.Stderr);
        }
    }

    public sealed class TheApplyParallelismOption
    {
        [Fact]
        public async Task Should_Reject_A_Parallelism_Outside_The_Range_And_Say_Which_Values_Work_When_Given_As_A_Flag()
        {
            // Given / When
            var result = await CliRunner.RunAsync("reconcile", "--repo", "x", "--env", "prod", "--apply-parallelism", "0");

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("--apply-parallelism", result.Stderr);
            Assert.Contains("from 1 to 64", result.Stderr);
        }

        [Fact]
        public async Task Should_Reject_A_Parallelism_That_Is_Not_A_Number_When_Given_As_A_Variable()
        {
            // Given / When
            var result = await CliRunner.RunWithVariablesAsync(new Dictionary<string, string> { ["GITOPS_APPLY_PARALLELISM"] = "many" },
                "reconcile", "--repo", "x", "--env", "prod");

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("GITOPS_APPLY_PARALLELISM) is 'many'", result.Stderr);
        }
    }
}
