using GitOps.Cli.Tests.Rollouts;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Status;
using GitOps.Testing.FakeKubernetes;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class StatusCommandTests
{
    public sealed class OnKubernetes
    {
        /// <summary>Saves <paramref name="status"/> as prod's status ConfigMap in a fake cluster, then runs <c>gitops
        /// status --env prod</c> on the example repository, as text and as JSON.</summary>
        private static async Task<(CliRunner.Result Text, CliRunner.Result Json)> ShowAsync(EnvironmentStatus status, FakeRefusal? refusal = null)
        {
            using var repo = new RolloutRepository();
            await using var server = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = "t0k3n" });
            Directory.CreateDirectory(repo.StatePath + "-kube");
            var kubeconfig = server.WriteKubeconfig(Path.Combine(repo.StatePath + "-kube", "config"), contextName: "prod-eu-west", @namespace: "ml-prod");
            using (var connection = KubernetesApiConnection.FromKubeconfig(kubeconfig, "prod-eu-west"))
            {
                await new ConfigMapStatusStore(connection, "gitops-system").SaveAsync(status, CancellationToken.None);
            }
            if (refusal is not null)
            {
                server.Refuse(refusal);
            }
            var text = await CliRunner.RunAsync(["status", "--env", "prod", "--kubeconfig", kubeconfig, repo.Root]);
            var json = await CliRunner.RunAsync(["status", "--env", "prod", "--kubeconfig", kubeconfig, "-o", "json", repo.Root]);
            return (text, json);
        }

        [Fact]
        public async Task Should_Show_The_Experiments_The_Reconciler_Runs_When_Its_Status_ConfigMap_Lists_Them()
        {
            // Given prod's reconciler reported one experiment under way and one finished
            var status = new EnvironmentStatus
            {
                Environment = "prod",
                Outcome = "NoChange",
                LastAttemptedCommit = "0123456789abcdef",
                Experiments = "fraud-sweep run 1a2b3c4d5e6f: 2 of 6 trial(s) finished, running fraud-sweep-t03, fraud-sweep-t04\n"
                    + "churn-sweep run 6f5e4d3c2b1a: finished, best churn-sweep-t02 (auc 0.91)",
            };

            // When
            var (text, json) = await ShowAsync(status);

            // Then
            Assert.Equal((0, ""), (text.ExitCode, text.Stderr));
            var shown = text.Stdout.Replace(" \n", " ", StringComparison.Ordinal); // the terminal table wraps long lines at 80 columns
            Assert.Contains("prod experiment fraud-sweep run 1a2b3c4d5e6f: 2 of 6 trial(s) finished, running fraud-sweep-t03, fraud-sweep-t04\n", shown);
            Assert.Contains("prod experiment churn-sweep run 6f5e4d3c2b1a: finished, best churn-sweep-t02 (auc 0.91)\n", shown);
            Assert.Equal(0, json.ExitCode);
            Assert.Contains("\"experiments\": [\n        \"fraud-sweep run 1a2b3c4d5e6f:", json.Stdout);
        }

        [Fact]
        public async Task Should_Show_Why_Each_Model_Was_Retrained_When_The_Status_ConfigMap_Says_So()
        {
            // Given prod's reconciler reported a retrained model and one whose dataset is not there yet
            var status = new EnvironmentStatus
            {
                Environment = "prod",
                Outcome = "Applied",
                LastAttemptedCommit = "0123456789abcdef",
                Retraining = "fraud retrained: score drift 0.31 > 0.2 for 1h (version 9a75b5701b77) → dataset s3://data/fraud/2026-12-01.csv sha256 ab12cd34ef56 (generation 2, version 0c1d2e3f4a5b)\n"
                    + "churn retrain due: schedule every 7d (last 2026-11-23 03:00Z), but dataset s3://data/churn/2026-11-30.csv does not exist yet; will retry next pass",
            };

            // When
            var (text, json) = await ShowAsync(status);

            // Then
            Assert.Equal((0, ""), (text.ExitCode, text.Stderr));
            var shown = text.Stdout.Replace(" \n", " ", StringComparison.Ordinal); // the terminal table wraps long lines at 80 columns
            Assert.Contains("prod fraud retrained: score drift 0.31 > 0.2 for 1h (version 9a75b5701b77) → dataset s3://data/fraud/2026-12-01.csv sha256 ab12cd34ef56", shown);
            Assert.Contains("prod churn retrain due: schedule every 7d (last 2026-11-23 03:00Z), but dataset s3://data/churn/2026-11-30.csv does not exist yet; will retry next pass", shown);
            Assert.Equal(0, json.ExitCode);
            Assert.Contains("\"retraining\": [\n        \"fraud retrained: score drift 0.31", json.Stdout);
        }

        [Fact]
        public async Task Should_Read_The_Environments_Status_By_Name_When_ConfigMaps_May_Not_Be_Listed()
        {
            // Given a user allowed to get the status ConfigMap but not to list ConfigMaps
            var status = new EnvironmentStatus { Environment = "prod", Outcome = "Applied", LastAttemptedCommit = "0123456789abcdef" };

            // When
            var (text, _) = await ShowAsync(status, FakeRefusal.Forbidden("configmaps", "gitops-system", "list"));

            // Then the status is shown all the same
            Assert.Equal((0, ""), (text.ExitCode, text.Stderr));
            Assert.Contains("Applied", text.Stdout, StringComparison.Ordinal);
            Assert.Contains("0123456789ab", text.Stdout, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Should_Say_Which_Permission_Is_Missing_And_Exit_2_When_The_Status_May_Not_Be_Read()
        {
            // Given a user allowed neither to list nor to get ConfigMaps there
            var status = new EnvironmentStatus { Environment = "prod", Outcome = "Applied", LastAttemptedCommit = "0123456789abcdef" };

            // When
            var (text, _) = await ShowAsync(status, FakeRefusal.Forbidden("configmaps", "gitops-system"));

            // Then a message for a person, not a stack trace
            Assert.Equal(2, text.ExitCode);
            Assert.StartsWith("error: cannot read the status of environment 'prod' in namespace gitops-system: ", text.Stderr, StringComparison.Ordinal);
            Assert.Contains("Ask for 'get' and 'list' on configmaps in gitops-system", text.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", text.Stderr, StringComparison.Ordinal);
        }
    }
}
