using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;
using GitOps.Testing.S3;
using Xunit;

namespace GitOps.Testing.Artifacts;

/// <summary>
/// The three kinds of artifact store that write-once publishing must hold for — a folder (<c>file://</c>), an HTTP
/// server on 127.0.0.1 and s3rver (<c>s3://</c>, path-style, started here) — one of each for a test class, with ways
/// to read, change and delete a key behind the store's back, as a person or a dying attempt would. Tests put their
/// keys under a folder of their own, so they share the servers.
/// </summary>
/// <remarks>s3rver ignores <c>If-None-Match: *</c>: on it a create-only write is a HEAD then a PUT, which holds for
/// writers one after another but not for writers racing within that window. Races between concurrent writers are
/// tested against <see cref="ArtifactHttpServer"/> spoken to as S3, which honours the condition.</remarks>
public sealed class StoreKinds : IAsyncLifetime
{
    public const string File = "file";
    public const string Http = "http";
    public const string S3 = "s3";
    public const string Bucket = "ml-artifacts";

    /// <summary>The S3 API served by <see cref="HttpServer"/>, which honours conditional puts (for racing writers).</summary>
    public const string S3Conditional = "s3-conditional";

    private readonly HttpClient _http = new();
    private S3rverProcess? _s3;
    private AmazonS3Client? _client;

    /// <summary>For <c>[MemberData]</c>: every kind.</summary>
    public static TheoryData<string> All => [File, Http, S3];

    /// <summary>For <c>[MemberData]</c> of races between concurrent writers: every kind, S3 through a server that
    /// honours <c>If-None-Match: *</c> as S3 does.</summary>
    public static TheoryData<string> Racing => [File, Http, S3Conditional];

    public string Root { get; } = Directory.CreateTempSubdirectory("gitops-store-kinds-").FullName;

    public ArtifactHttpServer HttpServer { get; } = new();

    private S3rverProcess S3Server => _s3 ?? throw new InvalidOperationException("s3rver is not started");

    private AmazonS3Client Client => _client ?? throw new InvalidOperationException("s3rver is not started");

    public async Task InitializeAsync()
    {
        S3rverProcess.UseKeysInEnvironment();
        _s3 = await S3rverProcess.StartAsync(Bucket, CancellationToken.None);
        _client = new AmazonS3Client(new BasicAWSCredentials(S3rverProcess.AccessKey, S3rverProcess.SecretKey),
            new AmazonS3Config { ServiceURL = _s3.Endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
    }

    /// <summary>The variables a pod gets for the S3 kind's endpoint (null for the others, which need none).</summary>
    public Func<string, string?> Variables => name => name switch
    {
        TrainingContract.S3Endpoint => S3Server.Endpoint.ToString(),
        TrainingContract.S3Region => "us-east-1",
        TrainingContract.S3ForcePathStyle => "true",
        _ => null,
    };

    /// <summary>The URI of <paramref name="folder"/> (a relative key such as <c>t1/fraud/abc</c>) in a store of <paramref name="kind"/>.</summary>
    public string Uri(string kind, string folder) => kind switch
    {
        File => new Uri(Path.Combine(Root, folder)).AbsoluteUri,
        Http => $"{HttpServer.BaseUri}/{folder}",
        S3 or S3Conditional => $"s3://{Bucket}/{folder}",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "file, http or s3"),
    };

    /// <summary>A store rooted at <paramref name="folder"/>, opened the way the platform opens it.</summary>
    public IArtifactStore Open(string kind, string folder)
    {
        Func<string, string?> conditional = name => name == TrainingContract.S3Endpoint ? HttpServer.BaseUri : Variables(name);
        var (store, error) = ArtifactStores.Open(Uri(kind, folder), _http, null, kind == S3Conditional ? conditional : Variables);
        return store ?? throw new InvalidOperationException(error);
    }

    /// <summary>The bytes at <paramref name="key"/>, read behind the store's back; null when absent.</summary>
    public async Task<byte[]?> ReadAsync(string kind, string key)
    {
        switch (kind)
        {
            case File:
                var path = Path.Combine(Root, key);
                return System.IO.File.Exists(path) ? await System.IO.File.ReadAllBytesAsync(path) : null;
            case Http:
                return HttpServer.Files.TryGetValue("/" + key, out var bytes) ? bytes : null;
            default:
                try
                {
                    using var response = await Client.GetObjectAsync(Bucket, key);
                    using var copy = new MemoryStream();
                    await response.ResponseStream.CopyToAsync(copy);
                    return copy.ToArray();
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }
        }
    }

    /// <summary>Every key under <paramref name="folder"/>, sorted: what a retry would have added to.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string kind, string folder)
    {
        var prefix = folder.TrimEnd('/') + "/";
        switch (kind)
        {
            case File:
                var path = Path.Combine(Root, folder);
                return Directory.Exists(path)
                    ? [.. Directory.GetFiles(path, "*", SearchOption.AllDirectories).Select(f => prefix + Path.GetRelativePath(path, f).Replace('\\', '/')).Order(StringComparer.Ordinal)]
                    : [];
            case Http:
                return [.. HttpServer.Files.Keys.Where(k => k.StartsWith("/" + prefix, StringComparison.Ordinal)).Select(k => k[1..]).Order(StringComparer.Ordinal)];
            default:
                var listed = await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix });
                return [.. (listed.S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="key"/> behind the store's back, replacing what is there.</summary>
    public async Task WriteAsync(string kind, string key, byte[] bytes)
    {
        switch (kind)
        {
            case File:
                var path = Path.Combine(Root, key);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await System.IO.File.WriteAllBytesAsync(path, bytes);
                break;
            case Http:
                HttpServer.Files["/" + key] = bytes;
                break;
            default:
                await Client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = Bucket,
                    Key = key,
                    InputStream = new MemoryStream(bytes),
                    UseChunkEncoding = false,
                });
                break;
        }
    }

    /// <summary>Deletes <paramref name="key"/> behind the store's back.</summary>
    public async Task DeleteAsync(string kind, string key)
    {
        switch (kind)
        {
            case File:
                System.IO.File.Delete(Path.Combine(Root, key));
                break;
            case Http:
                HttpServer.Files.TryRemove("/" + key, out _);
                break;
            default:
                await Client.DeleteObjectAsync(Bucket, key);
                break;
        }
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_s3 is not null)
        {
            await _s3.DisposeAsync();
        }
        HttpServer.Dispose();
        _http.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
