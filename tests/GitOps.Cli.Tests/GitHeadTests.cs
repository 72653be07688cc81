using System.Diagnostics;
using GitOps.Cli.Commands;
using GitOps.Testing.Git;
using LibGit2Sharp;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class GitHeadTests
{
    public sealed class TheReadMethod
    {
        private static void Git(string workingDirectory, params string[] args)
        {
            var start = new ProcessStartInfo("git") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        }

        [Fact]
        public void Should_Return_The_Head_Commit_When_Given_A_Folder_Inside_The_Checkout()
        {
            // Given
            using var repo = FakeGitRepo.Create();
            var commit = repo.Commit("first", "models/fraud/model.yaml", "kind: Model\n");

            // When
            var head = GitHead.Read(Path.Combine(repo.Path, "models"));

            // Then
            Assert.Equal(commit, head);
            Assert.Equal((true, commit), GitHead.FromFiles(Path.Combine(repo.Path, "models")));
        }

        [Fact]
        public void Should_Resolve_A_Packed_Ref_When_The_Loose_Ref_Is_Gone()
        {
            // Given a branch whose ref lives only in packed-refs (as after 'git gc')
            using var repo = FakeGitRepo.Create();
            var commit = repo.Commit("first", "README.md", "hello\n");
            var gitDir = Path.Combine(repo.Path, ".git");
            File.Delete(Path.Combine(gitDir, "refs", "heads", repo.Branch));
            File.WriteAllText(Path.Combine(gitDir, "packed-refs"), $"# pack-refs with: peeled fully-peeled sorted \n{commit} refs/heads/{repo.Branch}\n");

            // When
            var head = GitHead.Read(repo.Path);

            // Then
            Assert.Equal(commit, head);
            Assert.Equal((true, commit), GitHead.FromFiles(repo.Path));
        }

        [Fact]
        public void Should_Return_The_Worktree_Head_When_Given_A_Linked_Worktree()
        {
            // Given a linked worktree (its .git is a file) on a second branch one commit ahead
            using var repo = FakeGitRepo.Create();
            var first = repo.Commit("first", "README.md", "hello\n");
            var worktreePath = Path.Combine(Path.GetTempPath(), "gitops-worktree-" + Guid.NewGuid().ToString("N"));
            try
            {
                using (var git = new Repository(repo.Path))
                {
                    git.CreateBranch("feature");
                }
                Git(repo.Path, "worktree", "add", worktreePath, "feature");
                repo.Commit("second", "README.md", "hello again\n");

                // When
                var head = GitHead.Read(worktreePath);

                // Then
                Assert.True(File.Exists(Path.Combine(worktreePath, ".git")));
                Assert.Equal(first, head);
                Assert.NotEqual(repo.Head, head);
                Assert.Equal((true, first), GitHead.FromFiles(worktreePath));
            }
            finally
            {
                if (Directory.Exists(worktreePath))
                {
                    Directory.Delete(worktreePath, recursive: true);
                }
            }
        }

        [Fact]
        public void Should_Return_Null_When_The_Folder_Is_Not_In_A_Repository()
        {
            // Given
            var folder = Directory.CreateTempSubdirectory("gitops-not-a-repo-");
            try
            {
                // When
                var head = GitHead.Read(folder.FullName);

                // Then
                Assert.Null(head);
                Assert.False(GitHead.FromFiles(folder.FullName).Known);
            }
            finally
            {
                folder.Delete(recursive: true);
            }
        }

        [Fact]
        public void Should_Return_The_Commit_When_Head_Is_Detached()
        {
            // Given HEAD holding a commit id instead of a branch
            using var repo = FakeGitRepo.Create();
            var first = repo.Commit("first", "README.md", "hello\n");
            repo.Commit("second", "README.md", "hello again\n");
            File.WriteAllText(Path.Combine(repo.Path, ".git", "HEAD"), first.ToUpperInvariant() + "\n");

            // When
            var head = GitHead.Read(repo.Path);

            // Then
            Assert.Equal(first, head);
            Assert.Equal((true, first), GitHead.FromFiles(repo.Path));
        }

        [Fact]
        public void Should_Return_Null_When_The_Branch_Has_No_Commit_Yet()
        {
            // Given a repository just initialised
            var folder = Directory.CreateTempSubdirectory("gitops-unborn-");
            try
            {
                Git(folder.FullName, "init", "--quiet");

                // When
                var head = GitHead.Read(folder.FullName);

                // Then
                Assert.Null(head);
                Assert.Equal((true, (string?)null), GitHead.FromFiles(folder.FullName));
            }
            finally
            {
                folder.Delete(recursive: true);
            }
        }

        [Fact]
        public void Should_Leave_The_Answer_To_LibGit2_When_The_Git_File_Does_Not_Name_A_Folder()
        {
            // Given a .git file that is not "gitdir: PATH"
            var folder = Directory.CreateTempSubdirectory("gitops-odd-git-file-");
            try
            {
                File.WriteAllText(Path.Combine(folder.FullName, ".git"), "not a gitdir line\n");

                // When
                var files = GitHead.FromFiles(folder.FullName);
                var head = GitHead.Read(folder.FullName);

                // Then
                Assert.False(files.Known);
                Assert.Null(head);
            }
            finally
            {
                folder.Delete(recursive: true);
            }
        }
    }
}
