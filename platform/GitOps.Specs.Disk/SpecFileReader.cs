using System.Collections.Immutable;
using System.IO.Enumeration;
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
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        // Links are judged by where they really lead, so the root is too: a repository opened through a linked path
        // (a checkout under /home reached as /srv/repo) would have every link inside it judged outside.
        var walk = new Walk(RealPath(full, full, inRepository: null, out _) ?? full, limits.MaxFiles + 1, limits.MaxFileBytes + 1);
        foreach (var folder in RepositoryFiles.SpecFolders)
        {
            var dir = new DirectoryInfo(Path.Combine(walk.Root, folder));
            if (dir.Exists || dir.LinkTarget is not null)
            {
                walk.Entry(dir.FullName, folder, dir.Exists, []);
            }
        }
        // A folder that could not be listed fails the read: the first in path order, as when the walk went one by one.
        if (walk.Failures.Count > 0)
        {
            ExceptionDispatchInfo.Throw(walk.Failures.MinBy(f => f.Relative, Comparer<string>.Create(RepositoryFiles.ComparePaths)).Error);
        }
        var files = walk.Files;
        files.Sort((a, b) => RepositoryFiles.ComparePaths(a.Relative, b.Relative));
        // One spec file past the limit is read so that the loader can report that the limit was hit; the files a spec
        // may be misnamed in do not count towards it, as the loader does not count them.
        var kept = new List<Found>(files.Count);
        var specs = 0;
        foreach (var file in files)
        {
            var counts = file.Unreadable is not null || RepositoryFiles.IsSpecFile(file.Relative);
            if (!counts || ++specs <= limits.MaxFiles + 1)
            {
                kept.Add(file);
            }
        }
        // Files are read as the walk finds them; a file the walk left (found past the limit, in the order it went, but
        // kept in path order) is read now. The first failure in path order is the one thrown.
        var result = new SourceFile[kept.Count];
        for (var i = 0; i < kept.Count; i++)
        {
            var file = kept[i];
            if (file.Unreadable is null && file.Content is null && file.Failure is null)
            {
                walk.Read(file);
            }
            if (file.Failure is { } error)
            {
                ExceptionDispatchInfo.Throw(error);
            }
            result[i] = file.Unreadable is { } why ? SourceFile.NotRead(file.Relative, why) : new SourceFile(file.Relative, file.Content!);
        }
        return result;
    }

    /// <summary>A file the walk found: a spec to read, or a place where one could be and nothing could be read.</summary>
    private sealed class Found(string relative, string full, string? unreadable)
    {
        public string Relative { get; } = relative;

        public string Full { get; } = full;

        public string? Unreadable { get; } = unreadable;

        public byte[]? Content { get; set; }

        public Exception? Failure { get; set; }
    }

    /// <summary>
    /// The walk of the spec folders: folders in, links followed while they stay inside the repository. A folder with
    /// many entries (models/ of a large repository) is walked on every core, and each file is read where it is found,
    /// so that listing folders and reading files overlap.
    /// </summary>
    private sealed class Walk(string root, int readEagerly, int maxBytes)
    {
        private static readonly EnumerationOptions OneLevel = new() { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0, MatchCasing = MatchCasing.CaseSensitive };

        private readonly Lock _lock = new();
        private int _specsRead;

        public string Root => root;

        public List<Found> Files { get; } = [];

        public List<(string Relative, Exception Error)> Failures { get; } = [];

        /// <param name="full">Where the entry is: a file or folder, or a link to one.</param>
        /// <param name="relative">Its repository path, the link's own where it is a link.</param>
        /// <param name="isDirectory">Whether it is a folder, or a link to one.</param>
        /// <param name="folders">The real folders this entry is inside of, by links followed: a link to one of them is a loop.</param>
        public void Entry(string full, string relative, bool isDirectory, ImmutableStack<string> folders)
        {
            // Only an entry that could be read or reported costs the call that asks whether it is a link: a folder, a
            // file the loader collects, or a name without an extension (a broken link to a folder is one).
            if ((isDirectory || RepositoryFiles.IsCollected(relative) || !Path.HasExtension(relative)) && new FileInfo(full).LinkTarget is { } link)
            {
                // Followed name by name from the link's real folder, as the system does: the target may pass through
                // linked folders, which may lead anywhere, and a '..' after one is taken from where it led.
                // An absolute link, the entry's own or one of the repository's met on the way, is refused as the
                // reconciler refuses it in a commit: another clone would not have that path.
                var real = RealPath(Path.GetDirectoryName(full)!, link, Inside, out var absolute);
                FileSystemInfo? target = real is null ? null : Directory.Exists(real) ? new DirectoryInfo(real) : new FileInfo(real);
                var why = Path.IsPathRooted(link) || absolute ? SymbolicLinks.Absolute(link)
                    : target is null ? SymbolicLinks.Loop(link)
                    : !target.Exists ? SymbolicLinks.Missing(link)
                    : !Inside(target.FullName) ? SymbolicLinks.Outside(link)
                    : target is DirectoryInfo && (folders.Contains(target.FullName) || Inside(full, of: target.FullName)) ? SymbolicLinks.Ancestor(link)
                    : null;
                if (why is not null)
                {
                    if (SymbolicLinks.Reported(relative, target is DirectoryInfo, target is { Exists: true }))
                    {
                        Add(new Found(relative, full, why));
                    }
                    return;
                }
                full = target!.FullName;
                isDirectory = target is DirectoryInfo;
            }
            if (isDirectory)
            {
                Folder(full, relative, folders);
            }
            else if (RepositoryFiles.IsCollected(relative)
                && (RepositoryFiles.IsSpecFile(relative) || new FileInfo(full) is not { Length: > MisnamedSpecs.LargestLooked }))
            {
                // A large JSON file beside the specs is data, not a misnamed spec: it is not read (as in a commit).
                var found = new Found(relative, full, null);
                Add(found);
                if (!RepositoryFiles.IsSpecFile(relative) || Interlocked.Increment(ref _specsRead) <= readEagerly)
                {
                    Read(found);
                }
            }
        }

        private void Folder(string full, string relative, ImmutableStack<string> folders)
        {
            List<(string Name, string Full, bool IsDirectory)> children;
            try
            {
                // The kind of each entry comes with the listing: no call per entry (a link is asked about in Entry).
                children = [.. new FileSystemEnumerable<(string, string, bool)>(full,
                    static (ref FileSystemEntry e) => (e.FileName.ToString(), e.ToFullPath(), e.IsDirectory), OneLevel)];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Fail(relative, e);
                return;
            }
            var inside = folders.Push(Path.TrimEndingDirectorySeparator(full));
            if (children.Count < WalkInParallelFrom)
            {
                foreach (var child in children)
                {
                    Child(child, relative, inside);
                }
                return;
            }
            Parallel.ForEach(children, AllCores, child => Child(child, relative, inside));
        }

        private void Child((string Name, string Full, bool IsDirectory) child, string relative, ImmutableStack<string> inside)
        {
            var path = relative + "/" + child.Name;
            try
            {
                Entry(child.Full, path, child.IsDirectory, inside);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Fail(path, e);
            }
        }

        private void Fail(string relative, Exception e)
        {
            lock (_lock)
            {
                Failures.Add((relative, e));
            }
        }

        private void Add(Found found)
        {
            lock (_lock)
            {
                Files.Add(found);
            }
        }

        public void Read(Found file)
        {
            try
            {
                file.Content = ReadBounded(file.Full, maxBytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                file.Failure = e;
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

    /// <summary>A folder with fewer entries than this is walked on the calling thread: starting workers would cost more.</summary>
    private const int WalkInParallelFrom = 64;

    private static readonly ParallelOptions AllCores = new();

    private static byte[] ReadBounded(string path, int max)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var length = (int)Math.Min(RandomAccess.GetLength(handle), max);
        var buffer = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(read), read);
            if (n == 0)
            {
                break;
            }
            read += n;
        }
        return read == length ? buffer : buffer[..read];
    }
}
