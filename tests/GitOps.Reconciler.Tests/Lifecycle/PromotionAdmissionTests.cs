using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Tests.Support;
using GitOps.Registry;
using GitOps.Registry.Promotion;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;
using GitOps.Testing.Time;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Tests.Lifecycle;

/// <summary>
/// Promotion by artifact through the reconcile pass against the fake Kubernetes API server: staging trains and
/// records a version, its deploy history says since when it is stable, and prod (promotion from staging, soak 30m)
/// waits, then receives exactly staging's artifact into its own store.
/// </summary>
public sealed class PromotionAdmissionTests : IDisposable
{
    private const string StagingNamespace = "ml-staging";
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 14, 7, 0, TimeSpan.Zero);
    private static readonly byte[] ModelBytes = Encoding.UTF8.GetBytes("onnx bytes trained in staging");
    private static readonly byte[] ProfileBytes = Encoding.UTF8.GetBytes("""{"schema": 1, "rows": 20000, "features": []}""");

    private readonly string _root = Directory.CreateTempSubdirectory("gitops-promotion-tests-").FullName;
    private readonly HttpClient _http = new();
    private readonly ObservableTimeProvider _time = new(T0);

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private string StagingStore => Path.Combine(_root, "staging-store");
    private string ProdStore => Path.Combine(_root, "prod-store");

    private Dictionary<string, string> Repository(string? stagingStoreUri = null)
    {
        var model = SpecRepository.Model("fraud")
            .Replace("environments: [prod]", "environments: [staging, prod]", StringComparison.Ordinal)
            .Replace("  serving:", "  gates: [fraud-quality]\n  serving:", StringComparison.Ordinal);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["environments/staging/environment.yaml"] = SpecRepository.Environment("staging", @namespace: StagingNamespace)
                + $"  artifacts:\n    uri: {stagingStoreUri ?? new Uri(StagingStore).AbsoluteUri}\n",
            ["environments/prod/environment.yaml"] = SpecRepository.Environment()
                + $"  artifacts:\n    uri: {new Uri(ProdStore).AbsoluteUri}\n  promotion:\n    from: staging\n    soak: 30m\n",
            ["models/fraud/model.yaml"] = model,
            [SpecRepository.GatePath] = SpecRepository.Gate,
        };
    }

    private RegistryAdmission Admission(ListLoggerProvider logs) =>
        new(uri => ArtifactStores.Open(uri, _http, null).Store ?? throw new ArtifactStoreException($"cannot open {uri}"), _time,
            logs.CreateFactory().CreateLogger<RegistryAdmission>());

    private static IEnumerable<JsonObject> Kind(ReconcilerRig rig, string environment, string kind) =>
        ManagedKinds.All.Where(k => k.Kind == kind)
            .SelectMany(k => rig.Cluster.Server.ListObjects(k.ApiVersion, k.Kind, environment == "staging" ? StagingNamespace : SpecRepository.Namespace))
            .Where(o => o["metadata"]?["labels"]?[ManagedLabels.Environment]?.GetValue<string>() == environment);

    private static string VersionOf(JsonObject o) => o["metadata"]!["labels"]![ManagedLabels.Version]!.GetValue<string>();

    /// <summary>Staging trains the version (its Job publishes the three files), records it, serves it, and its rollout
    /// step writes <c>deployed</c> at <see cref="T0"/> with the analyses of that rollout.</summary>
    private async Task<string> StagingServesAsync(ReconcilerRig rig)
    {
        await rig.RunAsync("staging");
        var job = Assert.Single(Kind(rig, "staging", "Job"));
        var version = VersionOf(job);
        var store = new FileArtifactStore(StagingStore);
        await store.CreateAsync(RegistryLayout.ArtifactFile("fraud", version, "metrics.json"),
            new MemoryStream(Encoding.UTF8.GetBytes($$$"""{"auc": 0.91, "model": {"sizeBytes": {{{ModelBytes.Length}}}, "sizeMb": 0.00003, "latencyP50Ms": 0.02, "latencyP99Ms": 0.05, "latencyRuns": 200}}""")),
            "application/json", CancellationToken.None);
        await store.CreateAsync(RegistryLayout.ArtifactFile("fraud", version, "lineage.json"), new MemoryStream(Encoding.UTF8.GetBytes("""
            {"trainer": {"name": "gitops-builtin", "version": "0.1.0"}, "dataset": {"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "rows": 20000},
             "hyperparameters": {}, "timing": {"startedAt": "2026-11-30T06:00:00Z", "finishedAt": "2026-11-30T06:01:00Z"}}
            """)), "application/json", CancellationToken.None);
        await store.CreateAsync(RegistryLayout.ArtifactFile("fraud", version, TrainingProfile.File), new MemoryStream(ProfileBytes), "application/json", CancellationToken.None);
        await store.CreateAsync(RegistryLayout.ModelFile("fraud", version), new MemoryStream(ModelBytes), "application/octet-stream", CancellationToken.None);
        rig.Cluster.Server.SetStatus(new ResourceKey(job["apiVersion"]!.GetValue<string>(), "Job", StagingNamespace, job["metadata"]!["name"]!.GetValue<string>()),
            new JsonObject { ["succeeded"] = 1 });
        Assert.IsType<ReconcileOutcome.Applied>(await rig.RunAsync("staging"));
        Assert.Equal(version, VersionOf(Assert.Single(Kind(rig, "staging", "Deployment"))));
        await new ModelRegistry(store).AppendEventAsync(new RegistryEvent
        {
            Type = RegistryEventTypes.Deployed,
            Model = "fraud",
            Environment = "staging",
            Version = version,
            Commit = "c0ffee",
            At = T0,
            By = "reconciler",
            Reason = $"version {version} deployed (first version in this environment)",
            Evidence = System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add(EvidenceKeys.Analyses, "none"),
        }, CancellationToken.None);
        return version;
    }

    [Fact]
    public async Task Should_Wait_With_The_Time_It_Is_Ready_Then_Deploy_Stagings_Artifact_Byte_For_Byte_When_The_Soak_Is_Over()
    {
        // Given staging serving a version as stable since T0, and prod promoting from staging after 30m
        await using var rig = await ReconcilerRig.StartAsync(Admission);
        rig.Git.Commit(Repository());
        var version = await StagingServesAsync(rig);

        // When prod reconciles 4 minutes later
        _time.SetUtcNow(T0.AddMinutes(4));
        var waiting = await rig.RunAsync("prod");

        // Then it waits, says why and until when, trains nothing and serves nothing
        var held = Assert.Single(waiting.Held);
        Assert.Equal($"fraud {version} waiting: staging has served {version} as stable for 4m of 30m soak; ready at 2026-11-30 14:37:00Z", held);
        Assert.Empty(Kind(rig, "prod", "Job"));
        Assert.Empty(Kind(rig, "prod", "Deployment"));
        Assert.Contains("ready at 2026-11-30 14:37:00Z", (await rig.StatusAsync("prod"))!.Held);
        Assert.Equal(TimeSpan.FromMinutes(26), rig.Pass.ReadyWait("prod", _time.GetUtcNow()));

        // When the soak is over
        _time.SetUtcNow(T0.AddMinutes(30));
        var deployed = await rig.RunAsync("prod");

        // Then prod serves staging's version from its own store, byte for byte, with the evidence recorded once
        Assert.IsType<ReconcileOutcome.Applied>(deployed);
        Assert.Empty(deployed.Held);
        Assert.Equal(version, VersionOf(Assert.Single(Kind(rig, "prod", "Deployment"))));
        Assert.Empty(Kind(rig, "prod", "Job"));
        var copied = await File.ReadAllBytesAsync(Path.Combine(ProdStore, "fraud", version, "model.onnx"));
        Assert.Equal(ModelBytes, copied);
        Assert.Equal(ProfileBytes, await File.ReadAllBytesAsync(Path.Combine(ProdStore, "fraud", version, TrainingProfile.File)));
        var stagingRecord = await new ModelRegistry(new FileArtifactStore(StagingStore)).ReadAsync("fraud", version, CancellationToken.None);
        var prodRegistry = new ModelRegistry(new FileArtifactStore(ProdStore));
        var prodRecord = await prodRegistry.ReadAsync("fraud", version, CancellationToken.None);
        Assert.Equal(RegistryJson.Serialize(stagingRecord!), RegistryJson.Serialize(prodRecord!));
        var received = Assert.Single(await prodRegistry.EventsAsync("fraud", "prod", CancellationToken.None));
        Assert.Equal(RegistryEventTypes.Received, received.Type);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(ModelBytes)), received.Evidence[EvidenceKeys.Sha256]);
        Assert.Equal(("staging", version, "30m", "30m", "none"), (received.Evidence[EvidenceKeys.Source], received.Evidence[EvidenceKeys.Version],
            received.Evidence[EvidenceKeys.Soak], received.Evidence[EvidenceKeys.ServedFor], received.Evidence[EvidenceKeys.Analyses]));
        Assert.Equal(T0, DateTimeOffset.Parse(received.Evidence[EvidenceKeys.StableSince], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("passed 1 rule(s)", received.Evidence[EvidenceKeys.TargetGates]);
        await rig.RunAsync("prod");
        Assert.Single(await prodRegistry.EventsAsync("fraud", "prod", CancellationToken.None));
    }

    [Fact]
    public async Task Should_Refuse_Loudly_And_Serve_Nothing_When_Stagings_Artifact_No_Longer_Matches_Its_Record()
    {
        // Given staging's version soaked, but its model file replaced in the store afterwards
        await using var rig = await ReconcilerRig.StartAsync(Admission);
        rig.Git.Commit(Repository());
        var version = await StagingServesAsync(rig);
        await File.WriteAllBytesAsync(Path.Combine(StagingStore, "fraud", version, "model.onnx"), Encoding.UTF8.GetBytes("replaced bytes"));

        // When
        _time.SetUtcNow(T0.AddHours(1));
        var outcome = await rig.RunAsync("prod");

        // Then
        var held = Assert.Single(outcome.Held);
        Assert.StartsWith($"fraud {version} rejected: not promoted from staging: the artifact of fraud {version}", held);
        Assert.Contains("it was changed after it was recorded and is refused", held);
        Assert.Empty(Kind(rig, "prod", "Deployment"));
        Assert.Empty(Kind(rig, "prod", "Job"));
        Assert.False(File.Exists(Path.Combine(ProdStore, "fraud", version, "model.onnx")));
        Assert.Contains(rig.Logs.Lines, l => l.StartsWith("Error ", StringComparison.Ordinal) && l.Contains("is not promoted from staging", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_Wait_And_Serve_Nothing_When_The_Source_Store_Is_Down()
    {
        // Given staging's store is a folder that does not exist (not mounted)
        await using var rig = await ReconcilerRig.StartAsync(Admission);
        rig.Git.Commit(Repository(new Uri(Path.Combine(_root, "not-mounted")).AbsoluteUri));

        // When
        var outcome = await rig.RunAsync("prod");

        // Then
        var held = Assert.Single(outcome.Held);
        Assert.Contains("waiting: waiting for the artifact store", held);
        Assert.Contains("does not exist", held);
        Assert.Empty(Kind(rig, "prod", "Deployment"));
        Assert.Empty(Kind(rig, "prod", "Job"));
    }
}
