using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Tests.Support;
using GitOps.Registry;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Testing.Artifacts;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Tests.Lifecycle;

public sealed class RegistryAdmissionTests
{
    /// <summary>A repository with one model gated by <c>metrics.auc &gt;= 0.85</c> and a champion comparison, and an artifact store.</summary>
    private static Dictionary<string, string> Repository(string storeUri, int trees = 100)
    {
        var files = SpecRepository.Files(SpecRepository.Environment(), ("fraud", 1));
        files["environments/prod/environment.yaml"] += $"  artifacts:\n    uri: {storeUri}\n";
        files["models/fraud/model.yaml"] = SpecRepository.Model("fraud", trees: trees)
            .Replace("  serving:", "  gates: [fraud-quality]\n  serving:", StringComparison.Ordinal);
        files["policies/gates/fraud-quality.yaml"] = """
            apiVersion: ml.gitops/v1alpha1
            kind: QualityGate
            metadata:
              name: fraud-quality
            spec:
              rules:
                - name: auc-not-worse
                  condition: metrics.auc >= champion.metrics.auc - 0.005
                - name: auc-floor
                  condition: metrics.auc >= 0.85
                  message: auc below 0.85
                - name: fast-enough
                  condition: model.latencyP99Ms <= 20.0
              onNoChampion: pass

            """;
        return files;
    }

    private static readonly byte[] ModelBytes = Encoding.UTF8.GetBytes("onnx bytes of a trained model");

    /// <summary>What a training Job publishes: the three files under MODEL/VERSION.</summary>
    private static Task PublishAsync(IArtifactStore store, string version, double auc) =>
        PublishAsync(store, version, $$$"""{"auc": {{{auc.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}, "model": {"sizeBytes": {{{ModelBytes.Length}}}, "sizeMb": 0.00003, "latencyP50Ms": 0.02, "latencyP99Ms": 0.05, "latencyRuns": 200}}""");

    /// <summary>Publishes <paramref name="metrics"/> as <c>metrics.json</c> (none when null), a lineage and the model.</summary>
    private static async Task PublishAsync(IArtifactStore store, string version, string? metrics)
    {
        var model = ModelBytes;
        var lineage = """
            {"trainer": {"name": "gitops-builtin", "version": "0.1.0"}, "dataset": {"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "rows": 20000},
             "hyperparameters": {}, "timing": {"startedAt": "2026-11-30T06:00:00Z", "finishedAt": "2026-11-30T06:01:00Z"}}
            """;
        if (metrics is not null)
        {
            await store.CreateAsync(RegistryLayout.ArtifactFile("fraud", version, "metrics.json"), new MemoryStream(Encoding.UTF8.GetBytes(metrics)), "application/json", CancellationToken.None);
        }
        await store.CreateAsync(RegistryLayout.ArtifactFile("fraud", version, "lineage.json"), new MemoryStream(Encoding.UTF8.GetBytes(lineage)), "application/json", CancellationToken.None);
        await store.CreateAsync(RegistryLayout.ModelFile("fraud", version), new MemoryStream(model), "application/octet-stream", CancellationToken.None);
    }

    private static JsonObject TrainingJob(ReconcilerRig rig) => rig.Managed().Single(o => o["kind"]!.GetValue<string>() == "Job");

    private static string VersionOf(JsonObject o) => o["metadata"]!["labels"]![ManagedLabels.Version]!.GetValue<string>();

    private static ResourceKey KeyOf(JsonObject o) => new(o["apiVersion"]!.GetValue<string>(), o["kind"]!.GetValue<string>(),
        SpecRepository.Namespace, o["metadata"]!["name"]!.GetValue<string>());

    /// <summary>Trains the model's current version: publishes its files, then marks its Job succeeded.</summary>
    private static Task<string> TrainAsync(ReconcilerRig rig, IArtifactStore store, double auc) =>
        TrainAsync(rig, version => PublishAsync(store, version, auc));

    private static async Task<string> TrainAsync(ReconcilerRig rig, Func<string, Task> publish)
    {
        var job = TrainingJob(rig);
        var version = VersionOf(job);
        await publish(version);
        rig.Cluster.Server.SetStatus(KeyOf(job), new JsonObject { ["succeeded"] = 1 });
        return version;
    }

