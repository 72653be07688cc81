using GitOps.Reconciler.Git;
using GitOps.Testing.Git;

namespace GitOps.Reconciler.Tests.Git;

public sealed class GitSourceTests
{
    /// <summary>A remote repository plus a cache folder for the clone; both deleted at the end.</summary>
    private sealed class Workspace : IDisposable
    {
        public FakeGitRepo Remote { get; } = FakeGitRepo.Create();

        public string Cache { get; } = Path.Combine(Directory.CreateTempSubdirectory("gitops-cache-").FullName, "clone");

        public GitSource Source(GitCredentials? credentials = null, IReadOnlyList<string>? include = null, string? branch = null) => new(new GitSourceOptions
        {
            Url = Remote.Path,
            Branch = branch ?? Remote.Branch,
            CacheDirectory = Cache,
            Credentials = credentials,
            IncludePaths = include ?? [],
        });

        public void Dispose()
        {
            Remote.Dispose();
            var parent = Path.GetDirectoryName(Cache)!;
            if (Directory.Exists(parent))
            {
                foreach (var file in Directory.EnumerateFiles(parent, "*", SearchOption.AllDirectories))
                {
                    File.SetAttributes(file, FileAttributes.Normal);
                }
                Directory.Delete(parent, recursive: true);
            }
        }
    }

    private static Dictionary<string, string?> Files(params (string Path, string? Content)[] files) =>
        files.ToDictionary(f => f.Path, f => f.Content);

    public sealed class TheFetchAsyncMethod
    {
        [Fact]
        public async Task Should_Clone_The_Branch_And_Return_Its_Head_With_Its_Spec_Files()
        {
            // Given
            using var ws = new Workspace();
            var head = ws.Remote.Commit("initial", Files(("models/fraud/model.yaml", "kind: Model\n"), ("README.md", "hello"),
                ("policies/README.md", "# Policies"), (".github/workflows/ci.yml", "on: push"), ("docs/schemas/model.json", "{}"),
                ("tests/GitOps.Specs.Tests/testdata/valid/models/x/model.yaml", "kind: Model"), ("models/fraud/train.py", "print()")));

            // When
            var result = await ws.Source().FetchAsync(CancellationToken.None);

            // Then
            Assert.True(result.Succeeded, result.Error);
            var checkout = result.Checkout!;
            Assert.Equal(head, checkout.Revision);
            Assert.Equal(["models/fraud/model.yaml"], checkout.Files.Select(f => f.Path));
            Assert.Equal("kind: Model\n", checkout.Files[0].Text);
            Assert.Equal("initial", checkout.Message.Trim());
            // The files are read from Git's object database: no working tree is written beside it.
            Assert.False(File.Exists(Path.Combine(ws.Cache, "models", "fraud", "model.yaml")));
            Assert.False(File.Exists(Path.Combine(ws.Cache, "README.md")));
        }

        [Fact]
        public async Task Should_Collect_The_Same_Files_As_The_Disk_Reader_Whatever_The_Case_Of_The_Extension()
        {
            // Given specs named .YAML and .Yml, a spec written as .json, and the files that live beside specs (code, prose,
            // a JSON data file over 1 MiB, which is never looked into)
            using var ws = new Workspace();
            ws.Remote.Commit("initial", Files(("models/fraud/model.YAML", "kind: Model\n"), ("policies/gate.Yml", "kind: QualityGate\n"),
                ("models/ticket/model.json", "{\"apiVersion\": \"ml.gitops/v1alpha1\", \"kind\": \"Model\"}"), ("models/fraud/README.md", "# fraud"),
                ("models/fraud/train.py", "print()"),
                ("models/fraud/features.json", "{\"apiVersion\": 1, \"kind\": 2, \"rows\": \"" + new string('x', 1024 * 1024) + "\"}")));

            // When
            var result = await ws.Source().FetchAsync(CancellationToken.None);

            // Then the YAML files and the JSON file are returned, as the commit's files are read from disk
            Assert.True(result.Succeeded, result.Error);
            var paths = result.Checkout!.Files.Select(f => f.Path).ToList();
            Assert.Equal(["models/fraud/model.YAML", "models/ticket/model.json", "policies/gate.Yml"], paths);
            Assert.Equal(GitOps.Specs.SpecFileReader.Read(ws.Remote.Path).Select(f => f.Path), paths);
        }

