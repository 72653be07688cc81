namespace GitOps.Registry.Stores;

/// <summary>An <c>s3://BUCKET/PREFIX</c> location: a bucket and a key prefix without leading or trailing slash.</summary>
public sealed record S3Location(string Bucket, string Prefix)
{
    public const string Scheme = "s3";

    /// <summary>Parses <c>s3://bucket</c> or <c>s3://bucket/some/prefix</c>; null when there is no bucket.</summary>
    public static S3Location? Parse(string uri)
    {
        var rest = uri[(Scheme.Length + "://".Length)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        return bucket.Length == 0 ? null : new S3Location(bucket, prefix);
    }

    /// <summary>The object key of <paramref name="relative"/> under this prefix.</summary>
    public string Key(string relative)
    {
        var tail = relative.Replace('\\', '/').TrimStart('/');
        return Prefix.Length == 0 ? tail : tail.Length == 0 ? Prefix : $"{Prefix}/{tail}";
    }

    /// <summary>The location of <paramref name="relative"/> under this one.</summary>
    public S3Location Child(string relative) => this with { Prefix = Key(relative) };

    /// <summary>The folder holding this location's last segment, and that segment: <c>s3://b/a/f.onnx</c> →
    /// (<c>s3://b/a</c>, <c>f.onnx</c>).</summary>
    public (S3Location Folder, string Name) Split()
    {
        var slash = Prefix.LastIndexOf('/');
        return slash < 0 ? (this with { Prefix = "" }, Prefix) : (this with { Prefix = Prefix[..slash] }, Prefix[(slash + 1)..]);
    }

    public override string ToString() => Prefix.Length == 0 ? $"{Scheme}://{Bucket}" : $"{Scheme}://{Bucket}/{Prefix}";
}
