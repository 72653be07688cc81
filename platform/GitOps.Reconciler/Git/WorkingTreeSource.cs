using System.Security.Cryptography;
using GitOps.Specs;
using LibGit2Sharp;

namespace GitOps.Reconciler.Git;

/// <summary>
/// The desired state as it is on disk now (what <c>gitops up</c> follows): the spec files of a working tree, edited or
/// not. The revision is the HEAD commit when the spec files match it, else the HEAD commit (or <c>worktree</c> outside
/// Git) with a digest of the files, so every edit is a new revision and an unchanged tree is the same one. With
/// <paramref name="followEdits"/> false the tree is read once and that snapshot is the desired state from then on.
/// </summary>
public sealed class WorkingTreeSource(string root, bool followEdits = true) : IGitSource
{
    private GitFetchResult? _snapshot;

    public Task<GitFetchResult> FetchAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (_snapshot is { Succeeded: true } && !followEdits)
        {
            return Task.FromResult(_snapshot);
        }
        try
        {
            var files = SpecFileReader.Read(root).Select(f => new GitFile(f.Path, f.Content)).ToList();
            var (revision, time, message) = Revision(files);
            _snapshot = GitFetchResult.Success(new GitCheckout(revision, "working tree", root, time, message, files));
            return Task.FromResult(_snapshot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(GitFetchResult.Failure($"cannot read the working tree at {root}: {e.Message}", null));
        }
    }

    private (string Revision, DateTimeOffset Time, string Message) Revision(IReadOnlyList<GitFile> files)
    {
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            digest.AppendData(System.Text.Encoding.UTF8.GetBytes(file.Path + "\n"));
            digest.AppendData(file.Content.Span);
        }
        var content = Convert.ToHexStringLower(digest.GetHashAndReset())[..12];
        var discovered = Repository.Discover(root);
        if (discovered is null)
        {
            return ($"worktree-{content}", DateTimeOffset.UnixEpoch, "not a Git repository");
        }
        try
        {
            using var repo = new Repository(discovered);
            if (repo.Head.Tip is not { } tip)
            {
                return ($"worktree-{content}", DateTimeOffset.UnixEpoch, "no commit yet");
            }
            var specFolders = RepositoryFiles.SpecFolders
                .Select(f => Path.GetRelativePath(repo.Info.WorkingDirectory, Path.Combine(root, f)).Replace('\\', '/'))
                .ToArray();
            var dirty = repo.RetrieveStatus(new StatusOptions { PathSpec = specFolders }).IsDirty;
            return dirty ? ($"{tip.Sha[..12]}-dirty-{content}", tip.Committer.When, "uncommitted changes") : (tip.Sha, tip.Committer.When, tip.MessageShort);
        }
        catch (LibGit2SharpException)
        {
            return ($"worktree-{content}", DateTimeOffset.UnixEpoch, "unreadable Git repository");
        }
    }
}