        [Fact]
        public async Task Should_Follow_Links_Inside_The_Commit_And_Return_The_Others_As_Not_Read()
        {
            // Given a commit whose specs are partly links: to a shared file, to a shared folder, and some that lead nowhere
            using var ws = new Workspace();
            ws.Remote.Commit("specs", Files(("shared/fraud.yaml", "kind: Model\n"), ("shared/gates/gate.yaml", "kind: QualityGate\n"),
                ("README.md", "hello")));
            ws.Remote.CommitLinks("links",
                ("models/fraud/model.yaml", "../../shared/fraud.yaml"),
                ("policies/gates", "../shared/gates"),
                ("models/away/model.yaml", "/etc/model.yaml"),
                ("models/up/model.yaml", "../../../model.yaml"),
                ("models/gone.yaml", "nowhere.yaml"),
                ("models/fraud/again", ".."),
                ("policies/a.yaml", "b.yaml"),
                ("policies/b.yaml", "a.yaml"),
                ("models/fraud/notes.md", "../../README.md"));

            // When
            var result = await ws.Source().FetchAsync(CancellationToken.None);

            // Then
            Assert.True(result.Succeeded, result.Error);
            var files = result.Checkout!.Files.ToDictionary(f => f.Path);
            Assert.Equal(["models/away/model.yaml", "models/fraud/again", "models/fraud/model.yaml", "models/gone.yaml", "models/up/model.yaml",
                "policies/a.yaml", "policies/b.yaml", "policies/gates/gate.yaml"], files.Keys);
            Assert.Equal("kind: Model\n", files["models/fraud/model.yaml"].Text);
            Assert.Equal("kind: QualityGate\n", files["policies/gates/gate.yaml"].Text);
            Assert.Null(files["models/fraud/model.yaml"].Unreadable);
            Assert.Equal(GitOps.Specs.SymbolicLinks.Absolute("/etc/model.yaml"), files["models/away/model.yaml"].Unreadable);
            Assert.Equal(GitOps.Specs.SymbolicLinks.Outside("../../../model.yaml"), files["models/up/model.yaml"].Unreadable);
            Assert.Equal(GitOps.Specs.SymbolicLinks.Missing("nowhere.yaml"), files["models/gone.yaml"].Unreadable);
            Assert.Equal(GitOps.Specs.SymbolicLinks.Ancestor(".."), files["models/fraud/again"].Unreadable);
            Assert.Equal(GitOps.Specs.SymbolicLinks.Loop("b.yaml"), files["policies/a.yaml"].Unreadable);
        }

        [Fact]
        public async Task Should_Follow_A_Link_Whose_Target_Passes_Through_A_Linked_Folder()
        {
            // Given links whose targets name a file and a folder through another link, to a folder inside the commit
            using var ws = new Workspace();
            ws.Remote.Commit("specs", Files(("shared/fraud.yaml", "kind: Model\n"), ("shared/gates/gate.yaml", "kind: QualityGate\n")));
            ws.Remote.CommitLinks("links",
                ("shared-link", "shared"),
                ("models/fraud/model.yaml", "../../shared-link/fraud.yaml"),
                ("policies/gates", "../shared-link/gates"),
                ("gates-link", "shared/gates"),
                ("models/up/model.yaml", "../../gates-link/../fraud.yaml"));

            // When
            var result = await ws.Source().FetchAsync(CancellationToken.None);

            // Then all are read, as on disk, and '..' after a linked folder is taken from where it led
            Assert.True(result.Succeeded, result.Error);
            var files = result.Checkout!.Files.ToDictionary(f => f.Path);
            Assert.Equal(["models/fraud/model.yaml", "models/up/model.yaml", "policies/gates/gate.yaml"], files.Keys);
            Assert.All(files.Values, f => Assert.Null(f.Unreadable));
            Assert.Equal("kind: Model\n", files["models/up/model.yaml"].Text);
            Assert.Equal("kind: Model\n", files["models/fraud/model.yaml"].Text);
            Assert.Equal("kind: QualityGate\n", files["policies/gates/gate.yaml"].Text);
            Assert.Equal(GitOps.Specs.SpecFileReader.Read(ws.Remote.Path).Select(f => (f.Path, f.Unreadable)),
                result.Checkout.Files.Select(f => (f.Path, f.Unreadable)));
        }

