using GitOps.Policy;
using GitOps.Reconciler.Git;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.Registry;
using GitOps.Reconciler.Tests.Support;
using GitOps.Specs;
using GitOps.Testing;
using GitOps.Testing.Git;
using GitOps.Testing.Golden;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Tests.EndToEnd;

/// <summary>
/// The reconciler pointed at a normal platform repository: this repository's whole tree (prose, CI workflows, code,
/// JSON schemas, test fixtures beside environments/, models/ and policies/) pushed to a real Git repository.
/// </summary>
public sealed class WholeRepositoryTests
{
    public sealed class TheReconcilePass
    {
        [Fact]
        public async Task Should_Converge_As_Validate_Judges_The_Checkout_When_The_Repository_Holds_Non_Spec_Files()
        {
            // Given this repository's working tree committed to a Git remote, plus a CI workflow
            using var remote = FakeGitRepo.Create();
            remote.CommitTree("the whole repository", RepositoryPaths.Root);
            var head = remote.Commit("ci", ".github/workflows/ci.yml", "on: push\njobs: {}\n");
            var cache = Directory.CreateTempSubdirectory("gitops-whole-repo-").FullName;
            try
            {
                var checkoutFolder = Path.Combine(cache, "repo");
                var git = new GitSource(new GitSourceOptions { Url = remote.Path, Branch = remote.Branch, CacheDirectory = checkoutFolder });
                var cluster = new InMemoryClusterDriver();
                using var logs = new ListLoggerProvider();
                var pass = new ReconcilePass(git, cluster, new InMemoryStatusStore(), new ClusterRegistry(new InMemoryRegistryFactStore()),
                    new ReconcilerMetrics(includeProcessMetrics: false), TimeProvider.System,
                    new ReconcilePassSettings { Validate = RepositoryValidator.Validate }, logs.CreateFactory().CreateLogger<ReconcilePass>());
                var fetched = await git.FetchAsync(CancellationToken.None);
                Assert.Equal(head, fetched.Checkout!.Revision);
                // The remote's working tree is the commit's content.
                var worktree = remote.Path;
                foreach (var nonSpec in new[] { "README.md", "policies/README.md", ".github/workflows/ci.yml", "docs/schemas", "tests/GitOps.Specs.Tests/testdata" })
                {
                    Assert.True(File.Exists(Path.Combine(worktree, nonSpec)) || Directory.Exists(Path.Combine(worktree, nonSpec)), $"{nonSpec} is in the tree");
                }
                var judged = RepositoryValidator.Validate(SpecFileReader.Read(worktree));
                var environments = judged.Specs.Environments.Select(e => e.Name).ToList();
                Assert.NotEmpty(environments);

                // When
                var first = await pass.RunAsync(environments, CancellationToken.None);
                var second = await pass.RunAsync(environments, CancellationToken.None);

                // Then every environment converges to the head commit exactly as validate judges it: no stall
                Assert.False(judged.HasErrors, string.Join("\n", judged.Diagnostics));
                Assert.All(first, o => Assert.True(o is ReconcileOutcome.Applied { Commit: var c } && c == head, $"{o.Environment}: {o.Name} {o}"));
                Assert.All(second, o => Assert.True(o is ReconcileOutcome.NoChange { Commit: var c } && c == head, $"{o.Environment}: {o.Name} {o}"));
                Assert.NotEmpty(cluster.Objects);
            }
            finally
            {
                foreach (var file in Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories))
                {
                    File.SetAttributes(file, FileAttributes.Normal);
                }
                Directory.Delete(cache, recursive: true);
            }
        }
    }
}