    public sealed class TheReconcilePass : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("gitops-admission-tests-").FullName;
        private readonly HttpClient _http = new();

        public void Dispose()
        {
            _http.Dispose();
            Directory.Delete(_root, recursive: true);
        }

        private RegistryAdmission Admission(ListLoggerProvider logs) =>
            new(uri => ArtifactStores.Open(uri, _http, null).Store!, TimeProvider.System, logs.CreateFactory().CreateLogger<RegistryAdmission>());

        [Fact]
        public async Task Should_Serve_A_Passing_Version_And_Never_Serve_A_Failing_One_While_The_Champion_Keeps_Serving()
        {
            // Given the first version trained with auc 0.90 and served
            var storeUri = new Uri(Path.Combine(_root, "store")).AbsoluteUri;
            var store = new FileArtifactStore(Path.Combine(_root, "store"));
            await using var rig = await ReconcilerRig.StartAsync(logs => Admission(logs));
            rig.Git.Commit(Repository(storeUri));
            await rig.RunAsync();
            var champion = await TrainAsync(rig, store, auc: 0.90);
            Assert.IsType<ReconcileOutcome.Applied>(await rig.RunAsync());
            Assert.Equal(champion, VersionOf(rig.Managed().Single(o => o["kind"]!.GetValue<string>() == "Deployment")));
            var record = await new ModelRegistry(store).ReadAsync("fraud", champion, CancellationToken.None);
            Assert.True(record!.Passed, record.Gates.Summary);
            Assert.Equal(0.90, record.Metrics["auc"]);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(ModelBytes)), record.Artifact.Sha256);

            // When a new version trains with auc 0.81
            rig.Git.Commit(Repository(storeUri, trees: 300));
            await rig.RunAsync();
            var candidate = await TrainAsync(rig, store, auc: 0.81);
            var outcome = await rig.RunAsync();

            // Then it is recorded as rejected with the values, never served, not trained again, and the champion keeps serving
            var rejected = await new ModelRegistry(store).ReadAsync("fraud", candidate, CancellationToken.None);
            Assert.False(rejected!.Passed);
            Assert.Equal(champion, rejected.Gates.Champion);
            Assert.Contains(rejected.Gates.Rules, r => r.Rule == "auc-floor" && !r.Passed && r.Reason == "auc below 0.85: auc 0.81 < 0.85");
            Assert.Contains(rejected.Gates.Rules, r => r.Rule == "auc-not-worse" && !r.Passed && r.Reason == "auc 0.81 < 0.895 (champion.metrics.auc - 0.005)");
            var deployments = rig.Managed().Where(o => o["kind"]!.GetValue<string>() == "Deployment").ToList();
            Assert.Equal([champion], deployments.Select(VersionOf));
            Assert.Single(outcome.Held);
            Assert.Contains($"fraud {candidate} rejected", outcome.Held[0]);
            var status = await rig.StatusAsync();
            Assert.Contains("auc 0.81 < 0.85", status!.Held);
            var view = GitOps.Reconciler.Drivers.Local.LocalStatusViews.FromStatus(status);
            Assert.Contains("auc 0.81 < 0.85", Assert.Single(view.Models).Held);
            var again = await rig.RunAsync();
            Assert.DoesNotContain(rig.ManagedNames(), n => n.StartsWith("Job/", StringComparison.Ordinal) && !n.Contains(candidate, StringComparison.Ordinal));
            Assert.Equal([champion], rig.Managed().Where(o => o["kind"]!.GetValue<string>() == "Deployment").Select(VersionOf));
            Assert.Single(again.Held);
            var events = await new ModelRegistry(store).EventsAsync("fraud", "prod", CancellationToken.None);
            Assert.Equal([RegistryEventTypes.Recorded, RegistryEventTypes.Rejected], events.Select(e => e.Type));
        }

        [Fact]
        public async Task Should_Hold_A_Trained_Version_As_Waiting_While_The_Store_Is_Down_And_Serve_It_After()
        {
            // Given a version trained into an HTTP store that then goes down
            using var server = new ArtifactHttpServer();
            var storeUri = $"{server.BaseUri}/store";
            var store = new HttpArtifactStore(_http, new Uri(storeUri + "/"));
            await using var rig = await ReconcilerRig.StartAsync(logs => Admission(logs));
            rig.Git.Commit(Repository(storeUri));
            await rig.RunAsync();
            var version = await TrainAsync(rig, store, auc: 0.9);
            server.Down = true;

            // When
            var waiting = await rig.RunAsync();

            // Then nothing is served, and the version is not trained again
            Assert.Contains($"fraud {version} waiting: waiting for the artifact store", Assert.Single(waiting.Held));
            Assert.DoesNotContain(rig.ManagedNames(), n => n.StartsWith("Deployment/", StringComparison.Ordinal));
            server.Down = false;
            var served = await rig.RunAsync();
            Assert.Empty(served.Held);
            Assert.Contains("Deployment/fraud-stable", rig.ManagedNames());
        }

        [Fact]
        public async Task Should_Refuse_A_Version_Whose_Artifact_Changed_After_It_Was_Recorded()
        {
            // Given a version recorded as passing whose model.onnx is then replaced in the store
            var storeRoot = Path.Combine(_root, "store");
            var store = new FileArtifactStore(storeRoot);
            await using var rig = await ReconcilerRig.StartAsync(logs => Admission(logs));
            rig.Git.Commit(Repository(new Uri(storeRoot).AbsoluteUri));
            await rig.RunAsync();
            var version = await TrainAsync(rig, store, auc: 0.9);
            await new ModelRegistry(store).RecordAsync(StoreRecord(version, "0000"), CancellationToken.None);

            // When
            var outcome = await rig.RunAsync();

            // Then
            Assert.Contains("changed after it was recorded and is refused", Assert.Single(outcome.Held));
            Assert.DoesNotContain(rig.ManagedNames(), n => n.StartsWith("Deployment/", StringComparison.Ordinal));
            Assert.Contains(rig.Logs.Lines, m => m.Contains("refused", StringComparison.Ordinal) && m.Contains(version, StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("missing", "training-output/contract: metrics.json was not published at")]
        [InlineData("""{"auc": 0.9, "model": """, "training-output/contract: metrics.json: is not valid JSON")]
        [InlineData("""{"auc": "high", "model": {"sizeMb": 0.1, "latencyP99Ms": 1.0}}""", "metrics.json: metric 'auc' must be a finite number")]
        [InlineData("""{"auc": 0.9}""", "metrics.json: 'model' is missing: the trainer must measure the exported model")]
        [InlineData("""{"accuracy": 0.9, "model": {"sizeMb": 0.1, "latencyP99Ms": 1.0}}""", "fraud-quality/auc-floor: metric 'auc' was not reported for the candidate")]
        public async Task Should_Reject_With_The_Reason_When_The_Training_Output_Breaks_The_Contract(string metrics, string reason)
        {
            // Given a first version whose metrics.json is missing, malformed, or lacks what a gate reads
            var storeRoot = Path.Combine(_root, "store");
            var store = new FileArtifactStore(storeRoot);
            await using var rig = await ReconcilerRig.StartAsync(logs => Admission(logs));
            rig.Git.Commit(Repository(new Uri(storeRoot).AbsoluteUri));
            await rig.RunAsync();
            var version = await TrainAsync(rig, v => PublishAsync(store, v, metrics == "missing" ? null : metrics));

            // When
            var outcome = await rig.RunAsync();

            // Then the pass succeeds, the version is recorded as rejected with the reason, and nothing is served
            Assert.IsType<ReconcileOutcome.Applied>(outcome);
            var record = await new ModelRegistry(store).ReadAsync("fraud", version, CancellationToken.None);
            Assert.False(record!.Passed);
            Assert.Contains(reason, record.Gates.Summary);
            Assert.Contains(reason, Assert.Single(outcome.Held));
            Assert.DoesNotContain(rig.ManagedNames(), n => n.StartsWith("Deployment/", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_Follow_OnNoChampion_And_Say_So_When_The_Champion_Has_No_Record()
        {
            // Given a champion served before the registry existed (no record), then a new version trained
            var storeRoot = Path.Combine(_root, "store");
            var store = new FileArtifactStore(storeRoot);
            await using var rig = await ReconcilerRig.StartAsync();
            rig.Git.Commit(Repository(new Uri(storeRoot).AbsoluteUri));
            await rig.RunAsync();
            var champion = VersionOf(TrainingJob(rig));
            rig.Cluster.Server.SetStatus(KeyOf(TrainingJob(rig)), new JsonObject { ["succeeded"] = 1 });
            await rig.RunAsync();
            await using var gated = await ReconcilerRig.StartAsync(logs => Admission(logs));
            var pass = gated.NewPass(driver: rig.Cluster.Driver(), git: rig.Git);
            rig.Git.Commit(Repository(new Uri(storeRoot).AbsoluteUri, trees: 300));
            await pass.RunAsync(["prod"], CancellationToken.None);
            var candidate = await TrainAsync(rig, store, auc: 0.9);

            // When
            var outcome = (await pass.RunAsync(["prod"], CancellationToken.None)).Single();

            // Then the champion rule follows onNoChampion: pass, says why, and the candidate is served
            Assert.Empty(outcome.Held);
            var record = await new ModelRegistry(store).ReadAsync("fraud", candidate, CancellationToken.None);
            Assert.True(record!.Passed, record.Gates.Summary);
            Assert.Equal(champion, record.Gates.Champion);
            Assert.Contains(record.Gates.Rules, r => r.Rule == "auc-not-worse" && r.Reason.Contains($"the champion {champion} has no record in the registry", StringComparison.Ordinal));
            Assert.Contains(rig.Managed(), o => o["kind"]!.GetValue<string>() == "Deployment" && VersionOf(o) == candidate);
        }

        [Fact]
        public async Task Should_Record_Once_And_Agree_When_Two_Reconcilers_Admit_The_Same_Version()
        {
            // Given two reconcilers (two passes, each with its own admission) over one cluster and one store
            var storeRoot = Path.Combine(_root, "store");
            var store = new FileArtifactStore(storeRoot);
            await using var rig = await ReconcilerRig.StartAsync(logs => Admission(logs));
            await using var other = await ReconcilerRig.StartAsync(logs => Admission(logs));
            var second = other.NewPass(driver: rig.Cluster.Driver(), git: rig.Git);
            rig.Git.Commit(Repository(new Uri(storeRoot).AbsoluteUri));
            await rig.RunAsync();
            var version = await TrainAsync(rig, store, auc: 0.9);

            // When both admit it at once
            var outcomes = await Task.WhenAll(rig.Pass.RunAsync(["prod"], CancellationToken.None), second.RunAsync(["prod"], CancellationToken.None));

            // Then one record and one "recorded" event exist, and both passes admitted the version
            Assert.All(outcomes, o => Assert.Empty(o.Single().Held));
            Assert.Single(await new ModelRegistry(store).VersionsAsync("fraud", CancellationToken.None));
            Assert.Equal([RegistryEventTypes.Recorded], (await new ModelRegistry(store).EventsAsync("fraud", "prod", CancellationToken.None)).Select(e => e.Type));
            Assert.Equal(version, VersionOf(rig.Managed().Single(o => o["kind"]!.GetValue<string>() == "Deployment")));
        }

        private static ModelRecord StoreRecord(string version, string sha) => new()
        {
            Model = "fraud",
            Version = version,
            Environment = "prod",
            Source = new SourceLineage("c0ffee", "hash"),
            Dataset = new DatasetLineage("https://data.example.com/fraud.csv", new string('d', 64), 1),
            Trainer = new TrainerLineage("gitops/trainer:0.1.0", "gitops-builtin", "0.1.0"),
            Job = new JobLineage("fraud-train", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch),
            Metrics = System.Collections.Immutable.ImmutableSortedDictionary<string, double>.Empty.Add("auc", 0.9),
            Facts = new MeasuredFacts(1, 0.1, 0.1, 0.1, 1),
            Artifact = new ArtifactLineage("model.onnx", sha, 1),
            Gates = new GateVerdicts(true, null, []),
            RecordedAt = DateTimeOffset.UnixEpoch,
        };
    }
}