        [Fact]
        public async Task Should_Follow_New_Commits_Including_Deleted_Files()
        {
            // Given
            using var ws = new Workspace();
            ws.Remote.Commit("initial", Files(("models/a.yaml", "a: 1\n"), ("models/b.yaml", "b: 1\n")));
            var source = ws.Source();
            await source.FetchAsync(CancellationToken.None);
            var second = ws.Remote.Commit("change", Files(("models/a.yaml", "a: 2\n"), ("models/b.yaml", null)));

            // When
            var result = await source.FetchAsync(CancellationToken.None);

            // Then
            Assert.Equal(second, result.Checkout!.Revision);
            var file = Assert.Single(result.Checkout.Files);
            Assert.Equal(("models/a.yaml", "a: 2\n"), (file.Path, file.Text));
        }

        [Fact]
        public async Task Should_Reuse_The_Checkout_When_The_Branch_Did_Not_Move()
        {
            // Given
            using var ws = new Workspace();
            ws.Remote.Commit("initial", "models/a.yaml", "a: 1\n");
            var source = ws.Source();
            var first = await source.FetchAsync(CancellationToken.None);

            // When
            var second = await source.FetchAsync(CancellationToken.None);

            // Then
            Assert.True(second.Succeeded, second.Error);
            Assert.Same(first.Checkout, second.Checkout);
        }

        [Fact]
        public async Task Should_Follow_A_Force_Push_To_A_Rewritten_History()
        {
            // Given
            using var ws = new Workspace();
            var first = ws.Remote.Commit("initial", "models/a.yaml", "a: 1\n");
            ws.Remote.Commit("to be rewritten", "models/b.yaml", "b: 1\n");
            var source = ws.Source();
            await source.FetchAsync(CancellationToken.None);
            ws.Remote.ResetTo(first);
            var rewritten = ws.Remote.Commit("rewritten", "models/c.yaml", "c: 1\n");

            // When
            var result = await source.FetchAsync(CancellationToken.None);

            // Then
            Assert.True(result.Succeeded, result.Error);
            Assert.Equal(rewritten, result.Checkout!.Revision);
            Assert.Equal(["models/a.yaml", "models/c.yaml"], result.Checkout.Files.Select(f => f.Path));
        }

        [Fact]
        public async Task Should_Keep_The_Last_Good_Commit_When_The_Remote_Is_Unreachable()
        {
            // Given a second commit fetched after the clone, then the remote gone
            using var ws = new Workspace();
            ws.Remote.Commit("initial", "models/a.yaml", "a: 1\n");
            var before = ws.Source();
            await before.FetchAsync(CancellationToken.None);
            var good = ws.Remote.Commit("second", "models/a.yaml", "a: 2\n");
            await before.FetchAsync(CancellationToken.None);
            ws.Remote.Delete();

            // When: a fresh source (a restarted reconciler) over the same cache
            var result = await ws.Source().FetchAsync(CancellationToken.None);

            // Then
            Assert.False(result.Succeeded);
            Assert.Contains("cannot fetch", result.Error);
            Assert.Contains($"the local repository {ws.Remote.Path} does not exist", result.Error);
            Assert.DoesNotContain("unsupported URL protocol", result.Error);
            Assert.Contains("keeping the last good commit", result.Error);
            Assert.Equal(good, result.Checkout!.Revision);
            Assert.Equal("a: 2\n", Assert.Single(result.Checkout.Files).Text);
        }

