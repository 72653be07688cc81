using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Experiments;
using GitOps.Planning.Rendering;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Experiments;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;
using GitOps.Reconciler.Tests.Support;
using GitOps.Registry;
using GitOps.Registry.Logs;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Specs;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Reconciler.Tests.Experiments;

public sealed class ExperimentRunnerTests
{
    /// <summary>
    /// One model trained on a GPU pool whose quota is 2, and a grid experiment over four tree counts with parallelism
    /// 3 and the median stopping rule from step 1 once two trials completed.
    /// </summary>
    private static SpecSet Specs(string storeUri)
    {
        var environment = SpecRepository.Environment() + $"""
              artifacts:
                uri: {storeUri}
              gpuPools:
                - name: a100
                  resource: nvidia.com/gpu
                  quota: 2
                  pricePerGpuHour: 3

            """;
        var model = SpecRepository.Model("fraud", trees: 100)
            .Replace("    hyperparameters:", "    resources:\n      gpus: 1\n      pool: a100\n    hyperparameters:", StringComparison.Ordinal);
        var experiment = TrialFixtures.Experiment(parallelism: 3, """
              earlyStopping:
                rule: median
                minTrials: 2
                startStep: 1

            """);
        var load = RepositoryValidator.Validate([
            SourceFile.FromText("environments/prod/environment.yaml", environment),
            SourceFile.FromText("models/fraud/model.yaml", model),
            SourceFile.FromText("models/fraud/experiment.yaml", experiment),
        ]);
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        return load.Specs;
    }

    public sealed class TheStepAsyncMethod : IAsyncLifetime
    {
        private readonly string _root = Directory.CreateTempSubdirectory("gitops-experiment-k8s-").FullName;
        private FakeCluster _cluster = null!;
        private FileArtifactStore _store = null!;
        private ExperimentRunPlan _plan = null!;

        public async Task InitializeAsync()
        {
            _cluster = await FakeCluster.StartAsync();
            _store = new FileArtifactStore(_root);
            var (plan, error) = ExperimentRunPlan.Create(Specs(new Uri(_root).AbsoluteUri), "fraud-sweep", "prod", "c0ffee");
            Assert.Null(error);
            _plan = plan!;
        }

        public async Task DisposeAsync()
        {
            await _cluster.DisposeAsync();
            Directory.Delete(_root, recursive: true);
        }

        private ExperimentRunner Runner() => new(_cluster.Driver(), _store, TimeProvider.System, NullLogger.Instance);

        private JsonObject? Job(int trial) => _cluster.Server.GetObject(TrialJobs.Key(_plan.Environment, _plan.Trials[trial - 1].Name));

