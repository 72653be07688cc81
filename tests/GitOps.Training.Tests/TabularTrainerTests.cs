using System.Collections.Immutable;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;
using GitOps.Training.Builtin;
using GitOps.Training.Contract;
using GitOps.Training.Datasets;
using GitOps.Training.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GitOps.Training.Tests;

public sealed class TabularTrainerTests(TrainingFixture fixture) : IClassFixture<TrainingFixture>
{
    private readonly TabularTrainer _trainer = new(TimeProvider.System);

    [Theory]
    [InlineData(BuiltinAlgorithms.FastTree)]
    [InlineData(BuiltinAlgorithms.LightGbm)]
    [InlineData(BuiltinAlgorithms.SdcaLogisticRegression)]
    [InlineData(BuiltinAlgorithms.FastForest)]
    public async Task Should_Write_The_Output_Contract_For_Each_Classification_Algorithm(string algorithm)
    {
        // Given
        var request = fixture.FraudRequest(algorithm);

        // When
        var outcome = await _trainer.TrainAsync(request, CancellationToken.None);

        // Then
        Assert.True(outcome.Succeeded, outcome.Error);
        var verification = OutputVerifier.Verify(request.OutputDirectory, outcome.Result!.Lineage.Dataset.Sha256);
        Assert.True(verification.IsValid, string.Join("; ", verification.Problems));
        Assert.Equal(["accuracy", "auc", "auprc", "f1", "logLoss", "precision", "recall"], verification.Metrics.Keys);
        Assert.InRange(verification.Metrics["auc"], 0.7, 1.0);
        Assert.Equal([.. FraudDataset.Features], verification.Signature!.Inputs.Select(i => i.Name));
        Assert.All(verification.Signature.Inputs, i => Assert.Equal("float32", i.Type));
        Assert.Equal(["PredictedLabel.output", "Score.output", "Probability.output"], verification.Signature.Outputs.Select(o => o.Name));
        var facts = verification.Facts!;
        Assert.Equal(new FileInfo(outcome.Result.ModelPath).Length, facts.SizeBytes);
        Assert.Equal(LatencyProbe.DefaultRuns, facts.LatencyRuns);
        Assert.True(facts.LatencyP99Ms > 0 && facts.LatencyP99Ms >= facts.LatencyP50Ms, $"p50 {facts.LatencyP50Ms} p99 {facts.LatencyP99Ms}");
    }

    [Theory]
    [InlineData(BuiltinAlgorithms.FastTree)]
    [InlineData(BuiltinAlgorithms.LightGbm)]
    [InlineData(BuiltinAlgorithms.Sdca)]
    [InlineData(BuiltinAlgorithms.FastForest)]
    public async Task Should_Report_Regression_Metrics_For_Each_Regression_Algorithm(string algorithm)
    {
        // Given
        var request = fixture.RegressionRequest(algorithm);

        // When
        var outcome = await _trainer.TrainAsync(request, CancellationToken.None);

        // Then
        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(["mae", "r2", "rmse"], outcome.Result!.Metrics.Keys.Order());
        Assert.InRange(outcome.Result.Metrics["r2"], 0.8, 1.0);
        Assert.True(OutputVerifier.Verify(request.OutputDirectory).IsValid);
    }

    [Fact]
    public async Task Should_Produce_The_Same_Model_And_Metrics_Given_The_Same_Seed()
    {
        // Given
        var first = fixture.FraudRequest(BuiltinAlgorithms.FastTree, seed: 5);
        var second = first with { OutputDirectory = fixture.NewOutputDirectory() };

        // When
        var a = await _trainer.TrainAsync(first, CancellationToken.None);
        var b = await _trainer.TrainAsync(second, CancellationToken.None);

        // Then
        Assert.Equal(a.Result!.Metrics, b.Result!.Metrics);
        Assert.Equal(a.Result.Lineage.Artifact.Sha256, b.Result.Lineage.Artifact.Sha256);
        Assert.Equal(a.Result.Lineage.Dataset, b.Result.Lineage.Dataset);
    }

    [Fact]
    public async Task Should_Report_Each_Step_In_Order_When_A_Run_Is_Followed()
    {
        // Given
        var request = fixture.FraudRequest(BuiltinAlgorithms.FastTree);
        var steps = new List<TrainingProgress>();

        // When
        var outcome = await _trainer.TrainAsync(request, CancellationToken.None, new TrainingProgress.Relay(steps.Add));

        // Then
        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal([1, 2, 3, 4, 5], steps.Select(s => s.Step));
        Assert.All(steps, s => Assert.Equal(TabularTrainer.Steps, s.Steps));
        Assert.StartsWith("fitting fastTree on ", steps[1].Phase, StringComparison.Ordinal);
        Assert.Equal("measuring latency", steps[^1].Phase);
    }

