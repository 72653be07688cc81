using System.Security.Cryptography;
using System.Text;
using GitOps.Planning.Rendering;
using GitOps.Planning.Retraining;
using GitOps.Policy;
using GitOps.Reconciler.Analysis;
using GitOps.Reconciler.Registry;
using GitOps.Reconciler.Retraining;
using GitOps.Reconciler.Tests.Support;
using GitOps.Registry.Stores;
using GitOps.Rollouts.Analysis;
using GitOps.Specs;
using GitOps.Specs.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GitOps.Reconciler.Tests.Retraining;

public sealed class RetrainStepTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);

    /// <summary>Answers every query with one value, and remembers the queries (a scripted metrics port).</summary>
    private sealed class ScriptedDrift(double? value) : IMetricsQuery
    {
        public List<string> Queries { get; } = [];

        public Task<Observation> QueryAsync(string query, DateTimeOffset at, CancellationToken cancellationToken)
        {
            Queries.Add(query);
            return Task.FromResult(value is { } v ? Observation.Of(query, v) : Observation.NoData(query));
        }

        public Task<RangeAnswer> QueryRangeAsync(string query, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken) =>
            Task.FromResult(RangeAnswer.Failed(query, "not scripted"));
    }

    public sealed class TheStepAsyncMethod : IDisposable
    {
        private readonly DirectoryInfo _datasets = Directory.CreateTempSubdirectory("gitops-retrain-step-");
        private readonly FakeTimeProvider _time = new(Start);
        private readonly InMemoryRegistryFactStore _store = new();
        private readonly HttpClient _http = new();
        private readonly ListLoggerProvider _logs = new();

        public void Dispose()
        {
            _http.Dispose();
            _logs.Dispose();
            _datasets.Delete(recursive: true);
        }

        private string Template => new Uri(_datasets.FullName + "/").AbsoluteUri + "fraud-{date}.csv";

        private string UriFor(DateTimeOffset day) => DatasetTemplates.Resolve(Template, day);

        private string WriteDataset(DateTimeOffset day, string content)
        {
            File.WriteAllText(new Uri(UriFor(day)).LocalPath, content);
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
        }

        private SpecSet Specs(string retrain, string prometheus = "http://127.0.0.1:1", string? promotion = null)
        {
            var files = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["environments/staging/environment.yaml"] = SpecRepository.Environment("staging", @namespace: "ml-staging") + $"  prometheus:\n    url: {prometheus}\n",
                ["environments/prod/environment.yaml"] = SpecRepository.Environment("prod")
                    + (promotion is null ? "" : $"  promotion:\n    from: {promotion}\n    soak: 1h\n"),
                ["models/fraud/model.yaml"] = SpecRepository.Model("fraud")
                    .Replace("    hyperparameters:", $"    retrain:\n      uriTemplate: {Template}\n{retrain}    hyperparameters:", StringComparison.Ordinal)
                    .Replace("environments: [prod]", "environments: [staging, prod]", StringComparison.Ordinal),
            };
            if (promotion is not null)
            {
                files["models/fraud/model.yaml"] = SpecRepository.Gated(files["models/fraud/model.yaml"]);
                files[SpecRepository.GatePath] = SpecRepository.Gate;
            }
            var load = RepositoryValidator.Validate(files.Select(f => new SourceFile(f.Key, Encoding.UTF8.GetBytes(f.Value))));
            Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
            return load.Specs;
        }

        private RetrainStep Step(IMetricsQuery? prometheus = null) =>
            new(_store, (uri, ct) => DatasetDigests.OfAsync(uri, _http, null, null, ct), _time, _logs.CreateFactory().CreateLogger<RetrainStep>(),
                prometheus is null ? null : _ => prometheus);

        private async Task<RetrainStepResult> StepAsync(RetrainStep step, SpecSet specs, string environment = "staging", RegistryFacts? facts = null)
        {
            var known = facts ?? (await _store.ReadAsync(environment, CancellationToken.None))?.Facts ?? RegistryFacts.Empty;
            return await step.StepAsync(specs, specs.Environment(environment)!, known, CancellationToken.None);
        }

        private async Task<RetrainGeneration?> RecordedAsync(string environment = "staging") =>
            (await _store.ReadAsync(environment, CancellationToken.None))?.Facts.Retrains.GetValueOrDefault("fraud");

        [Fact]
        public async Task Should_Record_A_Generation_With_The_Datasets_Sha256_Before_Training_When_The_Schedule_Is_Due()
        {
            // Given a model retrained every 7d, first seen now, and next week's dataset published
            var specs = Specs("      schedule: 7d\n");
            var step = Step();
            var first = await StepAsync(step, specs);
            _time.Advance(TimeSpan.FromDays(7));
            var sha = WriteDataset(_time.GetUtcNow(), "amount,label\n1,0\n2,1\n");

            // When
            var due = await StepAsync(step, specs);

            // Then the baseline was recorded first, then generation 1 with the resolved URI and its sha256
            Assert.Equal(0, Assert.Single(first.Facts.Retrains).Value.Generation);
            var recorded = await RecordedAsync();
            Assert.NotNull(recorded);
            Assert.Equal((1, RetrainReasons.Schedule, UriFor(_time.GetUtcNow()), sha), (recorded.Generation, recorded.Reason, recorded.DatasetUri, recorded.DatasetSha256));
            Assert.Equal("schedule every 7d (last 2026-11-23 03:00Z)", recorded.Detail);
            var model = due.Specs.Model("fraud")!;
            Assert.Equal(new DatasetRef(UriFor(_time.GetUtcNow()), sha), model.Spec.Training.Dataset);
            var staging = specs.Environment("staging")!;
            Assert.NotEqual(ModelVersions.Compute(specs.Model("fraud")!, staging), ModelVersions.Compute(model, staging));
            Assert.Equal($"fraud retrained: schedule every 7d (last 2026-11-23 03:00Z) → dataset {UriFor(_time.GetUtcNow())} sha256 {sha[..12]} (generation 1, version {ModelVersions.Compute(model, staging)})",
                Assert.Single(due.Lines));
        }

        [Fact]
        public async Task Should_Record_Nothing_And_Say_It_Will_Retry_When_Todays_Dataset_Does_Not_Exist_Yet()
        {
            // Given a due schedule and no dataset for today
            var specs = Specs("      schedule: 7d\n");
            var step = Step();
            await StepAsync(step, specs);
            _time.Advance(TimeSpan.FromDays(7));

            // When
            var missing = await StepAsync(step, specs);

            // Then no generation, the Git model unchanged, and the status says what waits for what
            Assert.Equal(0, (await RecordedAsync())!.Generation);
            Assert.Same(specs, missing.Specs);
            Assert.Equal($"fraud retrain due: schedule every 7d (last 2026-11-23 03:00Z), but dataset {UriFor(_time.GetUtcNow())} does not exist yet; will retry next pass",
                Assert.Single(missing.Lines));

            // And the next pass after the dataset appears records it
            _time.Advance(TimeSpan.FromHours(1));
            var sha = WriteDataset(_time.GetUtcNow(), "amount,label\n3,1\n");
            await StepAsync(step, specs);
            Assert.Equal((1, sha), ((await RecordedAsync())!.Generation, (await RecordedAsync())!.DatasetSha256));
        }

        [Fact]
        public async Task Should_Say_The_Dataset_Cannot_Be_Read_And_Record_Nothing_When_Its_Store_Is_Unusable()
        {
            // Given a due schedule whose dataset is a folder, not a file
            var specs = Specs("      schedule: 7d\n");
            var step = Step();
            await StepAsync(step, specs);
            _time.Advance(TimeSpan.FromDays(7));
            Directory.CreateDirectory(new Uri(UriFor(_time.GetUtcNow())).LocalPath);

            // When
            var unreadable = await StepAsync(step, specs);

            // Then
            Assert.Equal(0, (await RecordedAsync())!.Generation);
            Assert.Same(specs, unreadable.Specs);
            var line = Assert.Single(unreadable.Lines);
            Assert.StartsWith($"fraud retrain due: schedule every 7d (last 2026-11-23 03:00Z), but dataset {UriFor(_time.GetUtcNow())} ", line);
            Assert.EndsWith("; will retry next pass", line);
        }

        [Fact]
        public async Task Should_Keep_The_Version_When_The_Due_Dataset_Has_The_Same_Content()
        {
            // Given generation 1 on a dataset, and a week later the same bytes again
            var specs = Specs("      schedule: 7d\n");
            var step = Step();
            await StepAsync(step, specs);
            _time.Advance(TimeSpan.FromDays(7));
            WriteDataset(_time.GetUtcNow(), "amount,label\n1,0\n");
            var retrained = await StepAsync(step, specs);
            _time.Advance(TimeSpan.FromDays(7));
            WriteDataset(_time.GetUtcNow(), "amount,label\n1,0\n");

            // When
            var same = await StepAsync(step, specs);

            // Then the check is recorded (the schedule counts from it) and the version does not move
            var staging = specs.Environment("staging")!;
            Assert.Equal(ModelVersions.Compute(retrained.Specs.Model("fraud")!, staging), ModelVersions.Compute(same.Specs.Model("fraud")!, staging));
            var recorded = (await RecordedAsync())!;
            Assert.Equal(2, recorded.Generation);
            Assert.EndsWith("dataset unchanged", recorded.Detail);
            Assert.Contains("is unchanged; the version stays", Assert.Single(same.Lines));
        }

        [Fact]
        public async Task Should_Not_Retrain_Again_When_A_Restarted_Reconciler_Passes_After_A_Generation_Was_Recorded()
        {
            // Given generation 1 recorded by one reconciler
            var specs = Specs("      schedule: 7d\n");
            await StepAsync(Step(), specs);
            _time.Advance(TimeSpan.FromDays(7));
            WriteDataset(_time.GetUtcNow(), "amount,label\n5,1\n");
            var before = await StepAsync(Step(), specs);

            // When a new one (a restart) passes at once and a day later
            var restarted = await StepAsync(Step(), specs);
            _time.Advance(TimeSpan.FromDays(1));
            var later = await StepAsync(Step(), specs);

            // Then it trains the same generation's model and records nothing new
            Assert.Equal(1, (await RecordedAsync())!.Generation);
            Assert.Equal(before.Specs.Model("fraud"), restarted.Specs.Model("fraud"));
            Assert.Equal(before.Specs.Model("fraud"), later.Specs.Model("fraud"));
            Assert.StartsWith("fraud retrained: schedule every 7d (last 2026-11-23 03:00Z) → dataset", Assert.Single(later.Lines));
            Assert.Contains("next by schedule every 7d: 2026-12-07 03:00Z", later.Lines[0]);
        }

        [Fact]
        public async Task Should_Retrain_On_Drift_When_The_Served_Version_Stayed_Over_The_Threshold()
        {
            // Given a served version whose score drift stayed at 0.31 over a 0.2 threshold for the whole hour
            var specs = Specs("      onDrift: {metric: score, threshold: 0.2, for: 1h}\n");
            var drift = new ScriptedDrift(0.31);
            var step = Step(drift);
            var facts = RegistryFacts.Empty.WithDeployment("fraud", "staging", new DeploymentFacts("9a75b5701b77", null));
            await StepAsync(step, specs, facts: facts);
            _time.Advance(TimeSpan.FromDays(1));
            var sha = WriteDataset(_time.GetUtcNow(), "amount,label\n9,1\n");

            // When
            var result = await StepAsync(step, specs, facts: facts.WithRetrain("fraud", (await RecordedAsync())!));

            // Then the served version's drift was asked for, and a drift generation recorded
            Assert.Equal(RetrainQueries.Drift(new DriftTrigger("score", null, 0.2, "1h"), "ml-staging", "fraud", "9a75b5701b77"), Assert.Single(drift.Queries));
            var recorded = (await RecordedAsync())!;
            Assert.Equal((RetrainReasons.Drift, "score drift 0.31 > 0.2 for 1h (version 9a75b5701b77)", sha), (recorded.Reason, recorded.Detail, recorded.DatasetSha256));
            Assert.StartsWith("fraud retrained: score drift 0.31 > 0.2 for 1h (version 9a75b5701b77) → dataset", Assert.Single(result.Lines));
        }

        [Fact]
        public async Task Should_Not_Retrain_On_Drift_And_Say_Why_When_Prometheus_Does_Not_Answer()
        {
            // Given a served version, a drift trigger and a Prometheus nobody listens on
            var specs = Specs("      onDrift: {metric: score, threshold: 0.2, for: 1h}\n");
            var step = Step(PrometheusClient.For(new Uri("http://127.0.0.1:1")));
            var facts = RegistryFacts.Empty.WithDeployment("fraud", "staging", new DeploymentFacts("9a75b5701b77", null));
            await StepAsync(step, specs, facts: facts);
            _time.Advance(TimeSpan.FromDays(2));
            WriteDataset(_time.GetUtcNow(), "amount,label\n9,1\n");

            // When
            var result = await StepAsync(step, specs, facts: facts.WithRetrain("fraud", (await RecordedAsync())!));

            // Then nothing is recorded and the status says drift was not measured
            Assert.Equal(0, (await RecordedAsync())!.Generation);
            Assert.Same(specs, result.Specs);
            Assert.Contains("drift not measured: Prometheus http://127.0.0.1:1/ did not answer", Assert.Single(result.Lines));
            Assert.Contains(_logs.Lines, l => l.Contains("drift not measured", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_Follow_The_Source_Environments_Generation_When_The_Environment_Is_Fed_By_Promotion()
        {
            // Given staging retrained to generation 1, and prod promoted from staging
            var specs = Specs("      schedule: 7d\n", promotion: "staging");
            await StepAsync(Step(), specs);
            _time.Advance(TimeSpan.FromDays(7));
            var sha = WriteDataset(_time.GetUtcNow(), "amount,label\n4,0\n");
            var staging = await StepAsync(Step(), specs);

            // When prod passes
            var prod = await StepAsync(Step(), specs, "prod");

            // Then prod takes staging's retrained model and records nothing of its own
            Assert.Equal(sha, prod.Specs.Model("fraud")!.Spec.Training.Dataset.Sha256);
            Assert.Equal(staging.Specs.Model("fraud"), prod.Specs.Model("fraud"));
            Assert.Null(await RecordedAsync("prod"));
            Assert.EndsWith("; received from staging by promotion", Assert.Single(prod.Lines));
        }
    }
}
