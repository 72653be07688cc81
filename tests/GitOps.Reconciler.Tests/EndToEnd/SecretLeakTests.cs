using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Git;
using GitOps.Reconciler.Status;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;
using GitOps.Reconciler.Tests.Support;
using GitOps.Testing.FakeGitHub;
using GitOps.Testing.FakeKubernetes;
using GitOps.Testing.Git;

namespace GitOps.Reconciler.Tests.EndToEnd;

/// <summary>
/// Secrets given to the reconciler (the Git token from a mounted file, the webhook secret, its API server token) and
/// named by the specs (the serving token's and the artifact store token's Secrets, which exist in the cluster) never
/// show up where operators and other tenants can read: the status ConfigMaps (which hold the plan), the applied
/// objects, the logs at every level, or <c>/metrics</c> — also when things go wrong. This reconciler reads no
/// Secret (one with a registry of record reads its artifact stores' token Secrets). (<c>gitops github pr-check</c>'s
/// credentials are checked by the CLI's leak test.)
/// </summary>
public sealed class SecretLeakTests
{
    private const string GitToken = "ghp_SecretGitToken0123456789abcdef";
    private const string ServingToken = "serving-token-5d1f0e9a7c3b2468";
    private const string ArtifactsToken = "artifacts-token-9b8a7c6d5e4f3210";