    [Fact]
    public async Task Should_Record_Lineage_Of_Dataset_Hyperparameters_And_Timing()
    {
        // Given
        var request = fixture.FraudRequest(BuiltinAlgorithms.FastTree, seed: 9) with { ModelName = "fraud", ModelVersion = "abc123" };

        // When
        var outcome = await _trainer.TrainAsync(request, CancellationToken.None);

        // Then
        var lineage = outcome.Result!.Lineage;
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(fixture.FraudCsv))), lineage.Dataset.Sha256);
        Assert.Equal(4000, lineage.Dataset.Rows);
        Assert.Equal(4000, lineage.Dataset.TrainRows + lineage.Dataset.ValidationRows);
        Assert.InRange(lineage.Dataset.ValidationRows, 500, 1100);
        Assert.Equal("40", lineage.Hyperparameters["numberOfTrees"]);
        Assert.Equal(9, lineage.Seed);
        Assert.Equal(TabularTrainer.TrainerName, lineage.Trainer.Name);
        Assert.True(lineage.Timing.FinishedAt >= lineage.Timing.StartedAt);
        var json = File.ReadAllText(outcome.Result.LineagePath);
        Assert.Contains("\"sha256\"", json);
        Assert.Contains("\"fraud\"", json);
    }

    [Fact]
    public async Task Should_Export_Onnx_Whose_Predictions_Equal_MlNet_Predictions()
    {
        // Given
        var request = fixture.FraudRequest(BuiltinAlgorithms.LightGbm);
        var (outcome, model) = await _trainer.TrainWithModelAsync(request, CancellationToken.None);
        Assert.True(outcome.Succeeded, outcome.Error);
        var ml = new MLContext(seed: 1);
        var columns = FraudDataset.Features.Select((f, i) => new TextLoader.Column(f, DataKind.Single, i)).ToArray();
        var data = ml.Data.TakeRows(ml.Data.LoadFromTextFile(fixture.FraudCsv, columns, separatorChar: ',', hasHeader: true), 300);
        var expected = model!.Transform(data).GetColumn<float>("Probability").ToArray();
        var features = FraudDataset.Features.Select(f => data.GetColumn<float>(f).ToArray()).ToArray();

        // When
        using var session = new InferenceSession(outcome.Result!.ModelPath);
        var inputs = FraudDataset.Features
            .Select((f, i) => NamedOnnxValue.CreateFromTensor(f, new DenseTensor<float>(features[i], [features[i].Length, 1])))
            .ToList();
        using var results = session.Run(inputs);
        var actual = results.Single(r => r.Name == "Probability.output").AsEnumerable<float>().ToArray();

        // Then
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"row {i}: ML.NET {expected[i]}, ONNX {actual[i]}");
        }
        Assert.Contains(expected, p => p > 0.5);
        Assert.DoesNotContain(session.InputMetadata.Keys, k => k == FraudDataset.Label);
    }

    public sealed class WhenTheRequestIsWrong(TrainingFixture fixture) : IClassFixture<TrainingFixture>
    {
        private readonly TabularTrainer _trainer = new(TimeProvider.System);

        [Fact]
        public async Task Should_Reject_An_Unknown_Hyperparameter_And_List_The_Accepted_Ones()
        {
            // Given
            var request = fixture.FraudRequest(BuiltinAlgorithms.FastTree) with
            {
                Hyperparameters = ImmutableSortedDictionary<string, string>.Empty.Add("numTrees", "10"),
            };

            // When
            var outcome = await _trainer.TrainAsync(request, CancellationToken.None);

            // Then
            Assert.Equal(ExitCode.Usage, outcome.ExitCode);
            Assert.Contains("'numTrees'", outcome.Error);
            Assert.Contains("numberOfTrees", outcome.Error);
        }

        [Fact]
        public async Task Should_Reject_An_Algorithm_That_Does_Not_Fit_The_Task()
        {
            // Given
            var request = fixture.RegressionRequest(BuiltinAlgorithms.SdcaLogisticRegression);

            // When
            var outcome = await _trainer.TrainAsync(request, CancellationToken.None);

            // Then
            Assert.Equal(TrainingFailureKind.InvalidInput, outcome.FailureKind);
            Assert.Contains("not available for regression", outcome.Error);
        }

        [Fact]
        public async Task Should_Name_The_Line_And_Column_Of_A_Non_Numeric_Feature()
        {
            // Given
            var path = Path.Combine(fixture.Root, "bad-value.csv");
            File.WriteAllText(path, "a,b,label\n1,2,0\n3,x,1\n");
            var request = fixture.FraudRequest(BuiltinAlgorithms.FastTree) with { DatasetPath = path, Label = "label", Hyperparameters = ImmutableSortedDictionary<string, string>.Empty };

            // When
            var outcome = await _trainer.TrainAsync(request, CancellationToken.None);

            // Then
            Assert.Equal(ExitCode.Usage, outcome.ExitCode);
            Assert.Equal($"{path}:3:2: feature 'b' must be a finite number, found 'x'", outcome.Error);
        }

        [Fact]
        public async Task Should_Reject_A_Missing_Label_Column()
        {
            // Given
            var request = fixture.FraudRequest(BuiltinAlgorithms.FastTree) with { Label = "fraud" };

            // When
            var outcome = await _trainer.TrainAsync(request, CancellationToken.None);

            // Then
            Assert.Equal(ExitCode.Usage, outcome.ExitCode);
            Assert.Contains("label column 'fraud' is not in the header", outcome.Error);
        }

        [Fact]
        public async Task Should_Refuse_A_Dataset_Whose_Digest_Differs_From_The_Expected_One()
        {
            // Given
            var request = fixture.FraudRequest(BuiltinAlgorithms.FastTree) with { ExpectedDatasetSha256 = new string('a', 64) };

            // When
            var outcome = await _trainer.TrainAsync(request, CancellationToken.None);

            // Then
            Assert.Equal(ExitCode.Usage, outcome.ExitCode);
            Assert.Contains("but aaaa", outcome.Error);
            Assert.False(File.Exists(Path.Combine(request.OutputDirectory, TrainerOutput.ModelFile)));
        }

        [Fact]
        public async Task Should_Reject_A_Hyperparameter_Out_Of_Range()
        {
            // Given
            var request = fixture.FraudRequest(BuiltinAlgorithms.LightGbm) with
            {
                Hyperparameters = ImmutableSortedDictionary<string, string>.Empty.Add("numberOfLeaves", "1.5"),
            };

            // When
            var outcome = await _trainer.TrainAsync(request, CancellationToken.None);

            // Then
            Assert.Equal("hyperparameter 'numberOfLeaves' must be a whole number, found '1.5'", outcome.Error);
        }
    }
}
