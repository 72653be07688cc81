using System.Collections.Immutable;
using System.Text.Json;
using GitOps.Specs.Model;
using GitOps.Testing.Artifacts;
using GitOps.Training.Builtin;
using GitOps.Training.Datasets;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class ScoreCommandTests
{
    /// <summary>A small fraud model trained once, the example dataset it scores, and a registry (the
    /// <see cref="ModelsCommandTests.Registry"/> repository) whose staging environment serves it.</summary>
    public sealed class TrainedModel : IAsyncLifetime
    {
        public ModelsCommandTests.Registry Registry { get; } = new();
        public string Root => Registry.Root;
        public string ModelDir => Path.Combine(Root, "model");
        public string Dataset => Path.Combine(Root, "fraud.csv");

        public async Task InitializeAsync()
        {
            FraudDataset.WriteFile(Dataset, 500, 7);
            var (outcome, _) = await new TabularTrainer(TimeProvider.System).TrainWithModelAsync(new TrainingRequest
            {
                DatasetPath = Dataset,
                Label = FraudDataset.Label,
                Task = ModelTasks.BinaryClassification,
                Algorithm = BuiltinAlgorithms.FastTree,
                Seed = 1,
                Hyperparameters = ImmutableSortedDictionary<string, string>.Empty.Add("numberOfTrees", "5"),
                OutputDirectory = ModelDir,
            }, CancellationToken.None);
            Assert.True(outcome.Succeeded, outcome.Error);
            var stored = Path.Combine(Root, "store", "fraud-detector", ModelsCommandTests.Registry.Passing);
            Directory.CreateDirectory(stored);
            File.Copy(outcome.Result!.ModelPath, Path.Combine(stored, "model.onnx"));
        }

        public Task DisposeAsync()
        {
            Registry.Dispose();
            return Task.CompletedTask;
        }
    }

    public sealed class TheScoreCommand(TrainedModel trained) : IClassFixture<TrainedModel>, IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("gitops-score-cli-").FullName;

        private static readonly Dictionary<string, string> Token = new() { ["GITOPS_ARTIFACTS_TOKEN"] = "s3cret" };

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        [Fact]
        public async Task Should_Write_Scores_A_Json_Summary_And_A_Metrics_File_When_Every_Row_Is_Good()
        {
            // Given
            var output = Path.Combine(_dir, "scores.csv");
            var metrics = Path.Combine(_dir, "score.prom");

            // When
            var result = await CliRunner.RunAsync("score", "--model", trained.ModelDir, "--input", trained.Dataset, "--out", output,
                "--batch-size", "64", "--output", "json", "--metrics-file", metrics, "--name", "fraud-detector", "--version", "v7");

            // Then
            Assert.Equal(0, result.ExitCode);
            Assert.Equal("", result.Stderr);
            var summary = JsonDocument.Parse(result.Stdout).RootElement;
            Assert.Equal("complete", summary.GetProperty("outcome").GetString());
            Assert.Equal(500, summary.GetProperty("rows").GetInt64());
            Assert.Equal(500, summary.GetProperty("scored").GetInt64());
            Assert.Equal(501, File.ReadAllLines(output).Length);
            var text = File.ReadAllText(metrics);
            Assert.Contains("gitops_batch_scored_rows{model=\"fraud-detector\",version=\"v7\"} 500\n", text, StringComparison.Ordinal);
            Assert.Contains("gitops_batch_success{model=\"fraud-detector\",version=\"v7\"} 1\n", text, StringComparison.Ordinal);
            Assert.Equal(["score.prom", "scores.csv"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }

        [Fact]
        public async Task Should_Exit_2_And_Write_Nothing_When_A_Row_Is_Malformed_And_OnError_Is_Fail()
        {
            // Given: an older scores file from a previous run, and an input with a word for a number on line 4
            var input = WithBadLine(4);
            var output = Path.Combine(_dir, "scores.csv");
            File.WriteAllText(output, "previous run\n");

            // When
            var result = await CliRunner.RunAsync("score", "--model", trained.ModelDir, "--input", input, "--out", output, "--batch-size", "2");

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"error: {input}:4: column 'hour' (field 2) must be a number, found 'noon'", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("Nothing was written", result.Stderr, StringComparison.Ordinal);
            Assert.Equal("previous run\n", File.ReadAllText(output));
            Assert.Equal(["input.csv", "scores.csv"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }

        [Fact]
        public async Task Should_Exit_1_With_The_Count_When_Malformed_Rows_Are_Skipped()
        {
            // Given
            var input = WithBadLine(4);
            var output = Path.Combine(_dir, "scores.csv");
            var metrics = Path.Combine(_dir, "score.prom");

            // When
            var result = await CliRunner.RunAsync("score", "--model", trained.ModelDir, "--input", input, "--out", output, "--on-error", "skip",
                "--metrics-file", metrics);

            // Then
            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"warning: {input}:4: column 'hour' (field 2) must be a number, found 'noon'", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("Scored 499 of 500 rows", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("skipped 1 malformed row(s)", result.Stdout, StringComparison.Ordinal);
            Assert.Equal(500, File.ReadAllLines(output).Length);
            Assert.Contains("gitops_batch_malformed_rows{model=\"model\",", File.ReadAllText(metrics), StringComparison.Ordinal);
        }

        [Fact]
        public async Task Should_Exit_2_Naming_The_Header_When_A_Feature_Column_Is_Missing()
        {
            // Given
            var input = Path.Combine(_dir, "input.csv");
            File.WriteAllLines(input, [.. File.ReadAllLines(trained.Dataset).Select((l, i) => i == 0 ? l.Replace("distance_km", "distance", StringComparison.Ordinal) : l)]);

            // When
            var result = await CliRunner.RunAsync("score", "--model", trained.ModelDir, "--input", input, "--out", Path.Combine(_dir, "scores.csv"), "--on-error", "skip");

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"error: {input}:1: feature column 'distance_km' is not in the header", result.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(_dir, "scores.csv")));
        }

        [Fact]
        public async Task Should_Name_The_Header_Line_After_Blank_Lines_When_A_Column_Is_Missing()
        {
            // Given two blank lines before a header that lacks a feature column
            var input = Path.Combine(_dir, "input.csv");
            File.WriteAllLines(input, ["", "", .. File.ReadAllLines(trained.Dataset).Select((l, i) => i == 0 ? l.Replace("distance_km", "distance", StringComparison.Ordinal) : l)]);

            // When
            var result = await CliRunner.RunAsync("score", "--model", trained.ModelDir, "--input", input, "--out", Path.Combine(_dir, "scores.csv"));

            // Then the error points at line 3, where the header is
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"error: {input}:3: feature column 'distance_km' is not in the header", result.Stderr, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("")]
        [InlineData(" \n\n\t\r\n")]
        public async Task Should_Exit_2_Saying_The_Input_Is_Empty_Without_Counting_A_Malformed_Row(string content)
        {
            // Given an input with no header row: no bytes, or only blank lines
            var input = Path.Combine(_dir, "input.csv");
            File.WriteAllText(input, content);

            // When
            var result = await CliRunner.RunAsync("score", "--model", trained.ModelDir, "--input", input, "--out", Path.Combine(_dir, "scores.csv"),
                "--on-error", "skip", "-o", "json");

            // Then the run stops on the file, not on a row
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"error: {input}: the input file is empty: no header row; expected a header line naming the columns", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("warning:", result.Stderr, StringComparison.Ordinal);
            using var summary = JsonDocument.Parse(result.Stdout);
            Assert.Equal("stopped", summary.RootElement.GetProperty("outcome").GetString());
            Assert.Equal(0, summary.RootElement.GetProperty("malformed").GetInt32());
            Assert.Equal(0, summary.RootElement.GetProperty("errors").GetArrayLength());
            Assert.Equal(input, summary.RootElement.GetProperty("stoppedAt").GetString());
            Assert.False(File.Exists(Path.Combine(_dir, "scores.csv")));
        }

        [Fact]
        public async Task Should_Take_The_Version_The_Environment_Serves_From_The_Registry_And_Fill_The_Date()
        {
            // Given: staging serves fraud-detector 9a75b5701b77; the input is named by date
            File.Copy(trained.Dataset, Path.Combine(_dir, "2026-11-30.csv"));

            // When
            var result = await CliRunner.RunAsync("score", "--model", "fraud-detector", "--env", "staging", "--repo", trained.Registry.Repo,
                "--input", Path.Combine(_dir, "{date}.csv"), "--out", Path.Combine(_dir, "{date:yyyyMMdd}-scores.csv"), "--date", "2026-11-30", "--output", "json");

            // Then
            Assert.Equal(0, result.ExitCode);
            var summary = JsonDocument.Parse(result.Stdout).RootElement;
            Assert.Equal("fraud-detector", summary.GetProperty("model").GetString());
            Assert.Equal(ModelsCommandTests.Registry.Passing, summary.GetProperty("version").GetString());
            Assert.Equal(501, File.ReadAllLines(Path.Combine(_dir, "20261130-scores.csv")).Length);
        }

        [Fact]
        public async Task Should_Not_Send_The_Artifact_Token_To_A_Data_Host_That_Is_Not_The_Store()
        {
            // Given an artifact token and rows on a data host
            using var data = new ArtifactHttpServer();
            data.Files["/daily/rows.csv"] = File.ReadAllBytes(trained.Dataset);
            var output = Path.Combine(_dir, "scores.csv");

            // When
            var result = await CliRunner.RunWithVariablesAsync(Token, "score", "--model", trained.ModelDir,
                "--input", $"{data.BaseUri}/daily/rows.csv", "--out", output, "--output", "json");

            // Then the rows were read without the store's credential
            Assert.Equal(0, result.ExitCode);
            Assert.NotEmpty(data.Authorizations);
            Assert.All(data.Authorizations, Assert.Null);
            Assert.Equal(501, File.ReadAllLines(output).Length);
        }

        [Fact]
        public async Task Should_Send_The_Artifact_Token_To_Inputs_And_Outputs_In_The_Store_Named_By_Store()
        {
            // Given rows in an artifact store that wants the token
            using var store = new ArtifactHttpServer(token: "s3cret");
            store.Files["/daily/rows.csv"] = File.ReadAllBytes(trained.Dataset);

            // When
            var result = await CliRunner.RunWithVariablesAsync(Token, "score", "--model", trained.ModelDir, "--store", $"{store.BaseUri}/models",
                "--input", $"{store.BaseUri}/daily/rows.csv", "--out", $"{store.BaseUri}/scores/rows.csv", "--output", "json");

            // Then
            Assert.Equal(0, result.ExitCode);
            Assert.All(store.Authorizations, a => Assert.Equal("Bearer s3cret", a));
            Assert.Equal(501, System.Text.Encoding.UTF8.GetString(store.Files["/scores/rows.csv"]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }

        [Fact]
        public async Task Should_Say_How_To_Name_The_Store_When_An_Input_Needs_The_Token_And_No_Store_Is_Named()
        {
            // Given rows in an artifact store that wants the token, and no --store or --env
            using var store = new ArtifactHttpServer(token: "s3cret");
            store.Files["/daily/rows.csv"] = File.ReadAllBytes(trained.Dataset);

            // When
            var result = await CliRunner.RunWithVariablesAsync(Token, "score", "--model", trained.ModelDir,
                "--input", $"{store.BaseUri}/daily/rows.csv", "--out", Path.Combine(_dir, "scores.csv"));

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("HTTP 401", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("name the store with --store URI or --env ENV", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", result.Stderr, StringComparison.Ordinal);
            Assert.Equal([null], store.Authorizations);
        }

        [Fact]
        public async Task Should_Write_Parquet_When_The_Output_Is_A_Parquet_File()
        {
            // Given
            var output = Path.Combine(_dir, "scores.parquet");

            // When
            var result = await CliRunner.RunAsync("score", "--model", trained.ModelDir, "--input", trained.Dataset, "--out", output);

            // Then
            Assert.Equal(0, result.ExitCode);
            await using var reader = await Parquet.ParquetReader.CreateAsync(output, null, CancellationToken.None);
            Assert.Equal(["row", "PredictedLabel", "Score", "Probability"], reader.Schema.GetDataFields().Select(f => f.Name));
            Assert.Equal(500, Enumerable.Range(0, reader.RowGroupCount).Sum(g => reader.OpenRowGroupReader(g).RowCount));
        }

        [Theory]
        [InlineData("out-is-a-folder", "--out '{dir}/scores.csv' is a folder; name a file in it")]
        [InlineData("metrics-in-a-missing-folder", "--metrics-file '{dir}/missing/score.prom': the folder {dir}/missing does not exist.")]
        [InlineData("metrics-is-a-folder", "--metrics-file '{dir}/metrics' is a folder; name a file in it")]
        public async Task Should_Refuse_An_Output_It_Cannot_Write_Before_Scoring_And_Write_Nothing(string mistake, string message)
        {
            // Given
            var output = Path.Combine(_dir, "scores.csv");
            var metrics = Path.Combine(_dir, "score.prom");
            switch (mistake)
            {
                case "out-is-a-folder":
                    Directory.CreateDirectory(output);
                    break;
                case "metrics-in-a-missing-folder":
                    metrics = Path.Combine(_dir, "missing", "score.prom");
                    break;
                default:
                    metrics = Path.Combine(_dir, "metrics");
                    Directory.CreateDirectory(metrics);
                    break;
            }

            // When
            var result = await CliRunner.RunAsync("score", "--model", trained.ModelDir, "--input", trained.Dataset, "--out", output, "--metrics-file", metrics);

            // Then a usage error naming the fix, and no scores written
            Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.Stderr}");
            Assert.Contains("error: " + message.Replace("{dir}", _dir, StringComparison.Ordinal), result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(output));
            Assert.Empty(Directory.EnumerateFiles(_dir, "*.partial", SearchOption.AllDirectories));
        }

        [Fact]
        public async Task Should_Say_The_Registry_Store_Cannot_Be_Read_When_The_Model_Comes_From_A_Store_That_Is_Not_There()
        {
            // When
            var result = await CliRunner.RunAsync("score", "--model", "fraud-detector", "--store", Path.Combine(_dir, "no-store"),
                "--input", trained.Dataset, "--out", Path.Combine(_dir, "scores.csv"));

            // Then
            Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.Stderr}");
            Assert.Contains($"error: the artifact store folder '{Path.Combine(_dir, "no-store")}' does not exist", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Should_Refuse_A_File_Whose_Format_Is_Unknown()
        {
            // When
            var result = await CliRunner.RunAsync("score", "--model", trained.ModelDir, "--input", trained.Dataset, "--out", Path.Combine(_dir, "scores.json"));

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("is neither a .csv nor a .parquet file", result.Stderr, StringComparison.Ordinal);
        }

        private string WithBadLine(int line)
        {
            var lines = File.ReadAllLines(trained.Dataset);
            var cells = lines[line - 1].Split(',');
            cells[1] = "noon";
            lines[line - 1] = string.Join(',', cells);
            var input = Path.Combine(_dir, "input.csv");
            File.WriteAllLines(input, lines);
            return input;
        }
    }
}
