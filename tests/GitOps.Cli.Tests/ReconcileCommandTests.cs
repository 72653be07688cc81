using GitOps.Testing.FakeKubernetes;
using GitOps.Testing.Generators;
using GitOps.Testing.Git;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class ReconcileCommandTests
{
    public sealed class TheOnceOption : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("gitops-reconcile-once-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private async Task<(CliRunner.Result Result, FakeKubernetesApiServer Server)> ReconcileOnceAsync(string environment)
        {
            var server = await FakeKubernetesApiServer.StartAsync();
            var kubeconfig = server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"), @namespace: "ml");
            using var repo = FakeGitRepo.Create();
            var files = SingleEnvironmentRepository.Files("ml", [("fraud", 100)]);
            files["environments/local/environment.yaml"] = SingleEnvironmentRepository.LocalEnvironmentSpec;
            repo.Commit("prod and local", files);
            var result = await CliRunner.RunAsync("reconcile", "--once", "--repo", repo.Path, "--env", environment,
                "--kubeconfig", kubeconfig, "--workdir", Path.Combine(_dir, "work"), "--listen", "127.0.0.1:0");
            return (result, server);
        }

        [Fact]
        public async Task Should_Name_The_Commits_Environments_And_Exit_2_Without_Calling_The_Cluster_When_The_Env_Is_Not_Defined()
        {
            // Given a commit defining prod and local

            // When one pass is asked for a mistyped environment
            var (result, server) = await ReconcileOnceAsync("prdo");
            await using var _ = server;

            // Then it is a usage error naming the environments, with a suggestion, and the cluster was never asked
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("error: --env prdo: environment 'prdo' is not defined in commit ", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("(it defines: local, prod; did you mean 'prod'?).", result.Stderr, StringComparison.Ordinal);
            Assert.Equal("", result.Stdout);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task Should_Say_Gitops_Up_Serves_It_And_Exit_2_Without_Calling_The_Cluster_When_The_Env_Is_Local()
        {
            // Given a commit defining prod and local

            // When one pass is asked for the local environment
            var (result, server) = await ReconcileOnceAsync("local");
            await using var _ = server;

            // Then it is a usage error pointing at gitops up, and the cluster was never asked
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("error: --env local: environment 'local' runs on this machine ('cluster: {local: {}}'): 'gitops up --env local' serves it, "
                            + "not the reconciler, which converges environments on Kubernetes (commit ", result.Stderr, StringComparison.Ordinal);
            Assert.Contains(" defines: prod).", result.Stderr, StringComparison.Ordinal);
            Assert.Empty(server.Requests);
        }
    }
}
