using System.Text.RegularExpressions;
using GitOps.Specs;
using LibGit2Sharp;

namespace GitOps.Reconciler.Git;

/// <summary>Settings of a <see cref="GitSource"/>.</summary>
public sealed record GitSourceOptions
{
    /// <summary>Remote URL (https, ssh) or a local path.</summary>
    public required string Url { get; init; }

    public string Branch { get; init; } = "main";

    /// <summary>Folder that holds the local clone between fetches (created when missing; rebuilt when corrupt).</summary>
    public required string CacheDirectory { get; init; }

    public GitCredentials? Credentials { get; init; }

    /// <summary>Narrows the spec files further to these folders (all spec files when empty), e.g. <c>environments/</c>.
    /// Only spec files (<see cref="RepositoryFiles.IsSpecFile"/>) are ever returned, whatever else the branch holds.</summary>
    public IReadOnlyList<string> IncludePaths { get; init; } = [];
}

/// <summary>
/// Keeps a local clone of one branch: clones once, then fetches. The branch is reset to whatever the remote says,
/// so force-pushes are followed. When the remote cannot be reached the last good commit is returned with the
/// error; when the cache is damaged it is deleted and cloned again. Credentials are read per fetch and never
/// appear in errors.
/// </summary>
public sealed partial class GitSource(GitSourceOptions options) : IGitSource
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private GitCheckout? _lastGood;

    public string DisplayUrl => Redact(options.Url, null);

    public async Task<GitFetchResult> FetchAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            // LibGit2Sharp is synchronous; keep it off the caller's thread.
            return await Task.Run(() => Fetch(ct), ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private GitFetchResult Fetch(CancellationToken ct)
    {
        (string Username, string Password)? credentials;
        try
        {
            credentials = options.Credentials?.Resolve();
        }
        catch (InvalidOperationException e)
        {
            return GitFetchResult.Failure(e.Message, _lastGood ?? TryReadCached());
        }
        var secret = credentials?.Password;
        var fetchOptions = new FetchOptions { Prune = true, TagFetchMode = TagFetchMode.None };
        if (credentials is { } c)
        {
            fetchOptions.CredentialsProvider = (_, _, _) => new UsernamePasswordCredentials { Username = c.Username, Password = c.Password };
        }

        var rebuilt = false;
        for (var attempt = 1; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            if (attempt > 3)
            {
                return GitFetchResult.Failure($"the Git cache in {options.CacheDirectory} could not be prepared for {DisplayUrl}", _lastGood);
            }
            using var repo = OpenCache();
            if (repo is null)
            {
                try
                {
                    Clone(fetchOptions);
                }
                catch (LibGit2SharpException e)
                {
                    DeleteCache();
                    return GitFetchResult.Failure($"cannot clone {DisplayUrl} (branch {options.Branch}): {Redact(e.Message, secret)}", _lastGood);
                }
                continue;
            }
            try
            {
                Commands.Fetch(repo, "origin", [$"+refs/heads/{options.Branch}:refs/remotes/origin/{options.Branch}"], fetchOptions, null);
            }
            catch (LibGit2SharpException) when (!rebuilt && RemoteAnswers(fetchOptions))
            {
                // The remote is fine, so the fetch failed on our side: the cache is damaged. Clone again.
                rebuilt = true;
                repo.Dispose();
                DeleteCache();
                continue;
            }
            catch (LibGit2SharpException e)
            {
                return GitFetchResult.Failure($"cannot fetch {DisplayUrl} (branch {options.Branch}): {Redact(e.Message, secret)}; keeping the last good commit",
                    _lastGood ?? TryRead(repo, repo.Head.Tip));
            }
            try
            {
                var remote = repo.Refs[$"refs/remotes/origin/{options.Branch}"]?.ResolveToDirectReference()?.Target as Commit;
                if (remote is null)
                {
                    return GitFetchResult.Failure($"branch {options.Branch} does not exist in {DisplayUrl}", _lastGood);
                }
                if (_lastGood?.Revision == remote.Sha && repo.Head.Tip?.Sha == remote.Sha && !repo.RetrieveStatus().IsDirty)
                {
                    return GitFetchResult.Success(_lastGood);
                }
                // Hard reset, not merge: after a force-push the remote branch is the truth, whatever happened locally.
                repo.Reset(ResetMode.Hard, remote);
                repo.RemoveUntrackedFiles();
                _lastGood = Read(repo, remote);
                return GitFetchResult.Success(_lastGood);
            }
            catch (LibGit2SharpException) when (!rebuilt)
            {
                rebuilt = true;
                // Objects missing or unreadable: the cache is damaged. Start over from a fresh clone.
                repo.Dispose();
                DeleteCache();
            }
        }
    }

    private void Clone(FetchOptions fetchOptions)
    {
        DeleteCache();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.CacheDirectory))!);
        var cloneOptions = new CloneOptions(fetchOptions) { BranchName = options.Branch, Checkout = true };
        Repository.Clone(options.Url, options.CacheDirectory, cloneOptions);
    }

    /// <summary>The cached clone, or null when there is none or it is unusable (then it is deleted).</summary>
    private Repository? OpenCache()
    {
        if (!Directory.Exists(options.CacheDirectory))
        {
            return null;
        }
        Repository? repo = null;
        try
        {
            repo = new Repository(options.CacheDirectory);
            var origin = repo.Network.Remotes["origin"];
            var headIsBranch = repo.Head.CanonicalName == $"refs/heads/{options.Branch}";
            var refsResolve = repo.Refs.Where(r => r is DirectReference)
                .All(r => repo.ObjectDatabase.Contains(new ObjectId(r.TargetIdentifier)));
            var tipReadable = repo.Head.Tip is { } tip && tip.Tree.Count >= 0;
            if (origin?.Url == options.Url && headIsBranch && refsResolve && tipReadable)
            {
                return repo;
            }
        }
        catch (Exception e) when (e is LibGit2SharpException or IOException)
        {
            // Falls through: an unreadable cache is rebuilt.
        }
        repo?.Dispose();
        DeleteCache();
        return null;
    }

    private bool RemoteAnswers(FetchOptions fetchOptions)
    {
        try
        {
            _ = Repository.ListRemoteReferences(options.Url, fetchOptions.CredentialsProvider).Any();
            return true;
        }
        catch (LibGit2SharpException)
        {
            return false;
        }
    }

    private GitCheckout? TryReadCached()
    {
        try
        {
            using var repo = new Repository(options.CacheDirectory);
            return TryRead(repo, repo.Head.Tip);
        }
        catch (Exception e) when (e is LibGit2SharpException or IOException)
        {
            return null;
        }
    }

    private GitCheckout? TryRead(Repository repo, Commit? commit)
    {
        if (commit is null)
        {
            return null;
        }
        try
        {
            return Read(repo, commit);
        }
        catch (LibGit2SharpException)
        {
            return null;
        }
    }

    private GitCheckout Read(Repository repo, Commit commit)
    {
        var files = new List<GitFile>();
        Collect(commit.Tree, "", files);
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return new GitCheckout(commit.Sha, options.Branch, repo.Info.WorkingDirectory, commit.Committer.When, commit.Message, files);
    }

    private void Collect(Tree tree, string prefix, List<GitFile> into)
    {
        foreach (var entry in tree)
        {
            var path = prefix + entry.Name;
            switch (entry.TargetType)
            {
                case TreeEntryTargetType.Tree when RepositoryFiles.MayHoldSpecFiles(path) && Wanted(path + "/", folder: true):
                    Collect((Tree)entry.Target, path + "/", into);
                    break;
                case TreeEntryTargetType.Blob when RepositoryFiles.IsSpecFile(path) && Wanted(path, folder: false):
                    var blob = (Blob)entry.Target;
                    using (var stream = blob.GetContentStream())
                    using (var buffer = new MemoryStream())
                    {
                        stream.CopyTo(buffer);
                        into.Add(new GitFile(path, buffer.ToArray()));
                    }
                    break;
            }
        }
    }

    private bool Wanted(string path, bool folder) =>
        options.IncludePaths.Count == 0 || options.IncludePaths.Any(p =>
        {
            var include = p.TrimStart('/');
            return path.StartsWith(include, StringComparison.Ordinal) || folder && include.StartsWith(path, StringComparison.Ordinal);
        });

    private void DeleteCache()
    {
        if (!Directory.Exists(options.CacheDirectory))
        {
            return;
        }
        foreach (var file in Directory.EnumerateFiles(options.CacheDirectory, "*", SearchOption.AllDirectories))
        {
            // Git marks pack files read-only; some platforms refuse to delete those.
            File.SetAttributes(file, FileAttributes.Normal);
        }
        Directory.Delete(options.CacheDirectory, recursive: true);
    }

    /// <summary>Removes user info from URLs (<c>https://user:token@host</c>) and any occurrence of the secret.</summary>
    public static string Redact(string text, string? secret)
    {
        var redacted = UserInfo().Replace(text, "$1***@");
        return string.IsNullOrEmpty(secret) ? redacted : redacted.Replace(secret, "***", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")]
    private static partial Regex UserInfo();
}
