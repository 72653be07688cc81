namespace GitOps.Specs;

/// <summary>
/// What a symbolic link under the spec folders may be, wherever the repository is read from (a checkout on disk, the
/// objects of a commit): followed while it stays inside the repository, otherwise a place nothing could be read from
/// (<see cref="SourceFile.Unreadable"/>), with one of these reasons.
/// </summary>
public static class SymbolicLinks
{
    /// <summary>Links followed one after another before the chain counts as a loop (Linux stops at 40).</summary>
    public const int MaxHops = 40;

    public static string Loop(string link) => $"symbolic link to '{link}' that leads round in a loop of links";

    public static string Missing(string link) => $"symbolic link to '{link}', which does not exist";

    public static string Outside(string link) => $"symbolic link to '{link}', outside the repository: it is not followed";

    /// <summary>An absolute target (the link's own, or one met on the way) names a place on one machine: another clone of
    /// the repository (the reconciler's) would not find the same file there, so it is never followed, on disk either.</summary>
    public static string Absolute(string link) =>
        $"symbolic link to '{link}' leads through an absolute path, which another clone of the repository would not have: it is not followed";

    public static string Ancestor(string link) => $"symbolic link to '{link}', a folder it is itself in: it is not followed";

    /// <summary>
    /// Whether a link that cannot be followed is reported: one that could stand for a spec file or a folder of them.
    /// A link that could not hold a spec (a README's, a script's) is no business of the specs.
    /// </summary>
    public static bool Reported(string relative, bool targetIsFolder, bool targetExists) =>
        RepositoryFiles.IsSpecFile(relative) || targetIsFolder || !targetExists && !Path.HasExtension(relative);

    /// <summary>
    /// Follows a link at <paramref name="linkPath"/> (repository-relative, <c>/</c>-separated, with no link among its
    /// folders) to <paramref name="link"/> (its target as stored) the way the file system does: name by name, every
    /// link met on the way followed in its turn (the target's own, and a linked folder the target passes through), and
    /// <c>..</c> taken from where the links led. <paramref name="at"/> tells what a repository path holds: nothing, a
    /// link (with its target as stored), or a file or folder. Returns the repository path of what the link names, no
    /// link in it, or why it cannot be followed: it is absolute, leaves the repository (more <c>..</c> than folders), leads
    /// to nothing, or goes round in a loop.
    /// </summary>
    public static (string? Path, string? Why) Follow(string linkPath, string link, Func<string, (bool Exists, string? Link)> at)
    {
        var parts = new List<string>(linkPath.Split('/')[..^1]);
        var hops = 0;
        return Walk(parts, link, at, ref hops) is { } why ? (null, why(link)) : (string.Join('/', parts), null);
    }

    /// <summary>Walks <paramref name="target"/> from the folder <paramref name="parts"/>, which ends as the path it names;
    /// the reason it cannot, if any.</summary>
    private static Func<string, string>? Walk(List<string> parts, string target, Func<string, (bool Exists, string? Link)> at, ref int hops)
    {
        if (target.StartsWith('/'))
        {
            return Absolute;
        }
        if (target.Length == 0)
        {
            return Outside;
        }
        foreach (var part in target.Split('/'))
        {
            switch (part)
            {
                case "" or ".":
                    continue;
                case "..":
                    if (parts.Count == 0)
                    {
                        return Outside;
                    }
                    parts.RemoveAt(parts.Count - 1);
                    continue;
            }
            parts.Add(part);
            var (exists, link) = at(string.Join('/', parts));
            if (!exists)
            {
                return Missing;
            }
            if (link is not null)
            {
                if (++hops >= MaxHops)
                {
                    return Loop;
                }
                parts.RemoveAt(parts.Count - 1);
                if (Walk(parts, link, at, ref hops) is { } why)
                {
                    return why;
                }
            }
        }
        return parts.Count == 0 ? Outside : null;
    }
}
