using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace GitOps.Registry.Stores;

/// <summary>
/// A store in an S3 bucket (or any S3-compatible server) under a key prefix. A create is a conditional put
/// (<c>If-None-Match: *</c>), which S3 refuses with 412 when the key exists, so of two racing writers exactly one
/// wins; a HEAD before it keeps a server that ignores the condition from overwriting an earlier write. Bodies are
/// sent with a plain Content-Length (no chunk encoding, which some S3-compatible servers store verbatim).
/// Credentials come from the AWS SDK's standard chain.
/// </summary>
public sealed class S3ArtifactStore(IAmazonS3 client, S3Location root) : IArtifactStore, IDisposable
{
    private const int ConflictAttempts = 5;

    public string Root => root.ToString();

    public string Describe(string key) => root.Child(key).ToString();

    /// <summary>A client for <paramref name="options"/>, or why none can be made; the SDK finds credentials (and,
    /// without a region or an endpoint, the region) through its standard chain.</summary>
    public static (S3ArtifactStore? Store, string? Error) Open(S3Location root, S3Options options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // Checksums only where S3 demands them: with "when supported" the SDK sends trailing checksums in an
            // aws-chunked body, which S3-compatible servers commonly store as it is.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = options.Region ?? "us-east-1";
        }
        else if (options.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        try
        {
            return (new S3ArtifactStore(new AmazonS3Client(config), root), null);
        }
        catch (AmazonClientException) when (config.RegionEndpoint is null && config.ServiceURL is null)
        {
            // The SDK looked for a region in its chain (variables, the shared profile, instance metadata) and found none.
            return (null, $"cannot open '{root}': no AWS region is set; set {S3Options.RegionVariable} to the bucket's region (e.g. eu-west-1), " +
                $"or {S3Options.EndpointVariable} to the URL of an S3-compatible server (for an environment's store: spec.artifacts.s3.region or .endpoint)");
        }
    }

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken ct)
    {
        var response = await CallAsync(key, "read", () => client.GetObjectAsync(root.Bucket, root.Key(key), ct), ct);
        return response is null ? null : new OwnedStream(response, response.ResponseStream);
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct) =>
        await CallAsync(key, "read", () => client.GetObjectMetadataAsync(root.Bucket, root.Key(key), ct), ct) is not null;

    public async Task<CreateResult> CreateAsync(string key, Stream content, string contentType, CancellationToken ct)
    {
        var body = await SeekableAsync(content, ct);
        for (var attempt = 1; ; attempt++)
        {
            if (await ExistsAsync(key, ct))
            {
                return CreateResult.AlreadyExists;
            }
            body.Position = 0;
            try
            {
                await PutAsync(key, body, contentType, ct);
                return CreateResult.Created;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                return CreateResult.AlreadyExists;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Conflict && attempt < ConflictAttempts)
            {
                // 409 ConditionalRequestConflict: another conditional write of the key was in flight. S3 asks for a
                // retry; the HEAD above then sees the winner.
            }
            catch (Exception e) when (IsFault(e, ct))
            {
                throw Fault(key, "write", e);
            }
        }
    }

    public void Dispose() => client.Dispose();

    private async Task PutAsync(string key, Stream body, string contentType, CancellationToken ct)
    {
        var request = new PutObjectRequest
        {
            BucketName = root.Bucket,
            Key = root.Key(key),
            InputStream = body,
            AutoCloseStream = false,
            ContentType = contentType,
            UseChunkEncoding = false,
            IfNoneMatch = "*",
        };
        await client.PutObjectAsync(request, ct);
    }

    /// <summary>Runs a read; null when the key (or the bucket's object) does not exist.</summary>
    private async Task<T?> CallAsync<T>(string key, string verb, Func<Task<T>> call, CancellationToken ct) where T : class
    {
        try
        {
            return await call();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode is not "NoSuchBucket")
        {
            return null;
        }
        catch (Exception e) when (IsFault(e, ct))
        {
            throw Fault(key, verb, e);
        }
    }

    /// <summary>What the store's callers treat as a store fault: S3's refusals, the SDK's client-side errors (no
    /// region, no credentials) and the network.</summary>
    private static bool IsFault(Exception e, CancellationToken ct) =>
        e is AmazonServiceException or AmazonClientException or HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested);

    private ArtifactStoreException Fault(string key, string verb, Exception e)
    {
        var where = Describe(key);
        return new ArtifactStoreException(e switch
        {
            AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized } =>
                $"cannot {verb} '{where}': S3 refused the credentials ({((AmazonS3Exception)e).ErrorCode}: {e.Message}); give the workload's identity access to bucket " +
                $"'{root.Bucket}' (credentials come from the AWS standard chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, a web identity token or instance metadata)",
            AmazonS3Exception { ErrorCode: "NoSuchBucket" } =>
                $"cannot {verb} '{where}': bucket '{root.Bucket}' does not exist; create it or fix the artifact store URI",
            AmazonS3Exception s3 => $"cannot {verb} '{where}': S3 answered HTTP {(int)s3.StatusCode} {s3.ErrorCode}: {s3.Message}",
            _ => $"cannot {verb} '{where}': {e.Message}{(e.InnerException is { } inner ? $" ({inner.Message})" : "")}; " +
                $"check the endpoint ({S3Options.EndpointVariable}), the region ({S3Options.RegionVariable}) and the credentials",
        }, e);
    }

    /// <summary>A body the SDK can measure and resend: a seekable stream as it is, anything else buffered.</summary>
    private static async Task<Stream> SeekableAsync(Stream content, CancellationToken ct)
    {
        if (content.CanSeek)
        {
            return content;
        }
        var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, ct);
        return buffer;
    }
}
