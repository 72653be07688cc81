using System.Security.Cryptography;
using GitOps.Specs;
using LibGit2Sharp;

namespace GitOps.Reconciler.Git;

/// <summary>
/// The desired state as it is on disk now (what <c>gitops up</c> follows): the spec files of a working tree, edited or
/// not. The revision is the HEAD commit when the spec files match it, else the HEAD commit (or <c>worktree</c> outside
/// Git) with a digest of the files, so every edit is a new revision and an unchanged tree is the same one. With
/// <paramref name="followEdits"/> false the tree is read once and that snapshot is the desired state from then on.
/// A tree that changed since the last read is read again after <see cref="Settle"/> and taken only when both reads
/// agree: an editor (or a script) writing a file in place empties it first, and a half-written tree read at that
/// moment would be a desired state without the model, whose objects the pass would prune.
/// </summary>
public sealed class WorkingTreeSource(string root, bool followEdits = true, TimeProvider? timeProvider = null) : IGitSource
{
    /// <summary>How long a changed tree must stay the same before it is taken.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(150);

    private const int SettleAttempts = 20;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private GitFetchResult? _snapshot;
    private string? _digest;

    public async Task<GitFetchResult> FetchAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (_snapshot is { Succeeded: true } && !followEdits)
        {
            return _snapshot;
        }
        try
        {
            var (files, digest) = Read();
            for (var attempt = 0; digest != _digest && _digest is not null && attempt < SettleAttempts; attempt++)
            {
                await Task.Delay(Settle, _time, ct);
                var (again, againDigest) = Read();
                if (againDigest == digest)
                {
                    break;
                }
                (files, digest) = (again, againDigest);
            }
            var (revision, time, message) = Revision(digest);
            _digest = digest;
            _snapshot = GitFetchResult.Success(new GitCheckout(revision, "working tree", time, message, files));
            return _snapshot;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return GitFetchResult.Failure($"cannot read the working tree at {root}: {e.Message}", null);
        }
    }

    private (List<GitFile> Files, string Digest) Read()
    {
        var files = SpecFileReader.Read(root).Select(f => new GitFile(f.Path, f.Content) { Unreadable = f.Unreadable }).ToList();
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            digest.AppendData(System.Text.Encoding.UTF8.GetBytes(file.Path + "\n" + file.Unreadable + "\n"));
            digest.AppendData(file.Content.Span);
        }
        return (files, Convert.ToHexStringLower(digest.GetHashAndReset())[..12]);
    }

    private (string Revision, DateTimeOffset Time, string Message) Revision(string content)
    {
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