    private static JsonObject Secret(string name, string value) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = SpecRepository.Namespace },
        ["type"] = "Opaque",
        ["data"] = new JsonObject { ["token"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) },
    };

    private static string Environment() => SpecRepository.Environment() + """
          artifacts:
            uri: https://artifacts.example.com/prod
            tokenSecretRef:
              name: artifact-store-token
          podSecurity: restricted
          networkPolicy:
            prometheus:
              namespace: monitoring
            defaultDeny: true
          serving:
            auth:
              secretRef:
                name: model-serving-token

        """;

    public sealed class TheReconciler
    {
        [Fact]
        public async Task Should_Keep_Every_Secret_Out_Of_Status_Logs_And_Metrics_When_Reconciling_Through_Faults()
        {
            // Given a reconciler with a Git token file and a webhook secret, an API server that fails some requests, and
            // the Secrets the environment names
            await using var cluster = await FakeCluster.StartAsync();
            cluster.Server.Seed(Secret("model-serving-token", ServingToken));
            cluster.Server.Seed(Secret("artifact-store-token", ArtifactsToken));
            // Every version of the status ConfigMaps is read through a watch: a later pass overwrites an earlier one's plan.
            using var watchHttp = new HttpClient { BaseAddress = cluster.Server.BaseAddress };
            watchHttp.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", FakeCluster.Token);
            var statusVersions = StatusVersionsAsync(watchHttp, cluster.Server.CurrentResourceVersion);
            using var repo = FakeGitRepo.Create();
            var secrets = Directory.CreateTempSubdirectory("gitops-secret-leak-").FullName;
            var tokenFile = Path.Combine(secrets, "token");
            await File.WriteAllTextAsync(tokenFile, GitToken + "\n");
            var first = repo.Commit("one model", new Dictionary<string, string?>
            {
                ["environments/prod/environment.yaml"] = Environment(),
                ["models/fraud/model.yaml"] = SpecRepository.Model("fraud"),
            });
            cluster.Server.FailNext(2, 500, verb: "apply");
            cluster.Server.FailNext(1, 409, verb: "apply");
            cluster.Server.FailNext(1, 503, verb: "list");
            await using var reconciler = await RunningReconciler.StartAsync(cluster.Connection, repo.Path, "replica-a",
                credentials: new GitCredentials { PasswordFile = tokenFile });
            var store = new ConfigMapStatusStore(cluster.Connection, ReconcilerRig.StatusNamespace);

            // When it converges through the faults
            await Eventually.TrueAsync(() => Status(store)?.LastAppliedCommit == first, TimeSpan.FromSeconds(60));
            // and serves the model once its training Job succeeds
            var job = cluster.Server.ListObjects("batch/v1", "Job", SpecRepository.Namespace).Single();
            cluster.Server.SetStatus(new ResourceKey("batch/v1", "Job", SpecRepository.Namespace, job["metadata"]!["name"]!.GetValue<string>()),
                new JsonObject { ["succeeded"] = 1 });
            // and is sent a forged webhook, then a signed one
            using var client = new HttpClient { BaseAddress = reconciler.App.Address };
            using var forged = new HttpRequestMessage(HttpMethod.Post, "/webhook/github")
            {
                Content = new StringContent(GitHubPushPayload.Create("main"), Encoding.UTF8, "application/json"),
            };
            forged.Headers.Add("X-GitHub-Event", "push");
            forged.Headers.Add("X-Hub-Signature-256", "sha256=" + new string('0', 64));
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(forged)).StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, await reconciler.PushWebhookAsync());
            await Eventually.TrueAsync(() => cluster.Server.ListObjects("apps/v1", "Deployment", SpecRepository.Namespace).Count == 1, TimeSpan.FromSeconds(60));
            // and an invalid commit stalls it
            var invalid = repo.Commit("typo", new Dictionary<string, string?> { ["models/fraud/model.yaml"] = SpecRepository.InvalidModel("fraud") });
            Assert.Equal(HttpStatusCode.Accepted, await reconciler.PushWebhookAsync());
            await Eventually.TrueAsync(() => Status(store)?.LastAttemptedCommit == invalid, TimeSpan.FromSeconds(60));
            // and the API server keeps failing the status writes and lists for a while
            cluster.Server.FailNext(3, 500, verb: "list");
            var fixedCommit = repo.Commit("fix", new Dictionary<string, string?> { ["models/fraud/model.yaml"] = SpecRepository.Model("fraud", trees: 300) });
            Assert.Equal(HttpStatusCode.Accepted, await reconciler.PushWebhookAsync());
            await Eventually.TrueAsync(() => Status(store)?.LastAppliedCommit == fixedCommit, TimeSpan.FromSeconds(60));
            var metrics = await client.GetStringAsync("/metrics");
            await reconciler.StopAsync();
            cluster.Server.CloseWatches();

            // Then
            var statusText = await statusVersions;
            Assert.Contains("NetworkPolicy", statusText);
            // The provider records every level, Trace included.
            var logs = string.Join("\n", reconciler.Logs.Lines);
            Assert.Contains(reconciler.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal));
            var managed = string.Join("\n", ManagedKinds.All.SelectMany(k => cluster.Server.ListObjects(k.ApiVersion, k.Kind, SpecRepository.Namespace)).Select(o => o.ToJsonString()));
            Assert.Contains("model-serving-token", managed);
            Assert.Contains("artifact-store-token", managed);
            Assert.DoesNotContain(cluster.Server.Requests, r => r.Path.Contains("/secrets", StringComparison.Ordinal));
            foreach (var (what, text) in new[] { ("status ConfigMaps", statusText), ("logs", logs), ("/metrics", metrics), ("applied objects", managed) })
            {
                foreach (var secret in new[] { GitToken, RunningReconciler.WebhookSecretValue, FakeCluster.Token, ServingToken, ArtifactsToken,
                             Convert.ToBase64String(Encoding.UTF8.GetBytes(ServingToken)), Convert.ToBase64String(Encoding.UTF8.GetBytes(ArtifactsToken)) })
                {
                    Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{what} contain the secret '{secret}'");
                }
            }
            Directory.Delete(secrets, recursive: true);
        }

        /// <summary>Every status ConfigMap version written after <paramref name="from"/>, until the server closes the watch.</summary>
        private static async Task<string> StatusVersionsAsync(HttpClient http, long from)
        {
            var path = $"/api/v1/namespaces/{ReconcilerRig.StatusNamespace}/configmaps?watch=true&resourceVersion={from}";
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var versions = new StringBuilder();
            while (await reader.ReadLineAsync() is { } line)
            {
                versions.Append(JsonNode.Parse(line)!["object"]!.ToJsonString()).Append('\n');
            }
            return versions.ToString();
        }

        private static EnvironmentStatus? Status(ConfigMapStatusStore store)
        {
            try
            {
                return store.ReadAsync("prod", CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return null;
            }
        }
    }
}
