using System.Collections.Immutable;
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
    /// Only spec files (<see cref="RepositoryFiles.IsCollected"/>) are ever returned, whatever else the branch holds.</summary>
    public IReadOnlyList<string> IncludePaths { get; init; } = [];

    /// <summary>How long a clone or fetch may go without a byte from the remote before it is abandoned (connect,
    /// each read, and the whole operation when nothing moves). A transfer that keeps moving is never cut short.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Keeps a local clone of one branch: clones once, then fetches. The branch is reset to whatever the remote says,
/// so force-pushes are followed. When the remote cannot be reached the last good commit is returned with the
/// error; when the cache is damaged it is deleted and cloned again. Credentials are read per fetch and never
/// appear in errors. A remote that stops answering fails the fetch after <see cref="GitSourceOptions.Timeout"/>, and
/// a cancelled caller is released at once: a stuck remote can never hold the reconcile loop.
/// </summary>
public sealed partial class GitSource(GitSourceOptions options, TimeProvider? timeProvider = null) : IGitSource
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly GitBlobReader _blobs = new(options.CacheDirectory);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private volatile GitCheckout? _lastGood;
    private long _lastActivityTicks;

    public string DisplayUrl => Redact(options.Url, null);

    public async Task<GitFetchResult> FetchAsync(CancellationToken ct)
    {
        LibGit2Timeouts.TrySet(options.Timeout);
        if (!await _gate.WaitAsync(options.Timeout, ct))
        {
            // The fetch before this one is still inside libgit2 (a remote that never answers, a name that never resolves).
            return GitFetchResult.Failure($"{NoAnswer("fetch")}; the previous fetch is still waiting", _lastGood);
        }
        Task<GitFetchResult> work;
        try
        {
            Touch();
            // LibGit2Sharp is synchronous; keep it off the caller's thread.
            work = Task.Run(() => Fetch(ct), CancellationToken.None);
        }
        catch
        {
            _gate.Release();
            throw;
        }
        // The gate opens when libgit2 returns, not when this caller gives up: two fetches never share the cache.
        _ = work.ContinueWith(_ => _gate.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        // libgit2's own timeouts end a silent connection; this bound covers what they do not (a name that never
        // resolves, a transport without timeouts), counted from the last sign of life of the transfer.
        var bound = options.Timeout + options.Timeout / 2;
        while (true)
        {
            var left = bound - (_time.GetUtcNow() - LastActivity);
            if (left <= TimeSpan.Zero)
            {
                return GitFetchResult.Failure(NoAnswer(_lastGood is null ? "clone" : "fetch"), _lastGood);
            }
            try
            {
                return await work.WaitAsync(left, _time, ct);
            }
            catch (TimeoutException)
            {
                // Measured again from the last activity: a transfer that is still moving is not cut short.
            }
        }
    }

    private DateTimeOffset LastActivity => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);

    private void Touch() => Interlocked.Exchange(ref _lastActivityTicks, _time.GetUtcNow().UtcTicks);

    /// <summary>libgit2 calls these while data moves; returning false cancels the transfer.</summary>
    private bool Progress(CancellationToken ct)
    {
        Touch();
        return !ct.IsCancellationRequested;
    }

    private string NoAnswer(string operation) =>
        $"cannot {operation} {DisplayUrl} (branch {options.Branch}): no answer within {Durations.Format(options.Timeout)} (--git-timeout); "
        + "check that the remote is reachable from here";

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
        var fetchOptions = new FetchOptions
        {
            Prune = true,
            TagFetchMode = TagFetchMode.None,
            OnTransferProgress = _ => Progress(ct),
            OnProgress = _ => Progress(ct),
            OnUpdateTips = (_, _, _) => Progress(ct),
        };
        if (credentials is { } c)
        {
            fetchOptions.CredentialsProvider = (_, _, _) => new UsernamePasswordCredentials { Username = c.Username, Password = c.Password };
        }

        var rebuilt = false;
        var interruptions = 0;
        for (var attempt = 1; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            if (attempt - interruptions > 3)
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
                catch (LibGit2SharpException e) when (Interrupted(e) && interruptions < MaxInterruptions && !ct.IsCancellationRequested)
                {
                    interruptions++;
                    DeleteCache();
                    continue;
                }
                catch (LibGit2SharpException e)
                {
                    DeleteCache();
                    ct.ThrowIfCancellationRequested();
                    return GitFetchResult.Failure(TimedOut(e) ? NoAnswer("clone") : $"cannot clone {DisplayUrl} (branch {options.Branch}): {Cause(e, secret)}", _lastGood);
                }
                continue;
            }
            try
            {
                Commands.Fetch(repo, "origin", [$"+refs/heads/{options.Branch}:refs/remotes/origin/{options.Branch}"], fetchOptions, null);
            }
            catch (LibGit2SharpException e) when (Interrupted(e) && interruptions < MaxInterruptions && !ct.IsCancellationRequested)
            {
                interruptions++;
                continue;
            }
            catch (LibGit2SharpException e) when (!rebuilt && !ct.IsCancellationRequested && !TimedOut(e) && RemoteAnswers(fetchOptions))
            {
                // The remote is fine, so the fetch failed on our side: the cache is damaged. Clone again.
                rebuilt = true;
                repo.Dispose();
                DeleteCache();
                continue;
            }
            catch (LibGit2SharpException e)
            {
                ct.ThrowIfCancellationRequested();
                return GitFetchResult.Failure($"{(TimedOut(e) ? NoAnswer("fetch") : $"cannot fetch {DisplayUrl} (branch {options.Branch}): {Cause(e, secret)}")}; keeping the last good commit",
                    _lastGood ?? TryRead(repo, repo.Head.Tip));
            }
            try
            {
                var remote = repo.Refs[$"refs/remotes/origin/{options.Branch}"]?.ResolveToDirectReference()?.Target as Commit;
                if (remote is null)
                {
                    return GitFetchResult.Failure($"branch {options.Branch} does not exist in {DisplayUrl}", _lastGood);
                }
                if (_lastGood?.Revision == remote.Sha && repo.Head.Tip?.Sha == remote.Sha)
                {
                    return GitFetchResult.Success(_lastGood);
                }
                // The local branch is set to the remote's commit, not merged: after a force-push the remote branch is the
                // truth. It is the commit read after a restart when the remote cannot be reached. No working tree is
                // written: every file is read from the object database (at 8,000 models, checking one out cost a pass
                // about 8 MiB of memory and the disk a second copy of the repository).
                repo.Refs.Add($"refs/heads/{options.Branch}", remote.Id, "gitops: follow the remote branch", allowOverwrite: true);
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

    /// <summary>How many times one fetch starts again after a signal interrupted libgit2's socket wait.</summary>
    private const int MaxInterruptions = 5;

    /// <summary>
    /// A signal reached the thread while libgit2 waited on the socket (a child process exiting: the reconciler starts
    /// trainers and servers under <c>gitops up</c>), and libgit2 reported the interrupted wait ("error receiving data
    /// from socket: Interrupted system call") instead of waiting again. Nothing is wrong with the remote: the clone or
    /// fetch starts again, still bounded by the timeout counted from the transfer's last sign of life.
    /// </summary>
    private static bool Interrupted(LibGit2SharpException e) =>
        e.Message.Contains("Interrupted system call", StringComparison.OrdinalIgnoreCase);

    /// <summary>libgit2 gave up waiting for the remote (its socket timeouts), or the transfer stalled past the timeout.</summary>
    private bool TimedOut(LibGit2SharpException e) =>
        e.Message.Contains("timed out", StringComparison.OrdinalIgnoreCase)
        || _time.GetUtcNow() - LastActivity >= options.Timeout;

    /// <summary>What went wrong, in the user's terms where libgit2's words mislead: a local path that does not exist
    /// is reported by libgit2 as "unsupported URL protocol".</summary>
    private string Cause(LibGit2SharpException e, string? secret)
    {
        if (LocalPath(options.Url) is { } path && !Directory.Exists(path))
        {
            return $"the local repository {path} does not exist (check --repo, or give an https:// or ssh:// URL)";
        }
        return Redact(e.Message, secret);
    }

    /// <summary>The folder a local URL names (a plain path or <c>file://</c>), or null for a remote URL.</summary>
    private static string? LocalPath(string url)
    {
        if (url.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return url["file://".Length..];
        }
        if (url.Contains("://", StringComparison.Ordinal))
        {
            return null;
        }
        // scp-like ssh (git@host:org/repo.git) has a colon before any slash; a path does not.
        var colon = url.IndexOf(':', StringComparison.Ordinal);
        var slash = url.IndexOf('/', StringComparison.Ordinal);
        return colon > 0 && (slash < 0 || colon < slash) && !Path.IsPathRooted(url) ? null : url;
    }

    private void Clone(FetchOptions fetchOptions)
    {
        DeleteCache();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.CacheDirectory))!);
        var cloneOptions = new CloneOptions(fetchOptions) { BranchName = options.Branch, Checkout = false };
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
        Collect(commit, commit.Tree, "", "", [], files);
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return new GitCheckout(commit.Sha, options.Branch, commit.Committer.When, commit.Message, files);
    }

    /// <param name="prefix">Where the tree's entries are in the repository as read: under a link, the link's path.</param>
    /// <param name="realPrefix">Where they are in the commit, which links inside it are relative to.</param>
    /// <param name="folders">The real folders the tree is inside of by links followed: a link to one of them is a loop.</param>
    private void Collect(Commit commit, Tree tree, string prefix, string realPrefix, ImmutableStack<string> folders, List<GitFile> into)
    {
        foreach (var entry in tree)
        {
            var path = prefix + entry.Name;
            var target = entry;
            var realPath = realPrefix + entry.Name;
            if (entry.Mode == Mode.SymbolicLink)
            {
                if (!RepositoryFiles.MayHoldSpecFiles(path) || !Wanted(path, folder: true))
                {
                    continue;
                }
                var link = Text((Blob)entry.Target);
                var (resolved, resolvedPath, why) = Follow(commit, realPath, link);
                if (resolved?.TargetType == TreeEntryTargetType.Tree && why is null
                    && (folders.Contains(resolvedPath) || realPath.StartsWith(resolvedPath + "/", StringComparison.Ordinal)))
                {
                    why = SymbolicLinks.Ancestor(link);
                }
                if (why is not null)
                {
                    if (SymbolicLinks.Reported(path, resolved?.TargetType == TreeEntryTargetType.Tree, resolved is not null))
                    {
                        into.Add(new GitFile(path, ReadOnlyMemory<byte>.Empty) { Unreadable = why });
                    }
                    continue;
                }
                (target, realPath) = (resolved!, resolvedPath!);
            }
            switch (target.TargetType)
            {
                case TreeEntryTargetType.Tree when RepositoryFiles.MayHoldSpecFiles(path) && Wanted(path + "/", folder: true):
                    Collect(commit, (Tree)target.Target, path + "/", realPath + "/", ReferenceEquals(target, entry) ? folders : folders.Push(realPath), into);
                    break;
                case TreeEntryTargetType.Blob when RepositoryFiles.IsCollected(path) && Wanted(path, folder: false):
                    var blob = (Blob)target.Target;
                    if (!RepositoryFiles.IsSpecFile(path) && blob.Size > MisnamedSpecs.LargestLooked)
                    {
                        // A large JSON file beside the specs (a dataset, a feature list) is data, not a misnamed spec:
                        // it is not read into memory on every pass.
                        break;
                    }
                    // Read when the pass loads it (GitBlobReader), not held by the checkout.
                    var (sha, id) = (commit.Sha, blob.Id);
                    into.Add(new GitFile(path, () => _blobs.Read(sha, path, id)));
                    break;
            }
        }
    }

    /// <summary>Follows a link of the commit (and the links it leads to or passes through) to what it names inside the
    /// commit (<see cref="SymbolicLinks.Follow"/>); the reason it cannot be followed otherwise.</summary>
    private static (TreeEntry? Target, string? Path, string? Why) Follow(Commit commit, string linkPath, string link)
    {
        var (path, why) = SymbolicLinks.Follow(linkPath, link,
            p => commit[p] is { } entry ? (true, entry.Mode == Mode.SymbolicLink ? Text((Blob)entry.Target) : null) : (false, null));
        return path is null ? (null, null, why) : (commit[path], path, null);
    }

    private static string Text(Blob blob) => blob.GetContentText();

    private bool Wanted(string path, bool folder) =>
        options.IncludePaths.Count == 0 || options.IncludePaths.Any(p =>
        {
            var include = p.TrimStart('/');
            return path.StartsWith(include, StringComparison.Ordinal) || folder && include.StartsWith(path, StringComparison.Ordinal);
        });

    private void DeleteCache()
    {
        _blobs.Close();
        if (File.Exists(options.CacheDirectory))
        {
            // A regular file where the clone belongs: clone refuses it, so it goes.
            File.Delete(options.CacheDirectory);
            return;
        }
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
