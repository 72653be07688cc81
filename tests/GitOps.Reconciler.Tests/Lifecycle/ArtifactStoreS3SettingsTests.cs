using System.Text;
using GitOps.Policy;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Tests.Support;
using GitOps.Specs;
using GitOps.Testing.Artifacts;
using GitOps.Testing.S3;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GitOps.Reconciler.Tests.Lifecycle;

/// <summary>
/// An environment's s3:// store is opened by the reconciler with that environment's <c>spec.artifacts.s3</c> (region,
/// endpoint, path-style), as its pods get them, not only with what the reconciler's own process environment says.
/// </summary>
public sealed class ArtifactStoreS3SettingsTests : IDisposable
{
    private readonly ArtifactHttpServer _endpoint = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _endpoint.Dispose();
    }

    private Specs.Model.SpecSet Specs(string s3) => RepositoryValidator.Validate(new Dictionary<string, string>
    {
        ["environments/prod/environment.yaml"] = SpecRepository.Environment() + $"  artifacts:\n    uri: s3://ml-artifacts/prod\n{s3}",
        ["models/fraud/model.yaml"] = SpecRepository.Model("fraud"),
    }.Select(f => new SourceFile(f.Key, Encoding.UTF8.GetBytes(f.Value)))).Specs;

    [Fact]
    public async Task Should_Reach_An_S3_Compatible_Store_At_The_Endpoint_Its_Environment_Names()
    {
        // Given an S3-compatible endpoint named only in the environment's spec (the process names none), and
        // credentials in the process's environment as the AWS chain finds them
        S3rverProcess.UseKeysInEnvironment();
        Assert.Null(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3"));
        var tokens = new ArtifactStoreTokens(new NoSecrets(), null, new FakeTimeProvider(), NullLogger.Instance);
        await tokens.RefreshAsync(Specs($"    s3:\n      region: eu-west-1\n      endpoint: {_endpoint.BaseUri}\n      forcePathStyle: true\n"), CancellationToken.None);

        // When the reconciler's opener writes and reads through the store
        var store = tokens.Opener(_http)("s3://ml-artifacts/prod");
        await store.CreateAsync("fraud/abc/metrics.json", new MemoryStream("{}"u8.ToArray()), "application/json", CancellationToken.None);
        await using var read = await store.OpenReadAsync("fraud/abc/metrics.json", CancellationToken.None);

        // Then the requests went to the environment's endpoint, path-style
        Assert.NotNull(read);
        Assert.True(_endpoint.Files.ContainsKey("/ml-artifacts/prod/fraud/abc/metrics.json"));
    }

    [Fact]
    public async Task Should_Open_Anew_When_The_Environments_S3_Settings_Change()
    {
        // Given the store opened with one endpoint
        S3rverProcess.UseKeysInEnvironment();
        using var other = new ArtifactHttpServer();
        var tokens = new ArtifactStoreTokens(new NoSecrets(), null, new FakeTimeProvider(), NullLogger.Instance);
        var open = tokens.Opener(_http);
        await tokens.RefreshAsync(Specs($"    s3:\n      endpoint: {_endpoint.BaseUri}\n      forcePathStyle: true\n"), CancellationToken.None);
        var first = open("s3://ml-artifacts/prod");

        // When the environment moves the store to another endpoint
        await tokens.RefreshAsync(Specs($"    s3:\n      endpoint: {other.BaseUri}\n      forcePathStyle: true\n"), CancellationToken.None);
        var second = open("s3://ml-artifacts/prod");
        await second.CreateAsync("fraud/abc/metrics.json", new MemoryStream("{}"u8.ToArray()), "application/json", CancellationToken.None);

        // Then
        Assert.NotSame(first, second);
        Assert.True(other.Files.ContainsKey("/ml-artifacts/prod/fraud/abc/metrics.json"));
        Assert.Empty(_endpoint.Files);
    }

    private sealed class NoSecrets : ISecrets
    {
        public Task<SecretValue> ReadAsync(string @namespace, string name, string key, CancellationToken ct) =>
            throw new InvalidOperationException("no Secret is named");
    }
}