        [Fact]
        public async Task Should_Fail_With_One_Line_Naming_The_Remote_And_The_Timeout_When_The_Remote_Never_Answers()
        {
            // Given a remote that accepts the connection and never answers
            using var remote = new SilentGitRemote();
            using var ws = new Workspace();
            var source = new GitSource(new GitSourceOptions { Url = remote.Url, CacheDirectory = ws.Cache, Timeout = TimeSpan.FromSeconds(1) });

            // When (the deadline only keeps a regression from hanging the test run)
            var result = await source.FetchAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

            // Then
            Assert.True(remote.Accepted >= 1);
            Assert.False(result.Succeeded);
            Assert.Null(result.Checkout);
            Assert.Contains(remote.Url, result.Error);
            // (the whole error is the message, so a failure shows what libgit2 said)
            Assert.True(result.Error!.Contains("no answer within 1s (--git-timeout)", StringComparison.Ordinal), result.Error);
            Assert.DoesNotContain('\n', result.Error!);
        }

        [Fact]
        public async Task Should_Release_The_Caller_When_Cancelled_While_The_Remote_Never_Answers()
        {
            // Given a fetch waiting on a silent remote with a long timeout
            using var ws = new Workspace();
            var remote = new SilentGitRemote();
            var source = new GitSource(new GitSourceOptions { Url = remote.Url, CacheDirectory = ws.Cache, Timeout = TimeSpan.FromMinutes(10) });
            using var cancel = new CancellationTokenSource();
            var fetch = source.FetchAsync(cancel.Token);
            await Eventually.TrueAsync(() => remote.Accepted >= 1);

            // When
            await cancel.CancelAsync();

            // Then the caller is released long before the timeout
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetch.WaitAsync(TimeSpan.FromSeconds(60)));

            // And once the remote goes away the abandoned fetch ends, and the next one runs and answers
            remote.Dispose();
            var next = await source.FetchAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.False(next.Succeeded);
            Assert.Contains(remote.Url, next.Error);
        }

        [Fact]
        public async Task Should_Report_A_Clone_Failure_Without_Leaking_Credentials()
        {
            // Given
            var cache = Path.Combine(Directory.CreateTempSubdirectory("gitops-cache-").FullName, "clone");
            var variable = "GITOPS_TEST_GIT_TOKEN_" + Guid.NewGuid().ToString("N");
            Environment.SetEnvironmentVariable(variable, "tok-9f8e7d");
            try
            {
                var source = new GitSource(new GitSourceOptions
                {
                    Url = "http://deploy:url-s3cret@127.0.0.1:1/ml/platform.git",
                    CacheDirectory = cache,
                    Credentials = new GitCredentials { PasswordEnvironmentVariable = variable },
                });

                // When
                var result = await source.FetchAsync(CancellationToken.None);

                // Then
                Assert.False(result.Succeeded);
                Assert.Null(result.Checkout);
                Assert.Contains("cannot clone http://***@127.0.0.1:1/ml/platform.git", result.Error);
                Assert.DoesNotContain("url-s3cret", result.Error);
                Assert.DoesNotContain("tok-9f8e7d", result.Error);
            }
            finally
            {
                Environment.SetEnvironmentVariable(variable, null);
                Directory.Delete(Path.GetDirectoryName(cache)!, recursive: true);
            }
        }

