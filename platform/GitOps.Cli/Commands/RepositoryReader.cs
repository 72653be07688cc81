using GitOps.Cli.Output;
using GitOps.Specs;

namespace GitOps.Cli.Commands;

/// <summary>Reads a GitOps repository from disk, turning a wrong path or an unreadable tree into a <see cref="UserError"/>.</summary>
public static class RepositoryReader
{
    public static IReadOnlyList<SourceFile> Read(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new UserError($"'{root}' is not a folder. Pass the root of a GitOps repository (the folder holding environments/, models/ and policies/).");
        }
        if (!RepositoryFiles.SpecFolders.Any(f => Directory.Exists(Path.Combine(root, f))))
        {
            throw new UserError($"'{Path.GetFullPath(root)}' holds none of environments/, models/ or policies/. Run from the repository root or pass its path.");
        }
        try
        {
            return SpecFileReader.Read(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"cannot read the repository at '{root}': {e.Message}");
        }
    }
}
