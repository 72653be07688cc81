using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Registry;
using GitOps.Registry.Records;
using GitOps.Registry.Stores;
using GitOps.Specs;
using GitOps.Testing.Generators;
using GitOps.Testing.Git;
using GitOps.Training.Datasets;
using Xunit;

namespace GitOps.Cli.Tests;

/// <summary>
/// <c>gitops experiments</c> end to end: <c>run</c> as a real process on a local environment, whose runtime runs each
/// trial's training Job as a builtin trainer process on a tiny dataset, then <c>list</c>, <c>show</c> and
/// <c>compare</c> read what it recorded. One run is shared by the class: training is the slow part.
/// </summary>
public sealed class ExperimentsCommandTests : IClassFixture<ExperimentsCommandTests.FinishedRun>
{
    private const string Experiment = "fraud-sweep";

    private readonly FinishedRun _run;

    public ExperimentsCommandTests(FinishedRun run) => _run = run;

    /// <summary>A repository with a local environment, a model trained on a 600-row dataset, a gate and a 6-trial grid
    /// (parallelism 2, median stopping, promote: best), and the finished <c>gitops experiments run</c> of it.</summary>
    public sealed class FinishedRun : IAsyncLifetime
    {
        private readonly string _data = Directory.CreateTempSubdirectory("gitops-experiment-data-").FullName;

        public FakeGitRepo Repo { get; } = FakeGitRepo.Create();

        public int ExitCode { get; private set; }

        public string Output { get; private set; } = "";

        public string State => Path.Combine(Repo.Path, StateFolder.DefaultName);