        /// <summary>What the trainer of a trial does: reports its objective per step, publishes its files, and the Job completes.</summary>
        private async Task ReportAsync(int trial, params double[] aucs)
        {
            var t = _plan.Trials[trial - 1].Trial;
            var log = new AppendOnlyLog(_store, RegistryLayout.Progress(t.Model.Name, t.Version));
            for (var step = 1; step <= aucs.Length; step++)
            {
                var metrics = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("auc", aucs[step - 1])]);
                await log.AppendAsync(RegistryJson.Serialize(new TrainingStage(step, 4, step * 10, metrics, DateTimeOffset.UnixEpoch)), CancellationToken.None);
            }
        }

        private Task CompleteAsync(int trial, double auc) => TrialFixtures.CompleteAsync(_cluster.Server, _store, _plan, trial, auc);

        [Fact]
        public async Task Should_Start_Only_As_Many_Trials_As_The_Gpu_Quota_Allows_When_Parallelism_Is_Higher()
        {
            // Given
            var runner = Runner();

            // When
            var progress = await runner.StepAsync(_plan, CancellationToken.None);

            // Then
            Assert.Equal(["fraud-sweep-t01", "fraud-sweep-t02"], progress.Started.AsEnumerable());
            Assert.Contains("quota (2)", progress.Waiting);
            Assert.NotNull(Job(1));
            Assert.Null(Job(3));
            var job = Job(1)!;
            var labels = job["metadata"]!["labels"]!;
            Assert.Equal(("fraud-sweep", "fraud-sweep-t01", TrialJobs.ManagedByValue, _plan.Trials[0].Trial.Version),
                (labels[TrialJobs.ExperimentLabel]!.ToString(), labels[TrialJobs.TrialLabel]!.ToString(), labels[ManagedLabels.ManagedBy]!.ToString(), labels[ManagedLabels.Version]!.ToString()));
            var env = job["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().OfType<JsonObject>()
                .ToDictionary(e => e["name"]!.ToString(), e => e["value"]!.ToString());
            Assert.Equal("4", env[TrainingContract.ProgressSteps]);
            Assert.Contains("\"numberOfTrees\":10", env[TrainingContract.Hyperparameters]);
            Assert.EndsWith($"/fraud/{_plan.Trials[0].Trial.Version}", env[TrainingContract.ArtifactUri]);
            Assert.Equal("1", job["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]!.ToString());
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public async Task Should_Leave_The_Gpus_Of_Another_Shards_Training_Job_To_It_When_Sharded(bool sharded)
        {
            // Given a model of the other shard training on the pool (1 of its 2 GPUs), and the shard of the experiment's
            // model, or a reconciler that is not sharded
            var mine = new Shard(1, 2).OwnsModel("fraud") ? new Shard(1, 2) : new Shard(2, 2);
            var theirs = new[] { "churn", "ranker", "forecaster", "scorer", "pricing" }.First(m => !mine.OwnsModel(m));
            foreach (var (model, running) in new[] { (theirs, true), (theirs + "-done", false) })
            {
                var job = _cluster.Server.Seed(TrainingJob(model, gpus: 1));
                _cluster.Server.SetStatus(ObjectKeys.Of(job), running ? Running() : Completed());
            }
            var runner = new ExperimentRunner(_cluster.Driver(new KubernetesDriverOptions { Shard = sharded ? mine : Shard.Whole }),
                _store, TimeProvider.System, NullLogger.Instance);

            // When
            var progress = await runner.StepAsync(_plan, CancellationToken.None);

            // Then one trial starts, not two: the running Job holds a GPU whichever shard owns its model
            Assert.Equal(["fraud-sweep-t01"], progress.Started.AsEnumerable());
            Assert.Contains("quota (2)", progress.Waiting);
        }

        [Fact]
        public async Task Should_Leave_The_Gpus_Of_Another_Experiments_Running_Trial_To_It()
        {
            // Given a trial of another experiment running on the pool (1 of its 2 GPUs), and one that completed
            foreach (var (name, running) in new[] { ("other-sweep-t01", true), ("other-sweep-t02", false) })
            {
                var trial = TrainingJob("fraud", gpus: 1);
                trial["metadata"]!["name"] = name;
                var labels = trial["metadata"]!["labels"]!.AsObject();
                labels[ManagedLabels.ManagedBy] = TrialJobs.ManagedByValue;
                labels[TrialJobs.ExperimentLabel] = "other-sweep";
                labels[TrialJobs.TrialLabel] = name;
                var job = _cluster.Server.Seed(trial);
                _cluster.Server.SetStatus(ObjectKeys.Of(job), running ? Running() : Completed());
            }

            // When
            var progress = await Runner().StepAsync(_plan, CancellationToken.None);

            // Then one trial starts, not two, and a second step counts this experiment's own trial once
            Assert.Equal(["fraud-sweep-t01"], progress.Started.AsEnumerable());
            Assert.Contains("quota (2)", progress.Waiting);
            Assert.Empty((await Runner().StepAsync(_plan, CancellationToken.None)).Started);
        }

        private static JsonObject Running() => new() { ["active"] = 1 };

        private static JsonObject Completed() => new()
        {
            ["succeeded"] = 1,
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Complete", ["status"] = "True" }),
        };

        private static JsonObject TrainingJob(string model, int gpus) => new()
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{model}-train-0123456789ab",
                ["namespace"] = SpecRepository.Namespace,
                ["labels"] = new JsonObject
                {
                    [ManagedLabels.ManagedBy] = ManagedLabels.ManagedByValue,
                    [ManagedLabels.Environment] = "prod",
                    [ManagedLabels.Model] = model,
                    [ManagedLabels.Version] = "0123456789ab",
                    [ManagedLabels.Track] = ManagedLabels.TrainingTrack,
                },
            },
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["spec"] = new JsonObject
                    {
                        ["containers"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "trainer",
                            ["image"] = "trainer:1",
                            ["resources"] = new JsonObject { ["limits"] = new JsonObject { ["nvidia.com/gpu"] = gpus.ToString(CultureInfo.InvariantCulture) } },
                        }),
                    },
                },
            },
        };

        [Fact]
        public async Task Should_Stop_A_Trial_Below_The_Median_And_Record_Every_Trial_When_The_Run_Finishes()
        {
            // Given two trials completed, reporting their objective per step
            var runner = Runner();
            await runner.StepAsync(_plan, CancellationToken.None);
            await ReportAsync(1, 0.70, 0.80);
            await CompleteAsync(1, 0.80);
            await ReportAsync(2, 0.85, 0.90);
            await CompleteAsync(2, 0.90);
            var second = await runner.StepAsync(_plan, CancellationToken.None);
            Assert.Equal(["fraud-sweep-t03", "fraud-sweep-t04"], second.Started.AsEnumerable());

            // When trial 3 reports worse than the median and trial 4 better
            await ReportAsync(3, 0.50, 0.55);
            await ReportAsync(4, 0.90);
            var third = await runner.StepAsync(_plan, CancellationToken.None);
            await CompleteAsync(4, 0.95);
            var last = await runner.StepAsync(_plan, CancellationToken.None);

            // Then
            Assert.Equal(["fraud-sweep-t03"], third.Stopped.AsEnumerable());
            Assert.Null(Job(3));
            Assert.NotNull(Job(4));
            var record = last.Record;
            Assert.NotNull(record);
            Assert.Equal(["completed", "completed", "stoppedEarly", "completed"], record.Trials.Select(t => t.Status));
            Assert.Equal(("fraud-sweep-t04", 0.95), (record.Best!.Trial, record.Best.Value));
            Assert.Contains("+        numberOfTrees: 40", record.HyperparametersPatch);
            Assert.Contains("-        numberOfTrees: 100", record.HyperparametersPatch);
            var registry = new ExperimentRegistry(_store);
            foreach (var link in record.Trials)
            {
                var trial = await registry.ReadTrialAsync("fraud-sweep", record.Run, link.Trial, CancellationToken.None);
                Assert.Equal((link.Version, link.Status), (trial!.Version, trial.Status));
                Assert.True(await _store.ExistsAsync(link.Record, CancellationToken.None));
            }
            var stopped = await registry.ReadTrialAsync("fraud-sweep", record.Run, "fraud-sweep-t03", CancellationToken.None);
            Assert.Contains("median", stopped!.Reason);
            Assert.Equal([0.50, 0.55], stopped.Progress.Select(p => p.Value));
            var first = await registry.ReadTrialAsync("fraud-sweep", record.Run, "fraud-sweep-t01", CancellationToken.None);
            Assert.Equal((new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero), Job(1)!["metadata"]!["name"]!.ToString()), (first!.StartedAt, first.Job));
            Assert.Equal(["fraud-sweep"], (await registry.ExperimentsAsync(CancellationToken.None)).AsEnumerable());
        }

        [Theory]
        [InlineData(null, "metrics.json was not published at")]
        [InlineData("{\"auc\": ", "is not valid JSON")]
        [InlineData("{\"auc\": \"high\", \"model\": {\"sizeMb\": 0.1, \"latencyP99Ms\": 1.0}}", "metric 'auc' must be a finite number")]
        public async Task Should_Record_The_Trial_As_Failed_With_The_Reason_When_Its_Metrics_Are_Missing_Or_Malformed(string? metrics, string reason)
        {
            // Given a trial whose Job completed without a usable metrics.json
            var runner = Runner();
            await runner.StepAsync(_plan, CancellationToken.None);
            var t = _plan.Trials[0].Trial;
            if (metrics is not null)
            {
                await _store.CreateAsync(RegistryLayout.ArtifactFile(t.Model.Name, t.Version, TrainingContract.MetricsFile),
                    new MemoryStream(Encoding.UTF8.GetBytes(metrics)), "application/json", CancellationToken.None);
            }
            _cluster.Server.SetStatus(TrialJobs.Key(_plan.Environment, _plan.Trials[0].Name), new JsonObject
            {
                ["succeeded"] = 1,
                ["conditions"] = new JsonArray { new JsonObject { ["type"] = "Complete", ["status"] = "True" } },
            });

            // When
            var progress = await runner.StepAsync(_plan, CancellationToken.None);

            // Then the run goes on without it, and its record says why
            Assert.Equal(TrialPhase.Failed, progress.Trials[t.Name].Phase);
            var record = await new ExperimentRegistry(_store).ReadTrialAsync("fraud-sweep", _plan.Run, t.Name, CancellationToken.None);
            Assert.Equal("failed", record!.Status);
            Assert.Contains(reason, record.Reason);
            Assert.Contains("fraud-sweep-t03", progress.Started);
        }

        [Fact]
        public async Task Should_Resume_From_The_Registry_And_The_Cluster_When_A_New_Runner_Takes_Over()
        {
            // Given a runner that started two trials, one of which failed
            await Runner().StepAsync(_plan, CancellationToken.None);
            await CompleteAsync(1, 0.8);
            TrialFixtures.Fail(_cluster.Server, _plan, 2);

            // When a new runner steps
            var progress = await Runner().StepAsync(_plan, CancellationToken.None);

            // Then nothing already started is started again
            Assert.Equal(["fraud-sweep-t03", "fraud-sweep-t04"], progress.Started.AsEnumerable());
            Assert.Equal((TrialPhase.Succeeded, TrialPhase.Failed), (progress.Trials["fraud-sweep-t01"].Phase, progress.Trials["fraud-sweep-t02"].Phase));
            var failed = await new ExperimentRegistry(_store).ReadTrialAsync("fraud-sweep", _plan.Run, "fraud-sweep-t02", CancellationToken.None);
            Assert.StartsWith("backoff_exhausted", failed!.Reason);
        }
    }
}
