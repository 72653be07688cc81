using System.Text;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;
using GitOps.Reconciler.Tests.Support;
using GitOps.Registry;
using GitOps.Registry.Stores;
using GitOps.Testing.Artifacts;
using GitOps.Testing.FakeKubernetes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GitOps.Reconciler.Tests.Lifecycle;

/// <summary>
/// Per-environment artifact store tokens: the reconciler reads the Secret an environment names in
/// <c>spec.artifacts.tokenSecretRef</c> from the (fake) Kubernetes API and sends its token to that environment's
/// HTTP store, which refuses anything else.
/// </summary>
public sealed class ArtifactStoreTokensTests : IDisposable
{
    private const string Token = "artifacts-token-0f1e2d3c";

    private readonly ArtifactHttpServer _server = new(token: Token);
    private readonly HttpClient _http = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
    }

    private Dictionary<string, string> Repository() => new()
    {
        ["environments/prod/environment.yaml"] = SpecRepository.Environment()
            + $"  artifacts:\n    uri: {_server.BaseUri}/prod\n    tokenSecretRef:\n      name: artifact-store-token\n      key: bearer\n",
        ["models/fraud/model.yaml"] = SpecRepository.Model("fraud"),
    };

    private static JsonObject Secret(string key, string value) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = "artifact-store-token", ["namespace"] = SpecRepository.Namespace },
        ["type"] = "Opaque",
        ["data"] = new JsonObject { [key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value + "\n")) },
    };

    private Task<ReconcilerRig> RigAsync() => ReconcilerRig.StartAsync(logs =>
    {
        var tokens = new ArtifactStoreTokens(new KubernetesSecrets(_cluster!.Connection), null, _time, logs.CreateFactory().CreateLogger<ArtifactStoreTokens>());
        return new RegistryAdmission(tokens.Opener(_http), _time, logs.CreateFactory().CreateLogger<RegistryAdmission>(), tokens);
    }, cluster => _cluster = cluster);

    private FakeCluster? _cluster;

    /// <summary>The training Job publishes the version's files (with the token, as its mounted Secret gives it) and succeeds.</summary>
    private async Task<string> TrainAsync(ReconcilerRig rig)
    {
        var job = rig.Managed().Single(o => o["kind"]!.GetValue<string>() == "Job");
        var version = job["metadata"]!["labels"]![ManagedLabels.Version]!.GetValue<string>();
        var store = new HttpArtifactStore(_http, new Uri($"{_server.BaseUri}/prod/"), Token);
        var metrics = """{"auc": 0.9, "model": {"sizeBytes": 5, "sizeMb": 0.000005, "latencyP50Ms": 0.02, "latencyP99Ms": 0.05, "latencyRuns": 200}}""";
        var lineage = """
            {"trainer": {"name": "gitops-builtin", "version": "0.1.0"}, "dataset": {"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "rows": 20000},
             "timing": {"startedAt": "2026-11-30T06:00:00Z", "finishedAt": "2026-11-30T06:01:00Z"}}
            """;
        await store.CreateAsync(RegistryLayout.ArtifactFile("fraud", version, "metrics.json"), new MemoryStream(Encoding.UTF8.GetBytes(metrics)), "application/json", CancellationToken.None);
        await store.CreateAsync(RegistryLayout.ArtifactFile("fraud", version, "lineage.json"), new MemoryStream(Encoding.UTF8.GetBytes(lineage)), "application/json", CancellationToken.None);
        await store.CreateAsync(RegistryLayout.ModelFile("fraud", version), new MemoryStream("onnx!"u8.ToArray()), "application/octet-stream", CancellationToken.None);
        rig.Cluster.Server.SetStatus(new ResourceKey("batch/v1", "Job", SpecRepository.Namespace, job["metadata"]!["name"]!.GetValue<string>()),
            new JsonObject { ["succeeded"] = 1 });
        return version;
    }

    private static bool Serves(ReconcilerRig rig, string version) =>
        rig.Managed().Any(o => o["kind"]!.GetValue<string>() == "Deployment" && o["metadata"]!["labels"]![ManagedLabels.Version]!.GetValue<string>() == version);

    [Fact]
    public async Task Should_Hold_The_Version_With_What_To_Do_When_The_Secret_Is_Missing_And_Serve_It_With_The_Secrets_Token_Once_Created()
    {
        // Given a trained version in an environment whose store needs the token of a Secret that does not exist yet
        await using var rig = await RigAsync();
        rig.Git.Commit(Repository());
        await rig.RunAsync();
        var version = await TrainAsync(rig);

        // When
        var waiting = await rig.RunAsync();
        var again = await rig.RunAsync();

        // Then the version waits, the status says which Secret to create and how, and the Secret is not asked for
        // on every pass
        Assert.False(Serves(rig, version));
        var held = Assert.Single(waiting.Held);
        Assert.Contains($"fraud {version} waiting: waiting for the artifact store: its token (spec.artifacts.tokenSecretRef): "
            + "the Secret ml/artifact-store-token does not exist: create it with 'kubectl -n ml create secret generic artifact-store-token --from-file=bearer=TOKEN_FILE'", held);
        Assert.Equal(waiting.Held.AsEnumerable(), again.Held.AsEnumerable());
        Assert.Equal(1, rig.Cluster.Server.Requests.Count(r => r.Path.EndsWith("/secrets/artifact-store-token", StringComparison.Ordinal)));
        Assert.DoesNotContain(_server.PutOrder, p => p.Contains("/registry/", StringComparison.Ordinal));

        // When the Secret is created and the token is read again
        rig.Cluster.Server.Seed(Secret("bearer", Token));
        _time.Advance(ArtifactStoreTokens.RereadAfter);
        var served = await rig.RunAsync();

        // Then the version is recorded in the store with the Secret's token and served
        Assert.Empty(served.Held);
        Assert.True(Serves(rig, version));
        var record = await new ModelRegistry(new HttpArtifactStore(_http, new Uri($"{_server.BaseUri}/prod/"), Token)).ReadAsync("fraud", version, CancellationToken.None);
        Assert.True(record!.Passed);
    }

    [Fact]
    public async Task Should_Say_Which_Permission_Is_Missing_When_The_Api_Server_Refuses_The_Secret()
    {
        // Given the reconciler may not read Secrets in the environment's namespace
        await using var rig = await RigAsync();
        rig.Cluster.Server.Seed(Secret("bearer", Token));
        rig.Cluster.Server.Refuse(FakeRefusal.Forbidden("secrets", SpecRepository.Namespace));
        rig.Git.Commit(Repository());
        await rig.RunAsync();
        var version = await TrainAsync(rig);

        // When
        var outcome = await rig.RunAsync();

        // Then
        Assert.False(Serves(rig, version));
        Assert.Contains("the reconciler may not read the Secret ml/artifact-store-token (HTTP 403): grant its service account 'get' on secrets in namespace ml",
            Assert.Single(outcome.Held));
    }

    [Fact]
    public async Task Should_Say_Which_Key_Is_Missing_When_The_Secret_Has_Another()
    {
        // Given
        await using var rig = await RigAsync();
        rig.Cluster.Server.Seed(Secret("token", Token));
        rig.Git.Commit(Repository());
        await rig.RunAsync();
        await TrainAsync(rig);

        // When
        var outcome = await rig.RunAsync();

        // Then
        Assert.Contains("the Secret ml/artifact-store-token has no key 'bearer'", Assert.Single(outcome.Held));
    }
}