        public async Task InitializeAsync()
        {
            var dataset = Path.Combine(_data, "fraud.csv");
            FraudDataset.WriteFile(dataset, 600, 3);
            var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(dataset)));
            Repo.Commit("experiment", Files(new Uri(dataset).AbsoluteUri, sha));
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "gitops.dll"), "experiments", "run", Experiment, Repo.Path, "--progress-steps", "2" })
            {
                psi.ArgumentList.Add(arg);
            }
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"gitops experiments run did not finish in 5 minutes; output:\n{await stdout}\n{await stderr}");
            }
            ExitCode = process.ExitCode;
            Output = await stdout + "\n" + await stderr;
        }

        public Task DisposeAsync()
        {
            foreach (var record in ProcessTable.Load(Path.Combine(State, "processes.json")))
            {
                OsProcesses.ForceKill(record.Pid, record.StartTime);
            }
            Repo.Dispose();
            Directory.Delete(_data, recursive: true);
            return Task.CompletedTask;
        }

        private static Dictionary<string, string?> Files(string datasetUri, string sha) => new()
        {
            ["environments/local/environment.yaml"] = SingleEnvironmentRepository.LocalEnvironmentSpec,
            ["models/fraud/model.yaml"] = $$"""
                apiVersion: ml.gitops/v1alpha1
                kind: Model
                metadata:
                  name: fraud
                spec:
                  owner: team-payments
                  task: binaryClassification
                  inputs:
                {{string.Concat(FraudDataset.Features.Select(f => $"    - {{name: {f}, type: float32, shape: [-1, 1]}}\n"))}}  outputs:
                    - {name: Probability, type: float32, shape: [-1, 1]}
                  label: {{FraudDataset.Label}}
                  training:
                    builtin:
                      algorithm: fastTree
                      seed: 7
                    dataset:
                      uri: {{datasetUri}}
                      sha256: {{sha}}
                    hyperparameters:
                      numberOfTrees: 8
                      learningRate: 0.1
                      minimumExampleCountPerLeaf: 5
                  gates: [fraud-floor]
                  serving:
                    replicas: 1
                  environments: [local]

                """,
            ["models/fraud/experiment.yaml"] = $"""
                apiVersion: ml.gitops/v1alpha1
                kind: Experiment
                metadata:
                  name: {Experiment}
                spec:
                  model: fraud
                  search:
                    method: grid
                    parameters:
                      - name: numberOfTrees
                        values: [2, 6, 12]
                      - name: learningRate
                        values: [0.02, 0.3]
                  objective:
                    metric: auc
                    direction: maximize
                  maxTrials: 6
                  parallelism: 2
                  earlyStopping:
                    rule: median
                    minTrials: 2
                    startStep: 1
                  promote: best

                """,
            ["policies/gates/fraud-floor.yaml"] = """
                apiVersion: ml.gitops/v1alpha1
                kind: QualityGate
                metadata:
                  name: fraud-floor
                spec:
                  rules:
                    - name: auc-floor
                      condition: metrics.auc >= 0.5
                  onNoChampion: pass

                """,
        };
    }

    [Fact]
    public async Task Should_Run_Six_Trials_Two_At_A_Time_And_Link_Every_Trial_From_The_Record_Of_The_Best()
    {
        // Given the finished run
        Assert.True(_run.ExitCode == 0, _run.Output);
        var store = new FileArtifactStore(Path.Combine(_run.State, "artifacts"));
        var registry = new ExperimentRegistry(store);

        // When its record is read
        var record = await registry.LatestRunAsync(Experiment, CancellationToken.None);

        // Then every trial is linked and recorded, the best is the completed trial with the highest auc
        Assert.NotNull(record);
        Assert.Equal(6, record.Trials.Length);
        var trials = new List<TrialRecord>();
        foreach (var link in record.Trials)
        {
            var trial = await registry.ReadTrialAsync(Experiment, record.Run, link.Trial, CancellationToken.None);
            Assert.NotNull(trial);
            Assert.Contains(trial.Status, new[] { TrialStatuses.Completed, TrialStatuses.StoppedEarly });
            Assert.False(trial.Reused);
            Assert.StartsWith($"{link.Trial}-", trial.Job);
            trials.Add(trial);
        }
        var completed = trials.Where(t => t.Status == TrialStatuses.Completed).ToList();
        Assert.True(completed.Count >= 2, _run.Output);
        var best = completed.OrderByDescending(t => t.ObjectiveValue).ThenBy(t => t.Number).First();
        Assert.Equal((best.Trial, best.ObjectiveValue), (record.Best!.Trial, (double?)record.Best.Value));
        Assert.All(completed, t => Assert.Equal(t.Metrics["auc"], t.Progress[^1].Value));
        Assert.All(completed, t => Assert.True(t.Progress.Length == 2, $"{t.Trial} reported {t.Progress.Length} step(s)"));
        // two at a time: no trial started before two earlier ones had finished, except the first two
        var started = trials.OrderBy(t => t.StartedAt).ToList();
        for (var i = 2; i < started.Count; i++)
        {
            Assert.True(started.Take(i).Count(t => t.FinishedAt <= started[i].StartedAt) >= i - 1,
                $"{started[i].Trial} started at {started[i].StartedAt:O} while more than two trials ran");
        }
        // and the best trial was offered as a candidate: gates evaluated and recorded like any version
        Assert.True(record.Candidate!.Passed, record.Candidate.Verdict);
        var model = await new ModelRegistry(store).ReadAsync("fraud", best.Version, CancellationToken.None);
        Assert.True(model!.Passed);
        Assert.NotNull(record.HyperparametersPatch);
    }

    [Fact]
    public async Task Should_Print_The_Hyperparameters_Change_That_Makes_The_Best_Trial_The_Models_Spec()
    {
        // Given the finished run
        Assert.True(_run.ExitCode == 0, _run.Output);

        // When it is shown
        var shown = await CliRunner.RunAsync("experiments", "show", Experiment, _run.Repo.Path);

        // Then the change, applied to the model's file, gives the best trial's version: no retraining after the merge
        Assert.True(shown.ExitCode == 0, shown.Stdout + shown.Stderr);
        var json = await CliRunner.RunAsync("experiments", "show", Experiment, _run.Repo.Path, "-o", "json");
        var best = JsonNode.Parse(json.Stdout)!["run"]!["best"]!;
        Assert.Contains($"{best["trial"]} (version {best["version"]})", shown.Stdout);
        var model = File.ReadAllText(Path.Combine(_run.Repo.Path, "models/fraud/model.yaml"));
        foreach (var line in shown.Stdout.Split('\n').Where(l => l.StartsWith("-        ", StringComparison.Ordinal)))
        {
            model = model.Replace("      " + line[9..] + "\n", "", StringComparison.Ordinal);
        }
        var added = shown.Stdout.Split('\n').Where(l => l.StartsWith("+        ", StringComparison.Ordinal) && !l.StartsWith("+++", StringComparison.Ordinal))
            .Select(l => "      " + l[9..] + "\n");
        model = model.Replace("    hyperparameters:\n", "    hyperparameters:\n" + string.Concat(added), StringComparison.Ordinal);
        var files = Directory.GetFiles(_run.Repo.Path, "*.yaml", SearchOption.AllDirectories).Where(f => !f.Contains(StateFolder.DefaultName, StringComparison.Ordinal))
            .Select(f => SourceFile.FromText(Path.GetRelativePath(_run.Repo.Path, f).Replace('\\', '/'), f.EndsWith("model.yaml", StringComparison.Ordinal) ? model : File.ReadAllText(f)));
        var load = RepositoryValidator.Validate([.. files]);
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics) + "\n" + model);
        Assert.Equal(best["version"]!.ToString(), ModelVersions.Compute(load.Specs.Model("fraud")!, load.Specs.Environment("local")!));
    }

    [Fact]
    public async Task Should_Print_The_Same_Change_In_The_Plan_Of_The_Environment()
    {
        // Given the finished run
        Assert.True(_run.ExitCode == 0, _run.Output);
        var shown = await CliRunner.RunAsync("experiments", "show", Experiment, _run.Repo.Path);
        var patch = shown.Stdout[shown.Stdout.IndexOf("--- models/fraud/model.yaml", StringComparison.Ordinal)..];

        // When
        var plan = await CliRunner.RunAsync("plan", _run.Repo.Path, "--env", "local");
        var markdown = await CliRunner.RunAsync("plan", _run.Repo.Path, "--env", "local", "-o", "markdown");

        // Then
        Assert.True(plan.ExitCode == 0, plan.Stdout + plan.Stderr);
        Assert.Contains($"Experiment {Experiment} in local (run ", plan.Stdout);
        Assert.Contains(string.Concat(patch.TrimEnd('\n').Split('\n').Select(l => "  " + l + "\n")), plan.Stdout);
        Assert.Contains("```diff\n" + patch + "```", markdown.Stdout);
    }

    [Fact]
    public async Task Should_List_And_Compare_The_Trials_When_Reading_The_Store_Of_The_Environment_Or_A_Path()
    {
        // Given the finished run
        Assert.True(_run.ExitCode == 0, _run.Output);

        // When
        var list = await CliRunner.RunAsync("experiments", "list", _run.Repo.Path, "--env", "local");
        var byPath = await CliRunner.RunAsync("experiments", "list", "--store", Path.Combine(_run.State, "artifacts"), "-o", "json");
        var compare = await CliRunner.RunAsync("experiments", "compare", Experiment, "1", "t02", "--repo", _run.Repo.Path, "-o", "json");

        // Then
        Assert.True(list.ExitCode == 0, list.Stdout + list.Stderr);
        Assert.Contains(Experiment, list.Stdout);
        Assert.Equal(Experiment, JsonNode.Parse(byPath.Stdout)!["experiments"]![0]!["experiment"]!.ToString());
        Assert.True(compare.ExitCode == 0, compare.Stdout + compare.Stderr);
        var compared = JsonNode.Parse(compare.Stdout)!;
        Assert.Equal([$"{Experiment}-t01", $"{Experiment}-t02"], compared["trials"]!.AsArray().Select(t => t!["trial"]!.ToString()));
        Assert.Equal("auc", compared["metrics"]![0]!.ToString());
        Assert.Equal(["learningRate", "minimumExampleCountPerLeaf", "numberOfTrees"], compared["hyperparameters"]!.AsArray().Select(h => h!.ToString()));
    }

    [Theory]
    [InlineData("show", "fraud-swep", "did you mean 'fraud-sweep'")]
    [InlineData("compare", "fraud-sweep", "has no trial '9'")]
    public async Task Should_Say_What_Is_Wrong_With_Exit_Code_2_When_A_Name_Is_Unknown(string verb, string experiment, string message)
    {
        // When
        var result = await CliRunner.RunAsync(["experiments", verb, experiment, .. verb == "compare" ? new[] { "9" } : [], "--repo", _run.Repo.Path]);

        // Then
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Should_Refuse_An_Unknown_Experiment_Before_Starting_Anything()
    {
        // When
        var result = await CliRunner.RunAsync("experiments", "run", "no-such-sweep", _run.Repo.Path);

        // Then
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("experiment 'no-such-sweep' is not defined (known: fraud-sweep)", result.Stderr);
    }

    [Fact]
    public async Task Should_Report_A_Store_That_Cannot_Be_Read_With_Exit_Code_1()
    {
        // Given a store whose run record is damaged
        var root = Directory.CreateTempSubdirectory("gitops-experiment-damaged-").FullName;
        try
        {
            var store = new FileArtifactStore(root);
            await new GitOps.Registry.Logs.AppendOnlyLog(store, RegistryLayout.ExperimentIndex).AppendAsync(RegistryJson.Serialize(new ExperimentEntry("x")), CancellationToken.None);
            await new GitOps.Registry.Logs.AppendOnlyLog(store, RegistryLayout.ExperimentRuns("x")).AppendAsync(RegistryJson.Serialize(new RunEntry("0123456789ab", DateTimeOffset.UnixEpoch)), CancellationToken.None);
            await store.CreateAsync(RegistryLayout.ExperimentRecord("x", "0123456789ab"), new MemoryStream("{"u8.ToArray()), "application/json", CancellationToken.None);

            // When
            var result = await CliRunner.RunAsync("experiments", "list", "--store", root);

            // Then
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("experiment.json' is not a valid experiment run record", result.Stderr);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
