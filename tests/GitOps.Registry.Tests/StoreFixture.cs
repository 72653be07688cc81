using System.Collections.Immutable;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Testing.Artifacts;

namespace GitOps.Registry.Tests;

/// <summary>A file store in a temporary folder and an HTTP store on 127.0.0.1, for tests that must hold for both.</summary>
public sealed class StoreFixture : IDisposable
{
    public const string File = "file";
    public const string Http = "http";

    private readonly HttpClient _http = new();

    public string Root { get; } = Directory.CreateTempSubdirectory("gitops-registry-tests-").FullName;

    public ArtifactHttpServer Server { get; } = new();

    public IArtifactStore Open(string kind) => kind == File
        ? new FileArtifactStore(Path.Combine(Root, "store"))
        : new HttpArtifactStore(_http, new Uri(Server.BaseUri + "/store/"));

    public static ModelRecord Record(string version = "9a75b5701b77", double auc = 0.9, string sha = "aa", bool passed = true) => new()
    {
        Model = "fraud",
        Version = version,
        Environment = "staging",
        Source = new SourceLineage("0123456789abcdef0123456789abcdef01234567", new string('b', 64)),
        Dataset = new DatasetLineage("https://data.example.com/fraud.csv", new string('d', 64), 20000),
        Trainer = new TrainerLineage("gitops/trainer:0.1.0", "gitops-builtin", "0.1.0"),
        Job = new JobLineage($"fraud-train-{version}-abcdef", new DateTimeOffset(2026, 11, 30, 6, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 30, 6, 1, 0, TimeSpan.Zero)),
        Metrics = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("auc", auc)]),
        Facts = new MeasuredFacts(81234, 0.0775, 0.05, 0.12, 200),
        Artifact = new ArtifactLineage($"file:///store/fraud/{version}/model.onnx", sha, 81234),
        Gates = new GateVerdicts(passed, null,
            [new GateVerdict("fraud-quality", "min-auc", passed, passed ? "metrics.auc >= 0.85 is true (metrics.auc = 0.9)" : "auc 0.81 < 0.85")]),
        RecordedAt = new DateTimeOffset(2026, 11, 30, 6, 2, 0, TimeSpan.Zero),
    };

    public void Dispose()
    {
        Server.Dispose();
        _http.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
