using LibGit2Sharp;

namespace GitOps.Cli.Commands;

/// <summary>
/// The commit a checkout is at (the <c>commit</c> annotation of rendered objects), read with LibGit2Sharp: it finds
/// the repository above <paramref name="root"/> and resolves HEAD whatever the layout (a <c>.git</c> folder, a
/// worktree's <c>.git</c> file, loose or packed refs, a detached HEAD).
/// </summary>
public static class GitHead
{
    /// <summary>The full SHA of HEAD, or <c>null</c> outside a repository or before the first commit.</summary>
    public static string? Read(string root)
    {
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
}
