using LibGit2Sharp;

namespace GitOps.Testing.Git;

/// <summary>
/// A real Git repository in a temporary folder, for tests that need a remote: commit files, rewrite history
/// (a force-push), delete it (an unreachable remote). Commits use a fixed author and explicit times, and the
/// default branch is set explicitly, so nothing depends on the machine's Git configuration.
/// </summary>
public sealed class FakeGitRepo : IDisposable
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private int _commits;

    private FakeGitRepo(string path, string branch)
    {
        Path = path;
        Branch = branch;
    }

    /// <summary>Folder of the repository; usable as a clone URL.</summary>
    public string Path { get; }

    public string Branch { get; }

    public static FakeGitRepo Create(string branch = "main")
    {
        var path = Directory.CreateTempSubdirectory("gitops-repo-").FullName;
        Repository.Init(path);
        // Point HEAD at the chosen branch before the first commit, whatever init.defaultBranch says.
        File.WriteAllText(System.IO.Path.Combine(path, ".git", "HEAD"), $"ref: refs/heads/{branch}\n");
        return new FakeGitRepo(path, branch);
    }

    /// <summary>Head commit id of the branch, or null before the first commit.</summary>
    public string? Head
    {
        get
        {
            using var repo = new Repository(Path);
            return repo.Branches[Branch]?.Tip?.Sha;
        }
    }

    /// <summary>Writes (or with a null content deletes) files and commits them on the branch; returns the commit id.</summary>
    public string Commit(string message, IReadOnlyDictionary<string, string?> files)
    {
        using var repo = new Repository(Path);
        foreach (var (relative, content) in files)
        {
            var full = System.IO.Path.Combine(Path, relative);
            if (content is null)
            {
                if (File.Exists(full))
                {
                    File.Delete(full);
                }
                Commands.Remove(repo, relative, removeFromWorkingDirectory: true);
                continue;
            }
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            Commands.Stage(repo, relative);
        }
        return CommitStaged(repo, message);
    }

    /// <summary>
    /// Copies every file of the folder tree <paramref name="source"/> (a working tree: build output folders
    /// <c>bin</c>/<c>obj</c> and <c>.git</c> are left out) into the repository, byte for byte, and commits it.
    /// </summary>
    public string CommitTree(string message, string source)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = FileAttributes.ReparsePoint };
        var pending = new Stack<string>([source]);
        while (pending.TryPop(out var folder))
        {
            // A linked worktree has a .git file instead of a folder; neither is part of the tree.
            foreach (var file in Directory.EnumerateFiles(folder, "*", options).Where(f => System.IO.Path.GetFileName(f) != ".git"))
            {
                var target = System.IO.Path.Combine(Path, System.IO.Path.GetRelativePath(source, file));
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
            foreach (var child in Directory.EnumerateDirectories(folder, "*", options))
            {
                if (System.IO.Path.GetFileName(child) is not ("bin" or "obj" or ".git"))
                {
                    pending.Push(child);
                }
            }
        }
        using var repo = new Repository(Path);
        Commands.Stage(repo, "*");
        return CommitStaged(repo, message);
    }

    private string CommitStaged(Repository repo, string message)
    {
        var when = Epoch.AddMinutes(++_commits);
        var signature = new Signature("GitOps Test", "test@gitops.invalid", when);
        return repo.Commit(message, signature, signature, new CommitOptions { AllowEmptyCommit = true }).Sha;
    }

    /// <summary>Commits symbolic links (<paramref name="links"/>: where each is, what it points to, as stored in Git).</summary>
    public string CommitLinks(string message, params (string Path, string Target)[] links)
    {
        using var repo = new Repository(Path);
        foreach (var (relative, target) in links)
        {
            var full = System.IO.Path.Combine(Path, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.CreateSymbolicLink(full, target);
            Commands.Stage(repo, relative);
        }
        return CommitStaged(repo, message);
    }

    public string Commit(string message, string path, string content) =>
        Commit(message, new Dictionary<string, string?> { [path] = content });

    /// <summary>Moves the branch back to <paramref name="commit"/> (and the working tree with it): the next commit
    /// replaces history, as a force-push does.</summary>
    public void ResetTo(string commit)
    {
        using var repo = new Repository(Path);
        repo.Reset(ResetMode.Hard, repo.Lookup<Commit>(commit));
    }

    /// <summary>Removes the repository folder; clones pointing at it can no longer fetch.</summary>
    public void Delete()
    {
        if (Directory.Exists(Path))
        {
            foreach (var file in Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }
            Directory.Delete(Path, recursive: true);
        }
    }

    public void Dispose() => Delete();
}
