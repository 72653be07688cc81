using LibGit2Sharp;

namespace GitOps.Cli.Commands;

/// <summary>
/// The commit a checkout is at (the <c>commit</c> annotation of rendered objects). It finds the repository above
/// <paramref name="root"/> and resolves HEAD whatever the layout: a <c>.git</c> folder or a worktree's <c>.git</c>
/// file, loose or packed refs, a symbolic or detached HEAD. The usual layouts are read from the repository's files
/// (<see cref="FromFiles"/>); anything else (a bare repository, the reftable ref format) is left to LibGit2Sharp.
/// Reading the files needs no native library, so the command also works in the native (ahead-of-time compiled)
/// build, where LibGit2Sharp's repository discovery does not.
/// </summary>
public static class GitHead
{
    private const int MaxSymbolicRefs = 10;

    /// <summary>The full SHA of HEAD, or <c>null</c> outside a repository or before the first commit.</summary>
    public static string? Read(string root)
    {
        var (known, sha) = FromFiles(root);
        if (known)
        {
            return sha;
        }
        try
        {
            var discovered = Repository.Discover(Path.GetFullPath(root));
            if (discovered is null)
            {
                return null;
            }
            using var repo = new Repository(discovered);
            return repo.Head.Tip?.Sha;
        }
        catch (LibGit2SharpException)
        {
            // A damaged repository renders as "unknown", like a folder outside Git: the commit is a label, not an input.
            return null;
        }
    }

    /// <summary>
    /// HEAD from the files of the nearest <c>.git</c> above <paramref name="root"/>. <c>Known</c> is false when
    /// there is no <c>.git</c> or its layout is not one this reader follows; then <c>Sha</c> says nothing.
    /// A known <c>null</c> SHA is a branch with no commit yet.
    /// </summary>
    public static (bool Known, string? Sha) FromFiles(string root)
    {
        try
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(root)); dir is not null; dir = dir.Parent)
            {
                var dotGit = Path.Combine(dir.FullName, ".git");
                if (Directory.Exists(dotGit))
                {
                    return Resolve(dotGit);
                }
                if (File.Exists(dotGit))
                {
                    // A linked worktree or a submodule: "gitdir: PATH", relative to the folder holding the file.
                    var line = File.ReadAllText(dotGit).Trim();
                    return line.StartsWith("gitdir:", StringComparison.Ordinal)
                        ? Resolve(Path.GetFullPath(Path.Combine(dir.FullName, line["gitdir:".Length..].Trim())))
                        : (false, null);
                }
            }
            return (false, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (false, null);
        }
    }

    private static (bool Known, string? Sha) Resolve(string gitDir)
    {
        var commonFile = Path.Combine(gitDir, "commondir");
        var commonDir = File.Exists(commonFile)
            ? Path.GetFullPath(Path.Combine(gitDir, File.ReadAllText(commonFile).Trim()))
            : gitDir;
        if (Directory.Exists(Path.Combine(commonDir, "reftable")) || !File.Exists(Path.Combine(gitDir, "HEAD")))
        {
            return (false, null);
        }
        var value = File.ReadAllText(Path.Combine(gitDir, "HEAD")).Trim();
        for (var hop = 0; hop < MaxSymbolicRefs; hop++)
        {
            if (IsObjectId(value))
            {
                return (true, value.ToLowerInvariant());
            }
            if (!value.StartsWith("ref:", StringComparison.Ordinal))
            {
                return (false, null);
            }
            var name = value["ref:".Length..].Trim();
            if (RefValue(gitDir, commonDir, name) is not { } next)
            {
                // HEAD names a branch with no commit yet.
                return (true, null);
            }
            value = next;
        }
        return (false, null);
    }

    /// <summary>A ref's value: its loose file (per worktree, then shared), else its line in packed-refs.</summary>
    private static string? RefValue(string gitDir, string commonDir, string name)
    {
        if (name.Split('/').Any(part => part is "" or "." or ".."))
        {
            return null;
        }
        foreach (var dir in gitDir == commonDir ? [gitDir] : new[] { gitDir, commonDir })
        {
            var loose = Path.Combine(dir, name);
            if (File.Exists(loose))
            {
                return File.ReadAllText(loose).Trim();
            }
        }
        var packed = Path.Combine(commonDir, "packed-refs");
        if (!File.Exists(packed))
        {
            return null;
        }
        foreach (var line in File.ReadLines(packed))
        {
            // "SHA NAME" lines; '#' starts the header, '^' the peeled commit of the tag above.
            var space = line.IndexOf(' ');
            if (space > 0 && line[0] is not '#' and not '^' && line.AsSpan(space + 1).TrimEnd().SequenceEqual(name))
            {
                return line[..space];
            }
        }
        return null;
    }

    private static bool IsObjectId(string value) =>
        value.Length is 40 or 64 && value.All(char.IsAsciiHexDigit);
}
