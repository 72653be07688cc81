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

    public static string Ancestor(string link) => $"symbolic link to '{link}', a folder it is itself in: it is not followed";

    /// <summary>
    /// Whether a link that cannot be followed is reported: one that could stand for a spec file or a folder of them.
    /// A link that could not hold a spec (a README's, a script's) is no business of the specs.
    /// </summary>
    public static bool Reported(string relative, bool targetIsFolder, bool targetExists) =>
        RepositoryFiles.IsSpecFile(relative) || targetIsFolder || !targetExists && !Path.HasExtension(relative);

    /// <summary>
    /// The repository path a link at <paramref name="linkPath"/> (repository-relative, <c>/</c>-separated) to
    /// <paramref name="target"/> (as stored in the link) names, or null when it leaves the repository (absolute, or
    /// more <c>..</c> than folders).
    /// </summary>
    public static string? Resolve(string linkPath, string target)
    {
        if (target.StartsWith('/') || target.Length == 0)
        {
            return null;
        }
        var parts = new List<string>(linkPath.Split('/')[..^1]);
        foreach (var part in target.Split('/'))
        {
            switch (part)
            {
                case "" or ".":
                    break;
                case "..":
                    if (parts.Count == 0)
                    {
                        return null;
                    }
                    parts.RemoveAt(parts.Count - 1);
                    break;
                default:
                    parts.Add(part);
                    break;
            }
        }
        return parts.Count == 0 ? null : string.Join('/', parts);
    }
}