        [Theory]
        [InlineData("objects-deleted")]
        [InlineData("head-garbage")]
        [InlineData("not-a-repository")]
        [InlineData("replaced-by-a-file")]
        public async Task Should_Clone_Again_When_The_Cache_Is_Corrupt(string damage)
        {
            // Given
            using var ws = new Workspace();
            ws.Remote.Commit("initial", "models/a.yaml", "a: 1\n");
            await ws.Source().FetchAsync(CancellationToken.None);
            var head = ws.Remote.Commit("second", "models/a.yaml", "a: 2\n");
            var gitDir = Path.Combine(ws.Cache, ".git");
            switch (damage)
            {
                case "objects-deleted":
                    foreach (var dir in Directory.GetDirectories(Path.Combine(gitDir, "objects")))
                    {
                        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
                        {
                            File.SetAttributes(file, FileAttributes.Normal);
                        }
                        Directory.Delete(dir, recursive: true);
                    }
                    break;
                case "head-garbage":
                    File.WriteAllText(Path.Combine(gitDir, "HEAD"), "\0\0garbage");
                    break;
                case "replaced-by-a-file":
                    foreach (var file in Directory.EnumerateFiles(ws.Cache, "*", SearchOption.AllDirectories))
                    {
                        File.SetAttributes(file, FileAttributes.Normal);
                    }
                    Directory.Delete(ws.Cache, recursive: true);
                    File.WriteAllText(ws.Cache, "not a folder");
                    break;
                default:
                    foreach (var file in Directory.EnumerateFiles(gitDir, "*", SearchOption.AllDirectories))
                    {
                        File.SetAttributes(file, FileAttributes.Normal);
                    }
                    Directory.Delete(gitDir, recursive: true);
                    break;
            }

            // When
            var result = await ws.Source().FetchAsync(CancellationToken.None);

            // Then
            Assert.True(result.Succeeded, result.Error);
            Assert.Equal(head, result.Checkout!.Revision);
            Assert.Equal("a: 2\n", Assert.Single(result.Checkout.Files).Text);
        }

        [Fact]
        public async Task Should_Return_Only_Spec_Files_Under_The_Included_Folders()
        {
            // Given
            using var ws = new Workspace();
            ws.Remote.Commit("initial", Files(
                ("environments/prod/environment.yaml", "e"), ("models/fraud/model.yaml", "m"), ("docs/readme.md", "d"), ("modelsx.yaml", "x"), ("policies/org/org.yaml", "p")));

            // When
            var result = await ws.Source(include: ["environments/", "models/"]).FetchAsync(CancellationToken.None);

            // Then
            Assert.Equal(["environments/prod/environment.yaml", "models/fraud/model.yaml"], result.Checkout!.Files.Select(f => f.Path));
        }

        [Fact]
        public async Task Should_Name_A_Local_Repository_Path_That_Does_Not_Exist()
        {
            // Given
            var cache = Path.Combine(Directory.CreateTempSubdirectory("gitops-cache-").FullName, "clone");
            var missing = Path.Combine(Path.GetTempPath(), "gitops-no-such-repo-" + Guid.NewGuid().ToString("N"));
            try
            {
                // When
                var result = await new GitSource(new GitSourceOptions { Url = missing, CacheDirectory = cache }).FetchAsync(CancellationToken.None);

                // Then
                Assert.False(result.Succeeded);
                Assert.Equal($"cannot clone {missing} (branch main): the local repository {missing} does not exist "
                    + "(check --repo, or give an https:// or ssh:// URL)", result.Error);
            }
            finally
            {
                Directory.Delete(Path.GetDirectoryName(cache)!, recursive: true);
            }
        }

        [Fact]
        public async Task Should_Report_A_Branch_That_Does_Not_Exist()
        {
            // Given
            using var ws = new Workspace();
            ws.Remote.Commit("initial", "models/a.yaml", "a: 1\n");

            // When
            var result = await ws.Source(branch: "release").FetchAsync(CancellationToken.None);

            // Then
            Assert.False(result.Succeeded);
            Assert.Contains("release", result.Error);
            Assert.Null(result.Checkout);
        }

