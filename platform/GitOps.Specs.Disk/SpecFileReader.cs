using System.Runtime.ExceptionServices;

namespace GitOps.Specs;

/// <summary>
/// Reads the spec files (<see cref="RepositoryFiles.IsSpecFile"/>) of a repository folder on disk, sorted by path
/// (ordinal). Symbolic links are not followed.
/// </summary>
public static class SpecFileReader
{
    /// <summary>
    /// Reads the spec files under <paramref name="root"/>. Missing spec folders are skipped. A file larger than
    /// <see cref="LoaderLimits.MaxFileBytes"/> is returned truncated to one byte past the limit, so the loader
    /// reports it without this reading it whole.
    /// </summary>
    public static IReadOnlyList<SourceFile> Read(string root) => Read(root, LoaderLimits.Default);

    public static IReadOnlyList<SourceFile> Read(string root, LoaderLimits limits)
    {
        var files = new List<(string Relative, string Full)>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint, MatchCasing = MatchCasing.CaseSensitive };
        foreach (var folder in RepositoryFiles.SpecFolders)
        {
            var dir = Path.Combine(root, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }
            foreach (var full in Directory.EnumerateFiles(dir, "*", options))
            {
                var relative = Path.GetRelativePath(root, full).Replace('\\', '/');
                if (RepositoryFiles.IsSpecFile(relative))
                {
                    files.Add((relative, full));
                }
            }
        }
        files.Sort((a, b) => RepositoryFiles.ComparePaths(a.Relative, b.Relative));
        // One file past the limit is read so that the loader can report that the limit was hit.
        var selected = files.Take(limits.MaxFiles + 1).ToArray();
        var result = new SourceFile[selected.Length];
        var failures = new Exception?[selected.Length];
        // Files are read on every core, each into its sorted place; the first failure in path order is the one thrown,
        // as when they were read one by one.
        Parallel.For(0, selected.Length, selected.Length < ReadInParallelFrom ? Sequential : AllCores, i =>
        {
            try
            {
                result[i] = new SourceFile(selected[i].Relative, ReadBounded(selected[i].Full, limits.MaxFileBytes + 1));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures[i] = e;
            }
        });
        if (Array.Find(failures, f => f is not null) is { } first)
        {
            ExceptionDispatchInfo.Throw(first);
        }
        return result;
    }

    /// <summary>Fewer files than this are read on the calling thread: starting workers would cost more.</summary>
    private const int ReadInParallelFrom = 64;

    private static readonly ParallelOptions Sequential = new() { MaxDegreeOfParallelism = 1 };

    private static readonly ParallelOptions AllCores = new();

    private static byte[] ReadBounded(string path, int max)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
        var length = (int)Math.Min(stream.Length, max);
        var buffer = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = stream.Read(buffer, read, length - read);
            if (n == 0)
            {
                break;
            }
            read += n;
        }
        return read == length ? buffer : buffer[..read];
    }
}
