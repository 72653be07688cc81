namespace GitOps.Registry.Stores;

/// <summary>A URI naming one file (a path or <c>file://</c>, <c>http(s)://</c> or <c>s3://</c>) split into the store
/// its folder opens as and the file's key in it.</summary>
public static class ArtifactFileUri
{
    /// <summary>The folder URI and file name of <paramref name="uri"/>; throws <see cref="ArtifactStoreException"/>
    /// for an unsupported scheme or a URI that names a folder.</summary>
    public static (string Folder, string Name) Split(string uri)
    {
        var location = ArtifactLocation.Parse(uri);
        if (location.UnsupportedScheme is { } scheme)
        {
            throw new ArtifactStoreException(ArtifactLocation.UnsupportedMessage(uri, scheme));
        }
        string folder, name;
        if (location.S3 is { } s3)
        {
            var (parent, key) = s3.Split();
            (folder, name) = (parent.ToString(), key);
        }
        else if (location.LocalPath is { } path)
        {
            (folder, name) = (Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/", Path.GetFileName(path));
        }
        else
        {
            var url = location.Url!;
            var text = url.GetLeftPart(UriPartial.Path);
            var slash = text.LastIndexOf('/');
            (folder, name) = (text[..slash] + url.Query, Uri.UnescapeDataString(text[(slash + 1)..]));
        }
        if (name.Length == 0)
        {
            throw new ArtifactStoreException($"'{uri}' names a folder, not a file");
        }
        return (folder, name);
    }
}
