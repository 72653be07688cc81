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
        [Fact]
        public async Task Should_Show_The_Experiments_The_Reconciler_Runs_When_Its_Status_ConfigMap_Lists_Them()
        {
            // Given prod's reconciler reported one experiment under way and one finished
            using var repo = new RolloutRepository();
            await using var server = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = "t0k3n" });
            Directory.CreateDirectory(repo.StatePath + "-kube");
            var kubeconfig = server.WriteKubeconfig(Path.Combine(repo.StatePath + "-kube", "config"), contextName: "prod-eu-west", @namespace: "ml-prod");
            using (var connection = KubernetesApiConnection.FromKubeconfig(kubeconfig, "prod-eu-west"))
            {
                await new ConfigMapStatusStore(connection, "gitops-system").SaveAsync(new EnvironmentStatus
                {
                    Environment = "prod",
                    Outcome = "NoChange",
                    LastAttemptedCommit = "0123456789abcdef",
                    Experiments = "fraud-sweep run 1a2b3c4d5e6f: 2 of 6 trial(s) finished, running fraud-sweep-t03, fraud-sweep-t04\n"
                        + "churn-sweep run 6f5e4d3c2b1a: finished, best churn-sweep-t02 (auc 0.91)",
                }, CancellationToken.None);
            }

            // When
            var text = await CliRunner.RunAsync(["status", "--env", "prod", "--kubeconfig", kubeconfig, repo.Root]);
            var json = await CliRunner.RunAsync(["status", "--env", "prod", "--kubeconfig", kubeconfig, "-o", "json", repo.Root]);

            // Then
            Assert.Equal((0, ""), (text.ExitCode, text.Stderr));
            var shown = text.Stdout.Replace(" \n", " ", StringComparison.Ordinal); // the terminal table wraps long lines at 80 columns
            Assert.Contains("prod experiment fraud-sweep run 1a2b3c4d5e6f: 2 of 6 trial(s) finished, running fraud-sweep-t03, fraud-sweep-t04\n", shown);
            Assert.Contains("prod experiment churn-sweep run 6f5e4d3c2b1a: finished, best churn-sweep-t02 (auc 0.91)\n", shown);
            Assert.Equal(0, json.ExitCode);
            Assert.Contains("\"experiments\": [\n        \"fraud-sweep run 1a2b3c4d5e6f:", json.Stdout);
        }
    }
}
