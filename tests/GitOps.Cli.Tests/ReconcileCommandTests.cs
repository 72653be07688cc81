using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Cli.Conventions;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;
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
    public sealed class TheShardOption : IDisposable
    {
        private static readonly Shard First = new(1, 2);
        private static readonly Shard Second = new(2, 2);

        private readonly string _dir = Directory.CreateTempSubdirectory("gitops-reconcile-shard-").FullName;
        private readonly List<string> _names = [.. Enumerable.Range(1, 8).Select(i => $"model-{i.ToString(CultureInfo.InvariantCulture)}")];

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        /// <summary>prod with a default-deny network policy (an object of no model) and <see cref="_names"/> served there.</summary>
        private Dictionary<string, string?> Files(IEnumerable<string> models)
        {
            var files = SingleEnvironmentRepository.Files("ml", models.Select(n => (n, 100)));
            files["environments/prod/environment.yaml"] = SingleEnvironmentRepository.EnvironmentSpec("ml") + "  networkPolicy:\n    defaultDeny: true\n";
            // What a real repository has beside its specs: none of it is a spec, in any shard.
            files["README.md"] = "# ML platform\n\nModels served from this repository.\n";
            files[".github/workflows/validate.yml"] = "on: pull_request\njobs:\n  validate:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gitops validate\n";
            files["models/model-1/train.py"] = "print('training')\n";
            files["models/model-1/metrics.json"] = "{\"auc\": 0.91}\n";
            return files;
        }

        /// <summary>One pass as a pod of the shard would run it: its own clone, the shared cluster.</summary>
        private Task<CliRunner.Result> ReconcileAsync(string repository, string kubeconfig, params string[] more) =>
            CliRunner.RunAsync([
                "reconcile", "--once", "--repo", repository, "--env", "prod", "--kubeconfig", kubeconfig,
                "--workdir", Path.Combine(_dir, "work-" + string.Join('-', more).Replace('/', '-')), "--listen", "127.0.0.1:0", .. more,
            ]);

        private static List<string> ManagedKeys(FakeKubernetesApiServer server) =>
            [.. ManagedKinds.All.SelectMany(k => server.ListObjects(k.ApiVersion, k.Kind, "ml")).Select(o => ObjectKeys.Of(o).ToString()).Order(StringComparer.Ordinal)];

        private static IEnumerable<JsonObject> Managed(FakeKubernetesApiServer server) =>
            ManagedKinds.All.SelectMany(k => server.ListObjects(k.ApiVersion, k.Kind, "ml"));

        [Fact]
        public async Task Should_Converge_Between_Two_Shards_What_One_Reconciler_Converges_And_Prune_Only_Its_Own_Models()
        {
            // Given a repository whose eight models both shards have some of
            Assert.Contains(_names, First.OwnsModel);
            Assert.Contains(_names, Second.OwnsModel);
            using var repo = FakeGitRepo.Create();
            repo.Commit("eight models", Files(_names));
            await using var sharded = await FakeKubernetesApiServer.StartAsync();
            var kubeconfig = sharded.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"), @namespace: "ml");
            await using var whole = await FakeKubernetesApiServer.StartAsync();
            var wholeKubeconfig = whole.WriteKubeconfig(Path.Combine(_dir, "kubeconfig-whole"), @namespace: "ml");

            // When shard 1 of 2 runs a pass
            var first = await ReconcileAsync(repo.Path, kubeconfig, "--shard", "1/2");

            // Then it applied its models and the default-deny policy, and nothing of the other shard's models
            Assert.Equal(0, first.ExitCode);
            Assert.StartsWith("prod (shard 1/2): Applied ", first.Stdout, StringComparison.Ordinal);
            var models = Managed(sharded).Select(o => ObjectKeys.Label(o, ManagedLabels.Model)).OfType<string>().Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(_names.Where(First.OwnsModel).Order(StringComparer.Ordinal), models);
            Assert.Single(Managed(sharded), o => ObjectKeys.Of(o).Name == "gitops-default-deny");

            // When shard 2 of 2 runs one, and a reconciler that is not sharded converges another cluster
            var second = await CliRunner.RunAsync(CliEnvironment.Isolated(new Dictionary<string, string> { ["GITOPS_SHARD"] = "2/2" }),
                "reconcile", "--once", "--repo", repo.Path, "--env", "prod", "--kubeconfig", kubeconfig,
                "--workdir", Path.Combine(_dir, "work-2"), "--listen", "127.0.0.1:0");
            var alone = await ReconcileAsync(repo.Path, wholeKubeconfig);

            // Then the two shards converged, between them, exactly what one reconciler converges
            Assert.Equal((0, 0), (second.ExitCode, alone.ExitCode));
            Assert.StartsWith("prod: Applied ", alone.Stdout, StringComparison.Ordinal);
            Assert.StartsWith("prod (shard 2/2): Applied ", second.Stdout, StringComparison.Ordinal);
            Assert.Equal(ManagedKeys(whole), ManagedKeys(sharded));
            // And each shard keeps its own status, which gitops status shows side by side
            Assert.NotNull(sharded.GetObject("v1", "ConfigMap", "gitops-system", "gitops-status-prod-shard-1-of-2"));
            Assert.NotNull(sharded.GetObject("v1", "ConfigMap", "gitops-system", "gitops-status-prod-shard-2-of-2"));
            Assert.Null(sharded.GetObject("v1", "ConfigMap", "gitops-system", "gitops-status-prod"));
            var status = await CliRunner.RunAsync(["status", "--env", "prod", "--kubeconfig", kubeconfig, "-o", "json", repo.Path]);
            Assert.Equal((0, ""), (status.ExitCode, status.Stderr));
            Assert.Contains("\"prod (shard 1/2)\"", status.Stdout, StringComparison.Ordinal);
            Assert.Contains("\"prod (shard 2/2)\"", status.Stdout, StringComparison.Ordinal);

            // When a commit drops one model of shard 2, and shard 1 runs first
            var dropped = _names.First(Second.OwnsModel);
            repo.Commit("drop " + dropped, new Dictionary<string, string?> { [$"models/{dropped}/model.yaml"] = null });
            var again = await ReconcileAsync(repo.Path, kubeconfig, "--shard", "1/2");

            // Then shard 1 has nothing to do and leaves the other shard's objects alone
            Assert.Equal(0, again.ExitCode);
            Assert.StartsWith("prod (shard 1/2): NoChange ", again.Stdout, StringComparison.Ordinal);
            Assert.Contains(Managed(sharded), o => ObjectKeys.Label(o, ManagedLabels.Model) == dropped);

            // When shard 2 runs
            var prune = await ReconcileAsync(repo.Path, kubeconfig, "--shard", "2/2");

            // Then it prunes the dropped model, and only it
            Assert.Equal(0, prune.ExitCode);
            Assert.StartsWith("prod (shard 2/2): Applied ", prune.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(Managed(sharded), o => ObjectKeys.Label(o, ManagedLabels.Model) == dropped);
            var left = Managed(sharded).Select(o => ObjectKeys.Label(o, ManagedLabels.Model)).OfType<string>().Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(_names.Where(n => n != dropped).Order(StringComparer.Ordinal), left);
        }

        [Theory]
        [InlineData("3/2", "error: --shard (or $GITOPS_SHARD) '3/2' names shard 3 of 2; shards are numbered from 1 to 2.")]
        [InlineData("half", "error: --shard (or $GITOPS_SHARD) 'half' is not K/N; use e.g. 1/3 for the first of three shards.")]
        public async Task Should_Say_What_K_Of_N_Means_And_Exit_2_Without_Calling_The_Cluster_When_The_Shard_Is_Wrong(string shard, string expected)
        {
            // Given
            await using var server = await FakeKubernetesApiServer.StartAsync();
            var kubeconfig = server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"), @namespace: "ml");

            // When
            var result = await ReconcileAsync("https://git.example.com/ml.git", kubeconfig, "--shard", shard);

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Equal(expected, result.Stderr.Trim());
            Assert.Empty(server.Requests);
        }
    }
}
