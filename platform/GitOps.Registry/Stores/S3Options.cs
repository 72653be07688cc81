using GitOps.Specs.Contracts;

namespace GitOps.Registry.Stores;

/// <summary>
/// How to reach an <c>s3://</c> store: the region, an endpoint override for S3-compatible servers (MinIO, Ceph,
/// a cloud's S3 gateway) and path-style addressing (<c>http://host/bucket/key</c> instead of
/// <c>http://bucket.host/key</c>). Credentials are never here: the AWS SDK's standard chain finds them
/// (environment variables, shared profile, web identity token, container or instance metadata).
/// </summary>
public sealed record S3Options
{
    /// <summary>The standard variable of the region, read by the AWS SDK too.</summary>
    public const string RegionVariable = TrainingContract.S3Region;

    /// <summary>The standard variable of an S3 endpoint override.</summary>
    public const string EndpointVariable = TrainingContract.S3Endpoint;

    /// <summary>Set to <c>true</c> for path-style requests (most S3-compatible servers need them).</summary>
    public const string PathStyleVariable = TrainingContract.S3ForcePathStyle;

    public string? Region { get; init; }

    public Uri? Endpoint { get; init; }

    public bool ForcePathStyle { get; init; }

    /// <summary>The options the variables <see cref="RegionVariable"/> (or <c>AWS_DEFAULT_REGION</c>),
    /// <see cref="EndpointVariable"/> (or <c>AWS_ENDPOINT_URL</c>) and <see cref="PathStyleVariable"/> set; what a
    /// trainer or a serving pod's model fetch is given.</summary>
    public static (S3Options? Options, string? Error) FromVariables(Func<string, string?> variable)
    {
        var region = Nonempty(variable(RegionVariable)) ?? Nonempty(variable("AWS_DEFAULT_REGION"));
        var endpointText = Nonempty(variable(EndpointVariable)) ?? Nonempty(variable("AWS_ENDPOINT_URL"));
        Uri? endpoint = null;
        if (endpointText is not null
            && (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            return (null, $"{EndpointVariable} is '{endpointText}', which is not an http:// or https:// URL; set it to the S3 endpoint, e.g. https://s3.eu-west-1.amazonaws.com");
        }
        var pathStyleText = Nonempty(variable(PathStyleVariable));
        if (pathStyleText is not null && !bool.TryParse(pathStyleText, out _))
        {
            return (null, $"{PathStyleVariable} is '{pathStyleText}'; set it to true or false");
        }
        return (new S3Options { Region = region, Endpoint = endpoint, ForcePathStyle = pathStyleText is not null && bool.Parse(pathStyleText) }, null);
    }

    private static string? Nonempty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
