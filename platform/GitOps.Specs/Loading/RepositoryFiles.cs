namespace GitOps.Specs;

/// <summary>
/// Which files of a repository are spec files: <c>*.yaml</c> and <c>*.yml</c> (in any case: <c>.YAML</c>, <c>.Yml</c>)
/// under <c>environments/</c>, <c>models/</c> and <c>policies/</c>, at any depth. Everything else (prose, CI files,
/// code, test fixtures) is not read as a spec; a <c>*.json</c> file there is collected too, so that the loader can
/// say that a spec written in it is not read (<see cref="MisnamedSpecs"/>). Pure: the walks over a folder on disk or a
/// Git tree apply these rules to the paths they find.
/// </summary>
public static class RepositoryFiles
{
    /// <summary>Top-level folders that hold specs.</summary>
    public static readonly IReadOnlyList<string> SpecFolders = ["environments", "models", "policies"];

    /// <summary>
    /// True when <paramref name="relativePath"/> (relative to the repository root, <c>/</c>-separated; folders
    /// case-sensitive, the extension not) names a spec file.
    /// </summary>
    public static bool IsSpecFile(string relativePath) =>
        (HasExtension(relativePath, ".yaml") || HasExtension(relativePath, ".yml")) && InSpecFolder(relativePath);

    /// <summary>
    /// True when <paramref name="relativePath"/> is a spec file or a file under a spec folder that a spec could have
    /// been written in by mistake (<see cref="MisnamedSpecs.MayBeOne"/>): what the walks over a repository collect.
    /// </summary>
    public static bool IsCollected(string relativePath) =>
        IsSpecFile(relativePath) || MisnamedSpecs.MayBeOne(relativePath) && InSpecFolder(relativePath);

    internal static bool HasExtension(string path, string extension) =>
        path.EndsWith(extension, StringComparison.OrdinalIgnoreCase);

    private static bool InSpecFolder(string relativePath)
    {
        var slash = relativePath.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }
        var top = relativePath.AsSpan(0, slash);
        foreach (var folder in SpecFolders)
        {
            if (top.SequenceEqual(folder))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when <paramref name="folder"/> (relative, <c>/</c>-separated, no trailing <c>/</c>; empty for the
    /// root) can hold spec files, so a walk over a tree skips everything else without opening it.</summary>
    public static bool MayHoldSpecFiles(string folder)
    {
        if (folder.Length == 0)
        {
            return true;
        }
        var slash = folder.IndexOf('/');
        var top = slash < 0 ? folder : folder[..slash];
        return SpecFolders.Contains(top, StringComparer.Ordinal);
    }

    /// <summary>The spec files among <paramref name="files"/> (from any source: a Git tree, an archive), in loader order,
    /// with the places nothing could be read from (<see cref="SourceFile.Unreadable"/>) and the files a spec may have been
    /// misnamed in (<see cref="IsCollected"/>), which the loader reports.</summary>
    public static IReadOnlyList<SourceFile> Select(IEnumerable<SourceFile> files)
    {
        var selected = files.Where(f => IsCollected(f.Path) || f.Unreadable is not null).ToList();
        selected.Sort((a, b) => ComparePaths(a.Path, b.Path));
        return selected;
    }

    /// <summary>Orders spec files the way the loader expects them: by path, ordinal.</summary>
    public static int ComparePaths(string a, string b) => string.CompareOrdinal(a, b);
}
