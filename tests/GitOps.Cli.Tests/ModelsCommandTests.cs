using System.Collections.Immutable;
using System.Text.Json;
using GitOps.Cli.Tests.Support;
using GitOps.Registry;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Testing.Artifacts;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class ModelsCommandTests
{
    /// <summary>A repository with environments staging and prod sharing one file store, holding two recorded
    /// versions of fraud-detector (one rejected by its gate) and staging's deploy history.</summary>
    public sealed class Registry : IDisposable
    {
        public const string Passing = "9a75b5701b77";
        public const string Rejected = "1c2d3e4f5a6b";

        public Registry()
        {
            var store = Path.Combine(Root, "store");
            StoreUri = new Uri(store).AbsoluteUri;
            foreach (var env in new[] { "staging", "prod" })
            {
                Directory.CreateDirectory(Path.Combine(Root, "repo", "environments", env));
                File.WriteAllText(Path.Combine(Root, "repo", "environments", env, "environment.yaml"), $"""
                    apiVersion: ml.gitops/v1alpha1
                    kind: Environment
                    metadata:
                      name: {env}
                    spec:
                      cluster:
                        kubernetes:
                          inCluster: true
                      namespace: ml-{env}
                      router: replicas
                      artifacts:
                        uri: {StoreUri}

                    """);
            }
            var registry = new ModelRegistry(new FileArtifactStore(store));
            registry.RecordAsync(Record(Passing, 0.91, true, new DateTimeOffset(2026, 11, 30, 6, 2, 0, TimeSpan.Zero)), CancellationToken.None).GetAwaiter().GetResult();
            registry.RecordAsync(Record(Rejected, 0.81, false, new DateTimeOffset(2026, 11, 30, 7, 2, 0, TimeSpan.Zero)), CancellationToken.None).GetAwaiter().GetResult();
            Append(registry, RegistryEventTypes.Recorded, Passing, "reconciler", "gates passed", 6, 2);
            Append(registry, RegistryEventTypes.Deployed, Passing, "reconciler", "rollout completed", 6, 30);
            Append(registry, RegistryEventTypes.Rejected, Rejected, "reconciler", "gates failed: fraud-quality/auc-floor: auc 0.81 < 0.85", 7, 2);
            Append(registry, RegistryEventTypes.Aborted, Rejected, "alice", "rollout aborted by alice", 7, 5);
        }

        public string Root { get; } = Directory.CreateTempSubdirectory("gitops-models-cli-").FullName;

        public string Repo => Path.Combine(Root, "repo");

        public string StoreUri { get; }

        public void Dispose() => Directory.Delete(Root, recursive: true);

        private static void Append(ModelRegistry registry, string type, string version, string by, string reason, int hour, int minute) =>
            registry.AppendEventAsync(new RegistryEvent
            {
                Type = type,
                Model = "fraud-detector",
                Environment = "staging",
                Version = version,
                Commit = "0123456789abcdef0123456789abcdef01234567",
                At = new DateTimeOffset(2026, 11, 30, hour, minute, 0, TimeSpan.Zero),
                By = by,
                Reason = reason,
            }, CancellationToken.None).GetAwaiter().GetResult();

        private static ModelRecord Record(string version, double auc, bool passed, DateTimeOffset at) => new()
        {
            Model = "fraud-detector",
            Version = version,
            Environment = "staging",
            Source = new SourceLineage("0123456789abcdef0123456789abcdef01234567", new string('b', 64)),
            Dataset = new DatasetLineage("https://data.example.com/fraud.csv", new string('d', 64), 20000),
            Trainer = new TrainerLineage("gitops/trainer:0.1.0", "gitops-builtin", "0.1.0"),
            Job = new JobLineage($"fraud-detector-train-{version}", at.AddMinutes(-2), at.AddMinutes(-1)),
            Metrics = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("auc", auc)]),
            Facts = new MeasuredFacts(81234, 0.0775, 0.05, 0.12, 200),
            Artifact = new ArtifactLineage($"file:///store/fraud-detector/{version}/model.onnx", new string('a', 64), 81234),
            Gates = new GateVerdicts(passed, passed ? null : Passing,
                [new GateVerdict("fraud-quality", "auc-floor", passed, passed ? "auc 0.91 >= 0.85" : "auc 0.81 < 0.85")]),
            RecordedAt = at,
        };
    }

    public sealed class TheListCommand(Registry registry) : IClassFixture<Registry>
    {
        [Fact]
        public async Task Should_Show_Each_Model_With_Its_Latest_Version_And_What_The_Environment_Serves()
        {
            // When
            var result = await CliRunner.RunAsync("models", "list", "--env", "staging", "--repo", registry.Repo);

            // Then
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Serving in staging", result.Stdout);
            var row = result.Stdout.Split('\n').Single(l => l.Contains("fraud-detector", StringComparison.Ordinal));
            Assert.Contains(Registry.Rejected, row);
            Assert.Contains("failed", row);
            Assert.Contains(Registry.Passing, row);
        }

        [Fact]
        public async Task Should_Write_Json_When_Asked_For_A_Store_Named_Directly()
        {
            // When
            var result = await CliRunner.RunAsync("models", "list", "--store", registry.StoreUri, "--repo", registry.Repo, "--format", "json");

            // Then
            Assert.Equal(0, result.ExitCode);
            using var json = JsonDocument.Parse(result.Stdout);
            var model = json.RootElement.GetProperty("models")[0];
            Assert.Equal("fraud-detector", model.GetProperty("model").GetString());
            Assert.Equal(2, model.GetProperty("versions").GetInt32());
            Assert.Equal(Registry.Rejected, model.GetProperty("latest").GetString());
        }

        [Fact]
        public async Task Should_Suggest_The_Environment_When_Its_Name_Is_Mistyped()
        {
            // When
            var result = await CliRunner.RunAsync("models", "list", "--env", "stagng", "--repo", registry.Repo);

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("did you mean 'staging'?", result.Stderr);
        }

        [Fact]
        public async Task Should_Fail_With_Exit_Code_1_When_The_Store_Is_Down()
        {
            // Given
            using var server = new ArtifactHttpServer { Down = true };

            // When
            var result = await CliRunner.RunAsync("models", "list", "--store", server.BaseUri + "/store", "--repo", registry.Repo);

            // Then
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("HTTP 503", result.Stderr);
        }
    }

    public sealed class TheShowCommand(Registry registry) : IClassFixture<Registry>
    {
        [Fact]
        public async Task Should_Show_Lineage_Metrics_Gate_Values_And_Where_The_Version_Is_Served()
        {
            // When
            var result = await CliRunner.RunAsync("models", "show", "fraud-detector", "--version", Registry.Passing, "--env", "prod", "--repo", registry.Repo);

            // Then
            Assert.Equal(0, result.ExitCode);
            Assert.Contains($"fraud-detector {Registry.Passing}: gates passed", result.Stdout);
            Assert.Contains("commit 0123456789abcdef0123456789abcdef01234567", result.Stdout);
            Assert.Contains("https://data.example.com/fraud.csv", result.Stdout);
            Assert.Contains("auc 0.91", result.Stdout);
            Assert.Contains("auc 0.91 >= 0.85", result.Stdout);
            Assert.Contains("staging (stable since 2026-11-30 06:30:00Z, deployed)", result.Stdout);
        }

        [Fact]
        public async Task Should_Show_The_Latest_Version_With_Its_Failed_Rule_As_Json()
        {
            // When
            var result = await CliRunner.RunAsync("models", "show", "fraud-detector", "--env", "staging", "--repo", registry.Repo, "-o", "json");

            // Then
            Assert.Equal(0, result.ExitCode);
            using var json = JsonDocument.Parse(result.Stdout);
            var record = json.RootElement.GetProperty("record");
            Assert.Equal(Registry.Rejected, record.GetProperty("version").GetString());
            var rule = record.GetProperty("gates").GetProperty("rules")[0];
            Assert.False(rule.GetProperty("passed").GetBoolean());
            Assert.Equal("auc 0.81 < 0.85", rule.GetProperty("reason").GetString());
            Assert.Equal(0, json.RootElement.GetProperty("served").GetArrayLength());
        }

        [Fact]
        public async Task Should_Suggest_The_Model_When_Its_Name_Is_Mistyped()
        {
            // When
            var result = await CliRunner.RunAsync("models", "show", "fraud-detectr", "--env", "staging", "--repo", registry.Repo);

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("model 'fraud-detectr' has no record", result.Stderr);
            Assert.Contains("did you mean 'fraud-detector'?", result.Stderr);
            Assert.Empty(result.Stdout);
        }

        [Fact]
        public async Task Should_Suggest_The_Version_When_It_Is_Mistyped()
        {
            // When
            var result = await CliRunner.RunAsync("models", "show", "fraud-detector", "--version", "9a75b5701b7f", "--env", "staging", "--repo", registry.Repo);

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"did you mean '{Registry.Passing}'?", result.Stderr);
        }
    }

    public sealed class TheHistoryCommand(Registry registry) : IClassFixture<Registry>
    {
        [Fact]
        public async Task Should_List_The_Environments_Events_In_Order_With_Who_Did_What()
        {
            // When
            var result = await CliRunner.RunAsync("models", "history", "fraud-detector", "--env", "staging", "--repo", registry.Repo);

            // Then
            Assert.Equal(0, result.ExitCode);
            var rows = result.Stdout.Split('\n').Where(l => l.Contains(Registry.Passing, StringComparison.Ordinal) || l.Contains(Registry.Rejected, StringComparison.Ordinal)).ToList();
            Assert.Equal(4, rows.Count);
            Assert.Contains("recorded", rows[0]);
            Assert.Contains("deployed", rows[1]);
            Assert.Contains("rejected", rows[2]);
            Assert.Contains("aborted", rows[3]);
            Assert.Contains("alice", rows[3]);
            Assert.Contains("0123456789ab", rows[1]);
        }

        [Fact]
        public async Task Should_Write_The_Events_As_Json()
        {
            // When
            var result = await CliRunner.RunAsync("models", "history", "fraud-detector", "--env", "staging", "--repo", registry.Repo, "-o", "json");

            // Then
            Assert.Equal(0, result.ExitCode);
            using var json = JsonDocument.Parse(result.Stdout);
            var events = json.RootElement.GetProperty("events");
            Assert.Equal(["recorded", "deployed", "rejected", "aborted"], events.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
            Assert.Equal("alice", events[3].GetProperty("by").GetString());
        }

        [Fact]
        public async Task Should_Require_The_Environment()
        {
            // When
            var result = await CliRunner.RunAsync("models", "history", "fraud-detector", "--repo", registry.Repo);

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("--env", result.Stderr);
        }
    }

    public sealed class ADamagedStore : IDisposable
    {
        private readonly DamagedStore _damaged = new();

        private string Store => _damaged.Root;

        public void Dispose() => _damaged.Dispose();

        private string Entry(string folder, string json) => _damaged.Entry(folder, json);

        [Theory]
        [InlineData("{}", "required field(s) missing: 'model'")]
        [InlineData("""{"model":null}""", "a required field is null (at $.model")]
        public async Task Should_Exit_1_Naming_The_Entry_File_When_A_Model_Index_Entry_Lacks_Its_Model(string json, string reason)
        {
            // Given
            var file = Entry("registry/_models", json);

            // When
            var result = await CliRunner.RunAsync("models", "list", "--store", Store);

            // Then
            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"error: '{file}' is not a valid model index entry: {reason}", result.Stderr);
            Assert.DoesNotContain("internal error", result.Stderr);
        }

        [Fact]
        public async Task Should_Exit_1_Naming_The_Version_Log_When_An_Indexed_Model_Has_No_Version()
        {
            // Given a model in the index whose version log is gone
            Entry("registry/_models", """{"model":"fraud-detector"}""");

            // When
            var result = await CliRunner.RunAsync("models", "show", "fraud-detector", "--store", Store);

            // Then
            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"'{Path.Combine(Store, "registry", "fraud-detector", "versions", "00000001.json")}' is missing", result.Stderr);
            Assert.Contains("restore the registry folder from a backup", result.Stderr);
            Assert.DoesNotContain("internal error", result.Stderr);
        }
    }
}
