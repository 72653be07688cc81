using GitOps.Specs.Contracts;
using GitOps.Testing.S3;
using Xunit;

namespace GitOps.Cli.Tests;

/// <summary>The AWS SDK looks for a region in the whole process: these run alone, never beside another test.</summary>
[CollectionDefinition(nameof(S3StoreWithoutRegionTests), DisableParallelization = true)]
public sealed class S3StoreWithoutRegionCollection;

[Collection(nameof(S3StoreWithoutRegionTests))]
public sealed class S3StoreWithoutRegionTests : IDisposable
{
    private readonly NoAwsRegion _noRegion = new();
    private readonly string _root = Directory.CreateTempSubdirectory("gitops-s3-no-region-").FullName;

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        _noRegion.Dispose();
    }

    [Theory]
    [InlineData("models list --store s3://nobucket", "s3://nobucket")]
    [InlineData("artifacts fetch --uri s3://b/k --out {root}/model.onnx", "s3://b")]
    [InlineData("artifacts push --from {root} --uri s3://b/p", "s3://b/p")]
    public async Task Should_Exit_2_Asking_For_A_Region_When_An_S3_Store_Has_Neither_Region_Nor_Endpoint(string command, string store)
    {
        // Given no AWS variable at all
        File.WriteAllText(Path.Combine(_root, "model.onnx"), "model");
        var args = command.Replace("{root}", _root, StringComparison.Ordinal).Split(' ');

        // When
        var result = await CliRunner.RunAsync(args);

        // Then
        Assert.Equal((int)ExitCode.Usage, result.ExitCode);
        Assert.Contains($"cannot open '{store}': no AWS region is set", result.Stderr);
        Assert.Contains("set AWS_REGION", result.Stderr);
        Assert.Contains("AWS_ENDPOINT_URL_S3", result.Stderr);
        Assert.DoesNotContain("internal error", result.Stderr);
    }
}
