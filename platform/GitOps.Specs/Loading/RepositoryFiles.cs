namespace GitOps.Specs;

/// <summary>
/// The one definition of "the spec files of a repository", shared by <c>gitops validate</c>, <c>plan</c>,
/// <c>render</c> and the reconciler's Git reader: <c>*.yaml</c> and <c>*.yml</c> under <c>environments/</c>,
/// <c>models/</c> and <c>policies/</c>, recursively, sorted by path (ordinal). Everything else a repository holds
/// (README files, CI workflows, code, JSON schemas, test fixtures) is not a spec and is never parsed.
/// <see cref="Read(string)"/> is the only file-system code of the specs layer; everything after it works on
/// <see cref="SourceFile"/>s.
/// </summary>
public static class RepositoryFiles
{
    /// <summary>Top-level folders that hold specs.</summary>
    public static readonly IReadOnlyList<string> SpecFolders = ["environments", "models", "policies"];

    /// <summary>
    /// True when the repository-relative <paramref name="path"/> (separated by <c>/</c>) is a spec file: it lies
    /// under one of <see cref="SpecFolders"/> and ends in <c>.yaml</c> or <c>.yml</c> (case-sensitive, as Git is).
    /// </summary>
    public static bool IsSpecFile(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == path.Length - 1)
        {
            return false;
        }
        var folder = path.AsSpan(0, slash);
        var inSpecFolder = false;
        foreach (var specFolder in SpecFolders)
        {
            inSpecFolder |= folder.SequenceEqual(specFolder);
        }
        return inSpecFolder && (path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal));
    }

    /// <summary>True when <paramref name="folder"/> (repository-relative, no trailing <c>/</c>; empty for the root)
    /// can hold spec files, so a reader walking a tree can skip the rest without opening it.</summary>
    public static bool MayHoldSpecFiles(string folder)
    {
        if (folder.Length == 0)
        {
            return true;
        }
        var slash = folder.IndexOf('/', StringComparison.Ordinal);
        var top = slash < 0 ? folder : folder[..slash];
        return SpecFolders.Contains(top, StringComparer.Ordinal);
    }

    /// <summary>The spec files among <paramref name="files"/> (any source: a Git tree, an archive), sorted by path.</summary>
    public static IReadOnlyList<SourceFile> Select(IEnumerable<SourceFile> files) =>
        [.. files.Where(f => IsSpecFile(f.Path)).OrderBy(f => f.Path, StringComparer.Ordinal)];

    /// <summary>
    /// Reads the spec files under <paramref name="root"/>. Missing folders are skipped. A file larger than
    /// <see cref="LoaderLimits.MaxFileBytes"/> is returned truncated to one byte past the limit, so the loader
    /// reports it without this reading it whole.
    /// </summary>
    public static IReadOnlyList<SourceFile> Read(string root) => Read(root, LoaderLimits.Default);

    public static IReadOnlyList<SourceFile> Read(string root, LoaderLimits limits)
    {
        var files = new List<(string Relative, string Full)>();
        foreach (var folder in SpecFolders)
        {
            var dir = Path.Combine(root, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }
            var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint, MatchCasing = MatchCasing.CaseSensitive };
            foreach (var full in Directory.EnumerateFiles(dir, "*", options))
            {
                var relative = Path.GetRelativePath(root, full).Replace('\\', '/');
                if (IsSpecFile(relative))
                {
                    files.Add((relative, full));
                }
            }
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));
        var result = new List<SourceFile>(files.Count);
        // One file past the limit is read so that the loader can report that the limit was hit.
        foreach (var (relative, full) in files.Take(limits.MaxFiles + 1))
        {
            result.Add(new SourceFile(relative, ReadBounded(full, limits.MaxFileBytes + 1)));
        }
        return result;
    }

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
