using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Experiments;
using GitOps.Policy;
using GitOps.Policy.Gates;
using GitOps.Reconciler.Experiments;
using GitOps.Registry;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Specs;
using GitOps.Specs.Model;
using GitOps.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Benchmarks.Lifecycle;

/// <summary>
/// <c>dotnet run -c Release --project tests/GitOps.Benchmarks -- lifecycle [models] [trials] [run trials]</c>: the model lifecycle's
/// costs. Gate evaluation per version (a three-rule QualityGate against a champion, CEL compiled once and cached);
/// a registry read of N models from a file store (the model index, each model's version index and its newest
/// record, as <c>gitops models list</c> reads them); and an experiment's scheduling overhead per trial (planning a
/// seeded random search and deciding, after every trial finishes, what starts next with the median stopping rule
/// on); and the experiment runner's own cost per trial against an in-memory cluster and a file store. Medians of 5
/// runs after a warm-up.
/// </summary>
public static class LifecycleBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var models = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var trials = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        Console.WriteLine($"processors: {Environment.ProcessorCount}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, load average {LoadAverage()}");
        GateEvaluation();
        await RegistryReadAsync(models);
        ExperimentScheduling(trials);
        await ExperimentRunAsync(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 60);
        return 0;
    }

    private static void GateEvaluation()
    {
        var gate = new QualityGateSpec(Metadata.Named("fraud-quality"), SpecOrigin.InMemory("policies/gates.yaml"), new QualityGateBody
        {
            Rules =
            [
                new GateRule("min-auc", "metrics.auc >= 0.85", null),
                new GateRule("no-regression", "metrics.auc >= champion.metrics.auc - 0.005", null),
                new GateRule("latency", "model.latencyP99Ms <= 5.0", null),
            ],
        });
        var metrics = new Dictionary<string, double> { ["auc"] = 0.91, ["f1"] = 0.7 };
        var champion = new Dictionary<string, double> { ["auc"] = 0.905, ["f1"] = 0.69 };
        var facts = new ModelFacts("fraud", "9a75b5701b77", 81234, 0.05, 0.12);
        const int versions = 10_000;
        var median = Median(() =>
        {
            for (var i = 0; i < versions; i++)
            {
                if (GateEvaluator.Evaluate(gate, metrics, champion, facts).Rules.Length != 3)
                {
                    throw new InvalidOperationException("the gate has three rules");
                }
            }
        });
        Console.WriteLine($"gate evaluation (3 rules, with champion): {median.TotalMicroseconds / versions:F1} µs per version (median of 5 × {versions:N0})");
    }

    private static async Task RegistryReadAsync(int models)
    {
        var root = Directory.CreateTempSubdirectory("gitops-bench-registry-").FullName;
        try
        {
            var registry = new ModelRegistry(new FileArtifactStore(root));
            var setup = Stopwatch.StartNew();
            for (var i = 0; i < models; i++)
            {
                await registry.RecordAsync(Record($"model-{i:D4}", "9a75b5701b77"), CancellationToken.None);
            }
            Console.WriteLine($"registry setup: {models:N0} records written in {setup.Elapsed.TotalSeconds:F1} s");
            async Task<int> ReadAllAsync()
            {
                var read = 0;
                foreach (var model in await registry.ModelsAsync(CancellationToken.None))
                {
                    var versions = await registry.VersionsAsync(model, CancellationToken.None);
                    read += await registry.ReadAsync(model, versions[^1].Version, CancellationToken.None) is null ? 0 : 1;
                }
                return read;
            }
            var median = Median(() =>
            {
                if (ReadAllAsync().GetAwaiter().GetResult() != models)
                {
                    throw new InvalidOperationException("every model has a record");
                }
            });
            Console.WriteLine($"registry read of {models:N0} models (index + version index + newest record each, file store): {median.TotalMilliseconds:F0} ms, {median.TotalMicroseconds / models:F0} µs per model (median of 5)");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void ExperimentScheduling(int trialCount)
    {
        var environment = new EnvironmentSpec(Metadata.Named("staging"), SpecOrigin.InMemory("environments/staging.yaml"), new EnvironmentBody
        {
            Cluster = new ClusterTarget(null, new LocalTarget(null)),
            Namespace = "ml-staging",
        });
        var model = new ModelSpec(Metadata.Named("fraud"), SpecOrigin.InMemory("models/fraud/model.yaml"), new ModelBody
        {
            Owner = "risk",
            Task = ModelTasks.BinaryClassification,
            Label = "is_fraud",
            Training = new TrainingSpec
            {
                Builtin = new BuiltinTrainer(BuiltinAlgorithms.FastTree, 42),
                Dataset = new DatasetRef("https://data.example.com/fraud.csv", new string('f', 64)),
                Hyperparameters = ImmutableSortedDictionary<string, string>.Empty.Add("learningRate", "0.1"),
            },
        });
        var experiment = new ExperimentSpec(Metadata.Named("sweep"), SpecOrigin.InMemory("models/fraud/experiment.yaml"), new ExperimentBody
        {
            Model = "fraud",
            Search = new SearchSpace("random", [new SearchParameter("learningRate", [], 0.001, 0.3, "log"), new SearchParameter("numberOfLeaves", [], 8, 128, "linear")], 7),
            Objective = new Objective("auc", "maximize"),
            MaxTrials = trialCount,
            Parallelism = 4,
            EarlyStopping = new EarlyStopping("median", 3, 1),
        });
        var median = Median(() =>
        {
            var trials = TrialPlanner.Plan(experiment, model, environment);
            var states = new Dictionary<string, TrialState>(StringComparer.Ordinal);
            var random = new Specs.Randomness.SplitMix64(1);
            while (true)
            {
                var schedule = TrialScheduler.Decide(trials, states, 4, 1, 8, 2, experiment.Spec.EarlyStopping, "maximize");
                foreach (var (trial, _) in schedule.Stop)
                {
                    states[trial.Name] = states[trial.Name] with { Phase = TrialPhase.Stopped };
                }
                foreach (var trial in schedule.Start)
                {
                    states[trial.Name] = TrialState.Pending with { Phase = TrialPhase.Running, Reports = [new TrialReport(1, 0.8 + random.NextDouble() * 0.1)] };
                }
                if (schedule.Finished)
                {
                    break;
                }
                // The oldest running trial finishes.
                var done = trials.First(t => states.TryGetValue(t.Name, out var s) && s.Phase == TrialPhase.Running);
                states[done.Name] = states[done.Name] with
                {
                    Phase = TrialPhase.Succeeded,
                    Metrics = ImmutableSortedDictionary<string, double>.Empty.Add("auc", states[done.Name].Reports[0].Value),
                };
            }
            if (BestTrial.Select(trials, states, experiment.Spec.Objective).Best is null)
            {
                throw new InvalidOperationException("a best trial exists");
            }
        });
        Console.WriteLine($"experiment scheduling ({trialCount} trials, parallelism 4, GPU quota, median stopping): {median.TotalMilliseconds:F1} ms in all, " +
            $"{median.TotalMicroseconds / trialCount:F0} µs per trial (plan + one decision per finished trial + best pick; median of 5)");
    }

    /// <summary>
    /// The runner's own cost per trial: <see cref="ExperimentRunner"/> steps a grid of <paramref name="trialCount"/>
    /// trials (parallelism 4) against an in-memory cluster and a file store until the run is recorded — rendering and
    /// applying each Job, observing it, reading its progress log and metrics, writing its record and finally the run's.
    /// The Job controller is simulated (each running Job completes with a published metrics.json and model.onnx at the
    /// next step), so what is left is scheduling and bookkeeping, never training.
    /// </summary>
    private static async Task ExperimentRunAsync(int trialCount)
    {
        var values = string.Join(", ", Enumerable.Range(1, trialCount).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        var load = RepositoryValidator.Validate([
            SourceFile.FromText("environments/local/environment.yaml", "apiVersion: ml.gitops/v1alpha1\nkind: Environment\nmetadata:\n  name: local\nspec:\n  cluster:\n    local: {}\n  namespace: ml-local\n  router: local\n"),
            SourceFile.FromText("models/fraud/model.yaml", "apiVersion: ml.gitops/v1alpha1\nkind: Model\nmetadata:\n  name: fraud\nspec:\n  owner: risk\n  task: binaryClassification\n" +
                "  inputs:\n    - {name: amount, type: float32, shape: [-1, 1]}\n  outputs:\n    - {name: Probability, type: float32, shape: [-1, 1]}\n  label: is_fraud\n" +
                "  training:\n    builtin: {algorithm: fastTree, seed: 1}\n    dataset: {uri: 'https://data.example.com/fraud.csv', sha256: " + new string('f', 64) + "}\n" +
                "  serving: {replicas: 1}\n  environments: [local]\n"),
            SourceFile.FromText("models/fraud/experiment.yaml", "apiVersion: ml.gitops/v1alpha1\nkind: Experiment\nmetadata:\n  name: sweep\nspec:\n  model: fraud\n" +
                $"  search:\n    method: grid\n    parameters:\n      - {{name: numberOfTrees, values: [{values}]}}\n  objective: {{metric: auc, direction: maximize}}\n  maxTrials: {trialCount}\n  parallelism: 4\n"),
        ]);
        if (load.HasErrors)
        {
            throw new InvalidOperationException(string.Join("\n", load.Diagnostics));
        }
        var (plan, error) = ExperimentRunPlan.Create(load.Specs, "sweep", "local", "bench");
        if (plan is null)
        {
            throw new InvalidOperationException(error);
        }
        var steps = 0;
        var median = Median(() =>
        {
            var root = Directory.CreateTempSubdirectory("gitops-bench-experiment-").FullName;
            try
            {
                var store = new FileArtifactStore(root);
                var cluster = new InMemoryClusterDriver();
                var runner = new ExperimentRunner(cluster, store, TimeProvider.System, NullLogger.Instance);
                steps = 0;
                while (runner.StepAsync(plan, CancellationToken.None).GetAwaiter().GetResult().Record is null)
                {
                    steps++;
                    foreach (var job in cluster.Objects.Where(o => o["kind"]?.ToString() == "Job" && o["status"] is null).ToList())
                    {
                        var version = job["metadata"]!["labels"]![ManagedLabels.Version]!.ToString();
                        var auc = (0.8 + (version[0] % 16) / 100.0).ToString(CultureInfo.InvariantCulture);
                        store.CreateAsync(RegistryLayout.ArtifactFile("fraud", version, "metrics.json"), new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"{{\"auc\": {auc}}}")), "application/json", CancellationToken.None).GetAwaiter().GetResult();
                        store.CreateAsync(RegistryLayout.ModelFile("fraud", version), new MemoryStream([1, 2, 3]), "application/octet-stream", CancellationToken.None).GetAwaiter().GetResult();
                        cluster.SetStatus(GitOps.Planning.Rendering.ObjectKeys.Of(job), new JsonObject { ["succeeded"] = 1, ["conditions"] = new JsonArray { new JsonObject { ["type"] = "Complete", ["status"] = "True" } } });
                    }
                }
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        });
        Console.WriteLine($"experiment run ({trialCount} trials, parallelism 4, in-memory cluster, file store, {steps} steps): {median.TotalMilliseconds:F0} ms in all, " +
            $"{median.TotalMicroseconds / trialCount:F0} µs per trial (render + apply + observe + progress + metrics + trial record + run record; median of 5)");
    }

    private static ModelRecord Record(string model, string version) => new()
    {
        Model = model,
        Version = version,
        Environment = "staging",
        Source = new SourceLineage(new string('0', 40), new string('b', 64)),
        Dataset = new DatasetLineage("https://data.example.com/fraud.csv", new string('d', 64), 20000),
        Trainer = new TrainerLineage("gitops/trainer:0.1.0", "gitops-builtin", "0.1.0"),
        Job = new JobLineage($"{model}-train-{version}", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(1)),
        Metrics = ImmutableSortedDictionary<string, double>.Empty.Add("auc", 0.9),
        Facts = new MeasuredFacts(81234, 0.0775, 0.05, 0.12, 200),
        Artifact = new ArtifactLineage($"file:///store/{model}/{version}/model.onnx", new string('a', 64), 81234),
        Gates = new GateVerdicts(true, null, [new GateVerdict("quality", "min-auc", true, "metrics.auc >= 0.85")]),
        RecordedAt = DateTimeOffset.UnixEpoch,
    };

    private static TimeSpan Median(Action run)
    {
        run();
        var times = new List<TimeSpan>();
        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            run();
            times.Add(watch.Elapsed);
        }
        return times.Order().ElementAt(2);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
}
