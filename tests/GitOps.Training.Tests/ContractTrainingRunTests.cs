using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using GitOps.Registry.Logs;
using GitOps.Registry.Publishing;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;
using GitOps.Testing.Artifacts;
using GitOps.Training.Artifacts;
using GitOps.Training.Contract;
using GitOps.Training.Datasets;

namespace GitOps.Training.Tests;

public sealed class ContractTrainingRunTests
{
    public sealed class TheRunAsyncMethod(StoreKinds stores) : IDisposable, IClassFixture<StoreKinds>
    {
        private readonly string _root = Directory.CreateTempSubdirectory("gitops-contract-run-").FullName;
        private readonly HttpClient _http = new();

        public void Dispose()
        {
            _http.Dispose();
            Directory.Delete(_root, recursive: true);
        }

        private (byte[] Bytes, string Sha) FraudCsv()
        {
            var path = Path.Combine(_root, "source.csv");
            FraudDataset.WriteFile(path, 1500, 5);
            var bytes = File.ReadAllBytes(path);
            File.Delete(path);
            return (bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }

        private TrainerInputs Inputs(string datasetUri, string sha, string artifactUri) => new()
        {
            DatasetUri = datasetUri,
            DatasetSha256 = sha,
            ArtifactUri = artifactUri,
            Label = FraudDataset.Label,
            Task = ModelTasks.BinaryClassification,
            Algorithm = BuiltinAlgorithms.FastTree,
            Hyperparameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("numberOfTrees", "20")]),
            OutputDirectory = Path.Combine(_root, "output"),
            ModelName = "fraud",
            ModelVersion = "0123456789ab",
        };

        [Fact]
        public async Task Should_Fetch_The_Dataset_Over_Http_And_Publish_The_Model_To_A_File_Store()
        {
            // Given
            using var server = new ArtifactHttpServer();
            var (bytes, sha) = FraudCsv();
            server.Files["/datasets/fraud.csv"] = bytes;
            var datasetUri = $"{server.BaseUri}/datasets/fraud.csv";
            var store = Path.Combine(_root, "store", "fraud", "0123456789ab");
            var run = new ContractTrainingRun(new ArtifactTransfer(_http), TimeProvider.System);

            var steps = new List<TrainingProgress>();

            // When
            var outcome = await run.RunAsync(Inputs(datasetUri, sha, new Uri(store).AbsoluteUri), CancellationToken.None, new TrainingProgress.Relay(steps.Add));

            // Then
            Assert.True(outcome.Training!.Succeeded, outcome.Training!.Error);
            Assert.True(outcome.Published!.Succeeded);
            Assert.Equal(Enumerable.Range(1, 7), steps.Select(s => s.Step));
            Assert.Equal(("fetching the dataset", "publishing the model"), (steps[0].Phase, steps[^1].Phase));
            var verification = OutputVerifier.Verify(store, sha);
            Assert.True(verification.IsValid, string.Join("; ", verification.Problems.Select(p => p.Message)));
            using var lineage = JsonDocument.Parse(File.ReadAllText(Path.Combine(store, "lineage.json")));
            Assert.Contains(datasetUri, lineage.RootElement.GetRawText());
        }

        [Fact]
        public async Task Should_Append_The_Metrics_Of_Every_Step_To_The_Progress_Log_When_Progress_Steps_Are_Set()
        {
            // Given
            using var server = new ArtifactHttpServer();
            var (bytes, sha) = FraudCsv();
            server.Files["/datasets/fraud.csv"] = bytes;
            var root = Path.Combine(_root, "store");
            var run = new ContractTrainingRun(new ArtifactTransfer(_http), TimeProvider.System);
            var inputs = Inputs($"{server.BaseUri}/datasets/fraud.csv", sha, new Uri(Path.Combine(root, "fraud", "0123456789ab")).AbsoluteUri) with { ProgressSteps = 4 };

            // When
            var outcome = await run.RunAsync(inputs, CancellationToken.None);

            // Then
            Assert.True(outcome.Training!.Succeeded, outcome.Training.Error);
            var store = new FileArtifactStore(root);
            var entries = await new AppendOnlyLog(store, $"fraud/0123456789ab/{TrainingContract.ProgressFolder}").ReadAllAsync(CancellationToken.None);
            var stages = entries.Select(e => RegistryJson.Deserialize<TrainingStage>(e)!).ToList();
            Assert.Equal([1, 2, 3, 4], stages.Select(s => s.Step));
            Assert.Equal([5, 10, 15, 20], stages.Select(s => s.Iterations));
            Assert.All(stages, s => Assert.InRange(s.Metrics["auc"], 0.5, 1.0));
            Assert.Equal(outcome.Training.Result!.Metrics["auc"], stages[^1].Metrics["auc"]);
            Assert.NotEqual(stages[0].Metrics["auc"], stages[^1].Metrics["auc"]);
        }

