using GitOps.Registry.Stores;
using GitOps.Testing.S3;

namespace GitOps.Registry.Tests.Stores;

/// <summary>
/// One s3rver process for a test class. The store finds its credentials through the AWS standard chain, so the
/// fixture puts s3rver's keys in the process's environment, where the chain looks first.
/// </summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    public const string Bucket = "ml-artifacts";

    private S3rverProcess? _server;

    public S3rverProcess Server => _server ?? throw new InvalidOperationException("the server is not started");

    public async Task InitializeAsync()
    {
        S3rverProcess.UseKeysInEnvironment();
        _server = await S3rverProcess.StartAsync(Bucket, CancellationToken.None);
    }

    /// <summary>The variables a trainer or serving pod gets for this server (what <c>spec.artifacts.s3</c> renders).</summary>
    public Func<string, string?> Variables => name => name switch
    {
        S3Options.EndpointVariable => Server.Endpoint.ToString(),
        S3Options.RegionVariable => "us-east-1",
        S3Options.PathStyleVariable => "true",
        _ => null,
    };

    /// <summary>A store under <paramref name="prefix"/> of the bucket, opened the way the platform opens it.</summary>
    public IArtifactStore Open(string prefix)
    {
        var (store, error) = ArtifactStores.Open($"s3://{Bucket}/{prefix}", new HttpClient(), null, Variables);
        return store ?? throw new InvalidOperationException(error);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
