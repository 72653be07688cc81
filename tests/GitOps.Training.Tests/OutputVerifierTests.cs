using GitOps.Specs.Contracts;
using GitOps.Specs.Model;
using GitOps.Training.Builtin;
using GitOps.Training.Contract;

namespace GitOps.Training.Tests;

public sealed class OutputVerifierTests(TrainingFixture fixture) : IClassFixture<TrainingFixture>
{
    private async Task<string> TrainedDirectoryAsync()
    {
        var request = fixture.FraudRequest(BuiltinAlgorithms.SdcaLogisticRegression);
        var outcome = await new TabularTrainer(TimeProvider.System).TrainAsync(request, CancellationToken.None);
        Assert.True(outcome.Succeeded, outcome.Error);
        return request.OutputDirectory;
    }

    [Fact]
    public void Should_Report_Every_Missing_File()
    {
        // Given
        var dir = Directory.CreateDirectory(fixture.NewOutputDirectory()).FullName;

        // When
        var verification = OutputVerifier.Verify(dir);

        // Then
        Assert.Equal(
            ["model.onnx: missing; the trainer must write the model as ONNX to this file", "metrics.json: missing", "lineage.json: missing"],
            verification.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public async Task Should_Refuse_A_Model_That_Is_Not_Onnx_And_Metrics_That_Are_Not_Numbers()
    {
        // Given
        var dir = await TrainedDirectoryAsync();
        await File.WriteAllTextAsync(Path.Combine(dir, TrainerOutput.ModelFile), "not a model");
        await File.WriteAllTextAsync(Path.Combine(dir, TrainerOutput.MetricsFile), """{"auc": "high", "f1": 0.5, "bad-name": 1}""");

        // When
        var verification = OutputVerifier.Verify(dir);

        // Then
        var problems = verification.Problems.Select(p => p.ToString()).ToList();
        Assert.Equal(4, problems.Count);
        Assert.StartsWith("model.onnx: not an ONNX model", problems[0]);
        Assert.Equal("metrics.json: metric 'auc' must be a finite number, found \"high\"", problems[1]);
        Assert.StartsWith("metrics.json: metric name 'bad-name' must be an identifier", problems[2]);
        Assert.StartsWith("metrics.json: 'model' is missing: the trainer must measure the exported model", problems[3]);
    }

    [Fact]
    public async Task Should_Write_A_Profile_Of_Every_Feature_And_The_Score_When_The_Builtin_Trainer_Trains()
    {
        // Given / When
        var dir = await TrainedDirectoryAsync();

        // Then the profile parses, names every feature column, and the verifier accepts it
        var (profile, error) = TrainingProfile.Parse(await File.ReadAllBytesAsync(Path.Combine(dir, TrainingProfile.File)));
        Assert.True(profile is not null, error);
        Assert.Equal(GitOps.Training.Datasets.FraudDataset.Features, profile.Features.Select(f => f.Name));
        Assert.Equal("Probability", profile.Score!.Name);
        Assert.True(profile.Rows > 0);
        Assert.Empty(OutputVerifier.Verify(dir).Problems);
    }

    [Fact]
    public async Task Should_Refuse_A_Profile_That_Does_Not_Parse_Or_Names_An_Input_The_Model_Lacks()
    {
        // Given
        var dir = await TrainedDirectoryAsync();
        var path = Path.Combine(dir, TrainingProfile.File);
        var (profile, _) = TrainingProfile.Parse(await File.ReadAllBytesAsync(path));
        await File.WriteAllTextAsync(path, (profile! with { Features = [profile.Features[0] with { Name = "amuont" }] }).Serialize());

        // When
        var unknown = OutputVerifier.Verify(dir).Problems.Select(p => p.ToString()).ToList();
        await File.WriteAllTextAsync(path, "{\"schema\": 1}");
        var broken = OutputVerifier.Verify(dir).Problems.Select(p => p.ToString()).ToList();

        // Then
        Assert.StartsWith("profile.json: feature 'amuont' names input 'amuont', which the model does not have; inputs: amount,", Assert.Single(unknown));
        Assert.Equal(["profile.json: 'features' is missing or empty: profile every input feature"], broken);
    }

    [Fact]
    public async Task Should_Refuse_Measured_Facts_That_Do_Not_Describe_The_Published_Model()
    {
        // Given
        var dir = await TrainedDirectoryAsync();
        await File.WriteAllTextAsync(Path.Combine(dir, TrainerOutput.MetricsFile),
            """{"auc": 0.9, "model": {"sizeBytes": 12, "sizeMb": 0.00001, "latencyP99Ms": -1}}""");

        // When
        var verification = OutputVerifier.Verify(dir);

        // Then
        Assert.Equal(["metrics.json: 'model.latencyP99Ms' must be a finite number ≥ 0, found -1"], verification.Problems.Select(p => p.ToString()));
        await File.WriteAllTextAsync(Path.Combine(dir, TrainerOutput.MetricsFile),
            """{"auc": 0.9, "model": {"sizeBytes": 12, "sizeMb": 0.00001, "latencyP99Ms": 0.2}}""");
        var size = new FileInfo(Path.Combine(dir, TrainerOutput.ModelFile)).Length;
        Assert.Equal([$"metrics.json: 'model.sizeBytes' is 12, but model.onnx has {size} bytes; measure the file that is published"],
            OutputVerifier.Verify(dir).Problems.Select(p => p.ToString()));
    }

    [Fact]
    public async Task Should_Require_The_Lineage_Fields_And_The_Expected_Dataset_Digest()
    {
        // Given
        var dir = await TrainedDirectoryAsync();
        await File.WriteAllTextAsync(Path.Combine(dir, TrainerOutput.LineageFile), """
            {"trainer": {"name": "custom", "version": ""}, "dataset": {"sha256": "ABC", "rows": 0},
             "timing": {"startedAt": "yesterday", "finishedAt": "2026-01-01T00:00:00Z"}}
            """);

        // When
        var verification = OutputVerifier.Verify(dir, expectedDatasetSha256: new string('a', 64));

        // Then
        Assert.Equal(
        [
            "lineage.json: 'trainer.version' must not be empty",
            "lineage.json: 'dataset.sha256' must be 64 lowercase hex digits, found 'ABC'",
            "lineage.json: 'dataset.rows' must be a positive whole number, found 0",
            "lineage.json: 'hyperparameters' is missing",
            "lineage.json: 'timing.startedAt' must be an ISO 8601 timestamp, found 'yesterday'",
        ], verification.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public async Task Should_Detect_A_Lineage_That_Records_Another_Dataset()
    {
        // Given
        var dir = await TrainedDirectoryAsync();

        // When
        var verification = OutputVerifier.Verify(dir, expectedDatasetSha256: new string('0', 64));

        // Then
        var problem = Assert.Single(verification.Problems);
        Assert.Contains("but the dataset given to the trainer has sha256 0000", problem.Message);
    }

    [Fact]
    public void Should_Read_The_Signature_Of_A_Model_Without_Onnx_Runtime()
    {
        // Given: bytes that end in the middle of a field
        var truncated = new byte[] { 0x08, 0x07, 0x3A, 0x10, 0x0A };

        // When
        var (signature, error) = GitOps.Training.Onnx.OnnxGraphReader.TryRead(truncated);

        // Then
        Assert.Null(signature);
        Assert.Equal("not an ONNX model: a field of 16 bytes runs past the end of the data", error);
    }
}
