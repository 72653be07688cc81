using GitOps.Specs;

namespace GitOps.Reconciler.Git;

/// <summary>
/// The port to the Git repository the reconciler follows: one branch of one remote. Fetching and reading are
/// separate so that a pass on an unchanged commit reads no files.
/// </summary>
public interface IGitSource
{
    /// <summary>Fetches the branch from the remote and returns the full commit id it points at.</summary>
    Task<string> FetchAsync(CancellationToken ct);

    /// <summary>Every file of <paramref name="commit"/> (repository-relative paths with <c>/</c>).</summary>
    Task<IReadOnlyList<SourceFile>> ReadFilesAsync(string commit, CancellationToken ct);
}