        [Fact]
        public async Task Should_Name_A_Missing_Credential_Source_Without_Failing_Hard()
        {
            // Given
            using var ws = new Workspace();
            ws.Remote.Commit("initial", "models/a.yaml", "a: 1\n");
            var variable = "GITOPS_TEST_UNSET_" + Guid.NewGuid().ToString("N");

            // When
            var result = await ws.Source(new GitCredentials { PasswordEnvironmentVariable = variable }).FetchAsync(CancellationToken.None);

            // Then
            Assert.False(result.Succeeded);
            Assert.Contains(variable, result.Error);
        }
    }

    public sealed class TheFilesOfACheckout
    {
        [Fact]
        public async Task Should_Read_Each_File_From_Its_Commit_After_The_Branch_Moved_On()
        {
            // Given a checkout of the first commit, then a fetch of a second that changes the file
            using var ws = new Workspace();
            ws.Remote.Commit("first", Files(("models/fraud/model.yaml", "version: 1\n")));
            var source = ws.Source();
            var first = (await source.FetchAsync(CancellationToken.None)).Checkout!;
            ws.Remote.Commit("second", Files(("models/fraud/model.yaml", "version: 2\n")));
            var second = (await source.FetchAsync(CancellationToken.None)).Checkout!;

            // When
            var file = Assert.Single(first.Files);

            // Then the content is not held by the checkout, and is the first commit's
            Assert.True(file.IsDeferred);
            Assert.Equal("version: 1\n", file.Text);
            Assert.Equal("version: 2\n", Assert.Single(second.Files).Text);
        }

        [Fact]
        public async Task Should_Say_Which_File_Of_Which_Commit_Cannot_Be_Read_When_The_Cache_Is_Gone()
        {
            // Given a checkout whose cache was deleted under it
            using var ws = new Workspace();
            var head = ws.Remote.Commit("first", Files(("models/fraud/model.yaml", "version: 1\n")));
            var checkout = (await ws.Source().FetchAsync(CancellationToken.None)).Checkout!;
            foreach (var file in Directory.EnumerateFiles(ws.Cache, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }
            Directory.Delete(ws.Cache, recursive: true);

            // When
            var error = Assert.Throws<GitReadException>(() => checkout.Files[0].Text);

            // Then
            Assert.Contains($"cannot read models/fraud/model.yaml of commit {head[..12]} from the Git cache", error.Message);
            Assert.EndsWith("the next pass fetches the branch again", error.Message);
        }
    }

    public sealed class TheGitCredentialsResolveMethod
    {
        [Fact]
        public void Should_Read_A_Token_From_A_Mounted_File_With_The_Token_User()
        {
            // Given
            var file = Path.GetTempFileName();
            File.WriteAllText(file, "ghp_exampletoken\n");
            try
            {
                var credentials = new GitCredentials { PasswordFile = file };

                // When
                var resolved = credentials.Resolve();

                // Then
                Assert.Equal((GitCredentials.DefaultTokenUser, "ghp_exampletoken"), resolved);
            }
            finally
            {
                File.Delete(file);
            }
        }

        [Fact]
        public void Should_Read_User_And_Password_From_Environment_Variables()
        {
            // Given
            var suffix = Guid.NewGuid().ToString("N");
            Environment.SetEnvironmentVariable("GITOPS_TEST_USER_" + suffix, "robot");
            Environment.SetEnvironmentVariable("GITOPS_TEST_PASS_" + suffix, "pa55");
            try
            {
                var credentials = new GitCredentials
                {
                    UsernameEnvironmentVariable = "GITOPS_TEST_USER_" + suffix,
                    PasswordEnvironmentVariable = "GITOPS_TEST_PASS_" + suffix,
                };

                // When
                var resolved = credentials.Resolve();

                // Then
                Assert.Equal(("robot", "pa55"), resolved);
                Assert.DoesNotContain("pa55", credentials.ToString());
            }
            finally
            {
                Environment.SetEnvironmentVariable("GITOPS_TEST_USER_" + suffix, null);
                Environment.SetEnvironmentVariable("GITOPS_TEST_PASS_" + suffix, null);
            }
        }

        [Fact]
        public void Should_Return_Null_When_No_Secret_Is_Configured()
        {
            // Given / When / Then
            Assert.Null(new GitCredentials { Username = "robot" }.Resolve());
        }
    }

    public sealed class TheRedactMethod
    {
        [Theory]
        [InlineData("https://user:tok@github.com/org/repo.git", null, "https://***@github.com/org/repo.git")]
        [InlineData("failed to connect to https://tok@host/x: refused", null, "failed to connect to https://***@host/x: refused")]
        [InlineData("auth failed for secret-value", "secret-value", "auth failed for ***")]
        [InlineData("/srv/git/repo", null, "/srv/git/repo")]
        public void Should_Remove_Credentials_From_Text(string text, string? secret, string expected)
        {
            // Given / When
            var redacted = GitSource.Redact(text, secret);

            // Then
            Assert.Equal(expected, redacted);
        }
    }
}