        [Fact]
        public async Task Should_Not_Train_Or_Publish_When_The_Dataset_Digest_Differs()
        {
            // Given
            using var server = new ArtifactHttpServer();
            var (bytes, _) = FraudCsv();
            server.Files["/datasets/fraud.csv"] = bytes;
            var store = Path.Combine(_root, "store");
            var run = new ContractTrainingRun(new ArtifactTransfer(_http), TimeProvider.System);

            // When
            var outcome = await run.RunAsync(Inputs($"{server.BaseUri}/datasets/fraud.csv", new string('0', 64), store), CancellationToken.None);

            // Then
            Assert.False(outcome.Training!.Succeeded);
            Assert.Equal(ExitCode.Usage, outcome.Training!.ExitCode);
            Assert.Contains("sha256", outcome.Training!.Error);
            Assert.Null(outcome.Published);
            Assert.False(Directory.Exists(store));
            Assert.False(Directory.Exists(Path.Combine(_root, "output")));
        }

        [Fact]
        public async Task Should_Prefer_A_Local_Dataset_Over_The_Uri()
        {
            // Given
            var (bytes, sha) = FraudCsv();
            var local = Path.Combine(_root, "local.csv");
            File.WriteAllBytes(local, bytes);
            var store = Path.Combine(_root, "store");
            var run = new ContractTrainingRun(new ArtifactTransfer(_http), TimeProvider.System);
            var inputs = Inputs("gs://unreachable/fraud.csv", sha, store) with { Dataset = local };

            // When
            var outcome = await run.RunAsync(inputs, CancellationToken.None);

            // Then
            Assert.True(outcome.Training!.Succeeded, outcome.Training!.Error);
            Assert.True(File.Exists(Path.Combine(store, "model.onnx")));
        }

        [Theory]
        [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
        public async Task Should_Find_The_Published_Version_Without_Training_When_A_Job_Is_Retried_After_A_Complete_Publish(string kind)
        {
            // Given a version an earlier attempt trained and published completely
            var (bytes, sha) = FraudCsv();
            var local = Path.Combine(_root, "local.csv");
            File.WriteAllBytes(local, bytes);
            var folder = $"t-{Guid.NewGuid():N}/fraud/0123456789ab";
            var store = stores.Uri(kind, folder);
            var run = new ContractTrainingRun(new ArtifactTransfer(_http, null, stores.Variables), TimeProvider.System);
            var first = await run.RunAsync(Inputs("unused", sha, store) with { Dataset = local }, CancellationToken.None);
            var published = await stores.ReadAsync(kind, $"{folder}/model.onnx");
            var keys = await stores.KeysAsync(kind, folder);
            var retryOutput = Path.Combine(_root, "retry-output");

            // When the Job is retried (e.g. its pod was evicted after publishing)
            var retry = await run.RunAsync(Inputs("unused", sha, store) with { Dataset = local, OutputDirectory = retryOutput },
                CancellationToken.None);

            // Then it succeeds with the published version's digest, trains nothing and writes nothing
            Assert.True(first.Published!.Succeeded, first.Published.Error);
            Assert.True(retry.AlreadyPublished);
            Assert.True(retry.Published!.Succeeded, retry.Published.Error);
            Assert.Equal(PublishKind.AlreadyPublished, retry.Published.Publish);
            Assert.Equal(keys, await stores.KeysAsync(kind, folder));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(published!)), retry.Published.Sha256);
            Assert.Equal(first.Published.Sha256, retry.Published.Sha256);
            Assert.False(Directory.Exists(retryOutput));
            Assert.Equal(published, await stores.ReadAsync(kind, $"{folder}/model.onnx"));
        }
    }
}
