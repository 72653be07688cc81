namespace GitOps.Specs;

/// <summary>The file formats batch scoring reads and writes, told apart by the file name's extension.</summary>
public static class BatchFiles
{
    public const string Csv = "csv";
    public const string Parquet = "parquet";

    /// <summary><c>csv</c> or <c>parquet</c> for a path or URI ending in <c>.csv</c> or <c>.parquet</c> (any case,
    /// before a query string), else null.</summary>
    public static string? FormatOf(string pathOrUri)
    {
        var path = pathOrUri;
        var query = path.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0 && path.Contains("://", StringComparison.Ordinal))
        {
            path = path[..query];
        }
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            return Csv;
        }
        return path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? Parquet : null;
    }
}
