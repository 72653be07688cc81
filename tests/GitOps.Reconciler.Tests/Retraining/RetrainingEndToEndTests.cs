using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Retraining;
using GitOps.Reconciler.Git;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Retraining;
using GitOps.Reconciler.Tests.Support;
using GitOps.Registry;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Specs;
using GitOps.Specs.Contracts;
using GitOps.Testing.Git;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GitOps.Reconciler.Tests.Retraining;

/// <summary>
/// Retraining through the whole pass: a platform repository in a real Git remote (README, CI workflow and trainer
/// code beside the specs), the real Kubernetes driver against the fake API server, the registry of record in a file
/// store, datasets in a folder the URI template points at, and a clock moved forward to make the schedule due.
/// </summary>
public sealed class RetrainingEndToEndTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("gitops-retraining-e2e-");
    private readonly FakeTimeProvider _time = new(Start);
    private readonly HttpClient _http = new();
    private readonly FakeGitRepo _remote = FakeGitRepo.Create();

    public void Dispose()
    {
        _http.Dispose();
        _remote.Delete();
        foreach (var file in Directory.EnumerateFiles(_root.FullName, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }
        _root.Delete(recursive: true);
    }

    private string Datasets => Path.Combine(_root.FullName, "datasets");

    private string StoreRoot => Path.Combine(_root.FullName, "store");

    private string Template => new Uri(Datasets + "/").AbsoluteUri + "fraud-{date:yyyy-MM-dd}.csv";

    /// <summary>The repository a team keeps: prose, CI and trainer code beside environments/, models/ and policies/.</summary>
    private Dictionary<string, string?> Repository()
    {
        var files = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["README.md"] = "# Fraud platform\n\nModels retrain weekly on the newest transactions (docs/retraining.md).\n",
            [".github/workflows/ci.yml"] = "on: pull_request\njobs:\n  validate:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gitops validate\n",
            ["src/trainer/train.py"] = "import sys\nprint('trained', sys.argv)\n",
            ["environments/prod/environment.yaml"] = SpecRepository.Environment() + $"  artifacts:\n    uri: {new Uri(StoreRoot).AbsoluteUri}\n",
            ["models/fraud/model.yaml"] = SpecRepository.Gated(SpecRepository.Model("fraud")
                .Replace("    hyperparameters:", $"    retrain:\n      uriTemplate: {Template}\n      schedule: 7d\n    hyperparameters:", StringComparison.Ordinal)),
            [SpecRepository.GatePath] = SpecRepository.Gate,
        };
        return files;
    }

    private ReconcilerRig? _rig;

    private async Task<ReconcilerRig> StartAsync()
    {
        _rig = await ReconcilerRig.StartAsync(
            logs => new RegistryAdmission(uri => ArtifactStores.Open(uri, _http, null).Store!, TimeProvider.System, logs.CreateFactory().CreateLogger<RegistryAdmission>()),
            retraining: (facts, logs) => new RetrainStep(facts, (uri, ct) => DatasetDigests.OfAsync(uri, _http, null, null, ct), _time,
                logs.CreateFactory().CreateLogger<RetrainStep>()));
        return _rig;
    }

    private GitSource Git(string name) => new(new GitSourceOptions
    {
        Url = _remote.Path,
        Branch = _remote.Branch,
        CacheDirectory = Path.Combine(_root.FullName, name),
    });

    private static string Env(JsonObject job, string name) =>
        job["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().OfType<JsonObject>()
            .Single(e => e["name"]!.GetValue<string>() == name)["value"]!.GetValue<string>();

    private static string VersionOf(JsonObject o) => o["metadata"]!["labels"]![ManagedLabels.Version]!.GetValue<string>();

    private static IEnumerable<JsonObject> OfKind(ReconcilerRig rig, string kind) => rig.Managed().Where(o => o["kind"]!.GetValue<string>() == kind);

    /// <summary>What the builtin trainer does for the Job that is not finished: fetch its dataset (a file here) and check
    /// its sha256 against the one the Job pins, then publish the model, its metrics and its lineage, and succeed.</summary>
    private async Task<string> TrainAsync(ReconcilerRig rig)
    {
        var job = OfKind(rig, "Job").Single(j => j["status"]?["succeeded"] is null);
        var version = VersionOf(job);
        var (uri, pinned) = (Env(job, TrainingContract.DatasetUri), Env(job, TrainingContract.DatasetSha256));
        var (sha, rows) = (pinned, 20000);
        if (uri.StartsWith("file:", StringComparison.Ordinal))
        {
            var bytes = await File.ReadAllBytesAsync(new Uri(uri).LocalPath);
            sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            Assert.Equal(pinned, sha);
            rows = Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;
        }
        var store = new FileArtifactStore(StoreRoot);
        async Task PutAsync(string file, string text) =>
            await store.CreateAsync(RegistryLayout.ArtifactFile("fraud", version, file), new MemoryStream(Encoding.UTF8.GetBytes(text)), "application/json", CancellationToken.None);
        var model = Encoding.UTF8.GetBytes($"onnx of {version}");
        await PutAsync(TrainingContract.MetricsFile, $$$"""{"auc": 0.91, "model": {"sizeBytes": {{{model.Length}}}, "sizeMb": 0.00002, "latencyP50Ms": 0.02, "latencyP99Ms": 0.05, "latencyRuns": 200}}""");
        await PutAsync(TrainingContract.LineageFile, $$$"""{"trainer": {"name": "gitops-builtin", "version": "0.1.0"}, "dataset": {"sha256": "{{{sha}}}", "rows": {{{rows}}}}, "hyperparameters": {}, "timing": {"startedAt": "2026-11-30T06:00:00Z", "finishedAt": "2026-11-30T06:01:00Z"}}""");
        await store.CreateAsync(RegistryLayout.ModelFile("fraud", version), new MemoryStream(model), "application/octet-stream", CancellationToken.None);
        rig.Cluster.Server.SetStatus(new ResourceKey(job["apiVersion"]!.GetValue<string>(), "Job", SpecRepository.Namespace, job["metadata"]!["name"]!.GetValue<string>()),
            new JsonObject { ["succeeded"] = 1 });
        return version;
    }

    private static async Task<ReconcileOutcome> RunAsync(ReconcilePass pass) => (await pass.RunAsync(["prod"], CancellationToken.None)).Single();

    private async Task<RetrainGeneration> GenerationAsync(ReconcilerRig rig) =>
        (await rig.Facts.ReadAsync("prod", CancellationToken.None))!.Facts.Retrains["fraud"];

    [Fact]
    public async Task Should_Train_Gate_And_Serve_A_Retrained_Version_Once_When_The_Schedule_Comes_And_Its_Dataset_Is_There()
    {
        // Given the repository served at its Git-pinned dataset
        Directory.CreateDirectory(Datasets);
        _remote.Commit("fraud platform", Repository());
        await using var rig = await StartAsync();
        var pass = rig.NewPass(git: Git("checkout"));
        await RunAsync(pass);
        var first = await TrainAsync(rig);
        await RunAsync(pass);
        Assert.Equal([first], OfKind(rig, "Deployment").Select(VersionOf).Distinct());
        Assert.Equal(0, (await GenerationAsync(rig)).Generation);

        // When the schedule comes but this week's dataset is not published yet
        _time.Advance(TimeSpan.FromDays(7));
        var uri = DatasetTemplates.Resolve(Template, _time.GetUtcNow());
        var waiting = await RunAsync(pass);

        // Then no generation, no training, the champion keeps serving, and the status says why
        Assert.IsType<ReconcileOutcome.NoChange>(waiting);
        Assert.Equal(0, (await GenerationAsync(rig)).Generation);
        Assert.DoesNotContain(OfKind(rig, "Job"), j => VersionOf(j) != first);
        Assert.Equal([first], OfKind(rig, "Deployment").Select(VersionOf).Distinct());
        Assert.Equal($"fraud retrain due: schedule every 7d (last 2026-11-23 03:00Z), but dataset {uri} does not exist yet; will retry next pass",
            (await rig.StatusAsync())!.Retraining);

        // When the dataset is published and the next pass runs
        var content = "amount,label\n12.5,0\n880.0,1\n3.2,0\n";
        await File.WriteAllTextAsync(new Uri(uri).LocalPath, content);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
        await RunAsync(pass);

        // Then generation 1 is recorded with the resolved URI and its sha256, and a Job trains the new version on it
        var generation = await GenerationAsync(rig);
        Assert.Equal((1, RetrainReasons.Schedule, uri, sha), (generation.Generation, generation.Reason, generation.DatasetUri, generation.DatasetSha256));
        var retrainJob = OfKind(rig, "Job").Single(j => j["status"]?["succeeded"] is null);
        var retrained = VersionOf(retrainJob);
        Assert.NotEqual(first, retrained);
        Assert.Equal((uri, sha), (Env(retrainJob, TrainingContract.DatasetUri), Env(retrainJob, TrainingContract.DatasetSha256)));
        var status = (await rig.StatusAsync())!.Retraining!;
        Assert.Equal($"fraud retrained: schedule every 7d (last 2026-11-23 03:00Z) → dataset {uri} sha256 {sha[..12]} (generation 1, version {retrained})", status);

        // When it has trained and the reconciler is restarted
        Assert.Equal(retrained, await TrainAsync(rig));
        await RunAsync(pass);
        var restarted = rig.NewPass(git: Git("restarted"));
        var afterRestart = await RunAsync(restarted);
        _time.Advance(TimeSpan.FromDays(1));
        var dayLater = await RunAsync(restarted);

        // Then the version passed its gates and is served, its record's lineage names the dataset, and nothing retrains again
        var record = await new ModelRegistry(new FileArtifactStore(StoreRoot)).ReadAsync("fraud", retrained, CancellationToken.None);
        Assert.NotNull(record);
        Assert.True(record.Passed, record.Gates.Summary);
        Assert.Equal((uri, sha, 3L), (record.Dataset.Uri, record.Dataset.Sha256, record.Dataset.Rows));
        Assert.Equal([retrained], OfKind(rig, "Deployment").Select(VersionOf).Distinct());
        Assert.IsType<ReconcileOutcome.NoChange>(afterRestart);
        Assert.IsType<ReconcileOutcome.NoChange>(dayLater);
        Assert.Equal(1, (await GenerationAsync(rig)).Generation);
        Assert.DoesNotContain(OfKind(rig, "Job"), j => VersionOf(j) != retrained || j["status"]?["succeeded"] is null);
        Assert.Contains("next by schedule every 7d: 2026-12-07 03:00Z", (await rig.StatusAsync())!.Retraining);
    }
}
