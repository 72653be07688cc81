using System.Collections.Immutable;
using System.Runtime.ExceptionServices;

namespace GitOps.Specs;

/// <summary>
/// Reads the spec files (<see cref="RepositoryFiles.IsCollected"/>) of a repository folder on disk, sorted by path
/// (ordinal). Symbolic links that stay inside the repository are followed, as Git checkouts keep them: a linked file is
/// read under the link's path, a linked folder's files under the link's folder. A link out of the repository, to
/// nothing or round in a loop is returned as a place nothing could be read from (<see cref="SourceFile.Unreadable"/>),
/// which the loader reports: never skipped in silence, since a spec that vanishes would be pruned. A folder that cannot
/// be read fails the read (<see cref="UnauthorizedAccessException"/>), for the same reason.
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
        var files = new List<(string Relative, string Full, string? Unreadable)>();
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        // Links are judged by where they really lead, so the root is too: a repository opened through a linked path
        // (a checkout under /home reached as /srv/repo) would have every link inside it judged outside.
        var walk = new Walk(RealPath(full, full, inRepository: null, out _) ?? full, files);
        foreach (var folder in RepositoryFiles.SpecFolders)
        {
            var dir = new DirectoryInfo(Path.Combine(walk.Root, folder));
            if (dir.Exists || dir.LinkTarget is not null)
            {
                walk.Entry(dir, folder, []);
            }
        }
        files.Sort((a, b) => RepositoryFiles.ComparePaths(a.Relative, b.Relative));
        // One spec file past the limit is read so that the loader can report that the limit was hit; the files a spec
        // may be misnamed in do not count towards it, as the loader does not count them.
        var kept = new List<(string Relative, string Full, string? Unreadable)>(files.Count);
        var specs = 0;
        foreach (var file in files)
        {
            var counts = file.Unreadable is not null || RepositoryFiles.IsSpecFile(file.Relative);
            if (!counts || ++specs <= limits.MaxFiles + 1)
            {
                kept.Add(file);
            }
        }
        var selected = kept.ToArray();
        var result = new SourceFile[selected.Length];
        var failures = new Exception?[selected.Length];
        // Files are read on every core, each into its sorted place; the first failure in path order is the one thrown,
        // as when they were read one by one.
        Parallel.For(0, selected.Length, selected.Length < ReadInParallelFrom ? Sequential : AllCores, i =>
        {
            try
            {
                result[i] = selected[i].Unreadable is { } why
                    ? SourceFile.NotRead(selected[i].Relative, why)
                    : new SourceFile(selected[i].Relative, ReadBounded(selected[i].Full, limits.MaxFileBytes + 1));
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

    /// <summary>The walk of the spec folders: folders in, links followed while they stay inside the repository.</summary>
    private sealed class Walk(string root, List<(string Relative, string Full, string? Unreadable)> files)
    {
        private static readonly EnumerationOptions OneLevel = new() { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0, MatchCasing = MatchCasing.CaseSensitive };

        public string Root => root;

        /// <param name="entry">A file or folder, or a link to one.</param>
        /// <param name="relative">Its repository path, the link's own where it is a link.</param>
        /// <param name="folders">The real folders this entry is inside of, by links followed: a link to one of them is a loop.</param>
        public void Entry(FileSystemInfo entry, string relative, ImmutableStack<string> folders)
        {
            // The attributes come with the listing; only a link costs the call that reads where it points.
            if ((entry.Attributes & FileAttributes.ReparsePoint) != 0 && entry.LinkTarget is { } link)
            {
                // Followed name by name from the link's real folder, as the system does: the target may pass through
                // linked folders, which may lead anywhere, and a '..' after one is taken from where it led.
                // An absolute link, the entry's own or one of the repository's met on the way, is refused as the
                // reconciler refuses it in a commit: another clone would not have that path.
                var real = RealPath(Path.GetDirectoryName(entry.FullName)!, link, Inside, out var absolute);
                FileSystemInfo? target = real is null ? null : Directory.Exists(real) ? new DirectoryInfo(real) : new FileInfo(real);
                var why = Path.IsPathRooted(link) || absolute ? SymbolicLinks.Absolute(link)
                    : target is null ? SymbolicLinks.Loop(link)
                    : !target.Exists ? SymbolicLinks.Missing(link)
                    : !Inside(target.FullName) ? SymbolicLinks.Outside(link)
                    : target is DirectoryInfo && (folders.Contains(target.FullName) || Inside(entry.FullName, of: target.FullName)) ? SymbolicLinks.Ancestor(link)
                    : null;
                if (why is not null)
                {
                    if (SymbolicLinks.Reported(relative, target is DirectoryInfo, target is { Exists: true }))
                    {
                        files.Add((relative, entry.FullName, why));
                    }
                    return;
                }
                entry = target!;
            }
            if (entry is DirectoryInfo dir)
            {
                var inside = folders.Push(Path.TrimEndingDirectorySeparator(dir.FullName));
                foreach (var child in dir.EnumerateFileSystemInfos("*", OneLevel))
                {
                    Entry(child, relative + "/" + child.Name, inside);
                }
            }
            else if (RepositoryFiles.IsCollected(relative)
                && (RepositoryFiles.IsSpecFile(relative) || entry is not FileInfo { Length: > MisnamedSpecs.LargestLooked }))
            {
                // A large JSON file beside the specs is data, not a misnamed spec: it is not read (as in a commit).
                files.Add((relative, entry.FullName, null));
            }
        }

        private bool Inside(string path) => Inside(path, of: root);

        private static bool Inside(string path, string of) =>
            path.StartsWith(of, StringComparison.Ordinal) && path.Length > of.Length && path[of.Length] == Path.DirectorySeparatorChar;
    }

    /// <summary>
    /// Where <paramref name="path"/> (relative to the real folder <paramref name="from"/>, or absolute) really is, every
    /// link in it followed and <c>..</c> taken from where the links led, as <c>realpath(3)</c> finds it; null when the
    /// links go round in a loop, or when a link at a path <paramref name="inRepository"/> accepts has an absolute target
    /// (<paramref name="absolute"/> then true). Names that do not exist are kept as they are.
    /// </summary>
    private static string? RealPath(string from, string path, Func<string, bool>? inRepository, out bool absolute, int hops = 0)
    {
        absolute = false;
        var real = Path.IsPathRooted(path) ? Path.GetPathRoot(path)! : from;
        foreach (var name in path.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            switch (name)
            {
                case ".":
                    continue;
                case "..":
                    real = Path.GetDirectoryName(real) ?? real;
                    continue;
            }
            var next = Path.Combine(real, name);
            if (new FileInfo(next).LinkTarget is { } link)
            {
                if (Path.IsPathRooted(link) && inRepository?.Invoke(next) == true)
                {
                    absolute = true;
                    return null;
                }
                if (++hops >= SymbolicLinks.MaxHops || RealPath(real, link, inRepository, out absolute, hops) is not { } followed)
                {
                    return null;
                }
                next = followed;
            }
            real = next;
        }
        return real;
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
