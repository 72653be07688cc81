using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Planning.Experiments;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Experiments;
using GitOps.Reconciler.Lifecycle;
using GitOps.Reconciler.Status;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;
using GitOps.Reconciler.Tests.EndToEnd;
using GitOps.Reconciler.Tests.Support;
using GitOps.Registry;
using GitOps.Registry.Stores;
using GitOps.Specs;
using GitOps.Specs.Contracts;
using GitOps.Testing.Artifacts;
using GitOps.Testing.Git;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Reconciler.Tests.Experiments;

/// <summary>
/// The in-cluster reconciler runs experiments by itself: a whole reconciler (Git, Lease, ConfigMap status, the real
/// Kubernetes driver over HTTP to the fake API server) starts the trial Jobs, the test completes or fails them as the
/// Job controller would, and a second reconciler takes over mid-experiment.
/// </summary>
public sealed class ReconcilerExperimentTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("gitops-reconciler-experiments-").FullName;
    private FakeCluster _cluster = null!;
    private FileArtifactStore _store = null!;

    public async Task InitializeAsync()
    {
        _cluster = await FakeCluster.StartAsync();
        _store = new FileArtifactStore(_root);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>One gated model, and a grid of four tree counts run two at a time whose best is offered as a candidate.</summary>
    private Dictionary<string, string?> Files() => new()
    {
        ["environments/prod/environment.yaml"] = SpecRepository.Environment() + $"  artifacts:\n    uri: {new Uri(_root).AbsoluteUri}\n",
        ["models/fraud/model.yaml"] = SpecRepository.Model("fraud", trees: 100)
            .Replace("  serving:", "  gates: [fraud-floor]\n  serving:", StringComparison.Ordinal),
        ["policies/gates/fraud-floor.yaml"] = """
            apiVersion: ml.gitops/v1alpha1
            kind: QualityGate
            metadata:
              name: fraud-floor
            spec:
              rules:
                - name: auc-floor
                  condition: metrics.auc >= 0.75
              onNoChampion: pass

            """,
        ["models/fraud/experiment.yaml"] = TrialFixtures.Experiment(parallelism: 2, "  promote: best\n"),
    };

    private static ExperimentRunPlan PlanOf(Dictionary<string, string?> files, string commit)
    {
        var load = RepositoryValidator.Validate([.. files.Select(f => SourceFile.FromText(f.Key, f.Value!))]);
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        var (plan, error) = ExperimentRunPlan.Create(load.Specs, "fraud-sweep", "prod", commit);
        Assert.Null(error);
        return plan!;
    }

    private JsonObject? Job(ExperimentRunPlan plan, int trial) => _cluster.Server.GetObject(TrialJobs.Key(plan.Environment, plan.Trials[trial - 1].Name));

    /// <summary>Server-side applies of a trial's Job: one per start.</summary>
    private int Starts(ExperimentRunPlan plan, int trial) =>
        _cluster.Server.Requests.Count(r => r.Method == "PATCH" && r.Path.EndsWith("/jobs/" + plan.Trials[trial - 1].Name, StringComparison.Ordinal));

    private Task CompleteAsync(ExperimentRunPlan plan, int trial, double auc) => TrialFixtures.CompleteAsync(_cluster.Server, _store, plan, trial, auc);

    private bool Recorded(ExperimentRunPlan plan, int trial) =>
        new ExperimentRegistry(_store).ReadTrialAsync("fraud-sweep", plan.Run, plan.Trials[trial - 1].Trial.Name, CancellationToken.None).GetAwaiter().GetResult() is not null;

    private Task<EnvironmentStatus> StatusWhenAsync(Func<EnvironmentStatus, bool> condition) =>
        ReconcilerEndToEndTests.StatusWhenAsync(_cluster, condition);

    [Fact]
    public async Task Should_Run_An_Experiment_To_Its_Candidate_Across_Passes_When_A_Reconciler_Restarts_Mid_Experiment()
    {
        // Given a commit with an experiment, and a reconciler over its cluster and artifact store
        using var repo = FakeGitRepo.Create();
        var files = Files();
        var commit = repo.Commit("fraud sweep", files);
        var plan = PlanOf(files, commit);
        var first = await RunningReconciler.StartAsync(_cluster.Connection, repo.Path, "replica-a", registry: true);

        // When it runs: two trials at a time
        await Eventually.TrueAsync(() => Job(plan, 1) is not null && Job(plan, 2) is not null, TimeSpan.FromSeconds(60));
        var running = await StatusWhenAsync(s => s.Experiments?.Contains("running", StringComparison.Ordinal) == true);
        Assert.StartsWith($"fraud-sweep run {plan.Run}: 0 of 4 trial(s) finished, running fraud-sweep-t01, fraud-sweep-t02; waiting: 2 trial(s)", running.Experiments);
        Assert.Null(Job(plan, 3));

        // ... one trial completes and one fails, and the third starts
        await CompleteAsync(plan, 1, 0.80);
        TrialFixtures.Fail(_cluster.Server, plan, 2);
        await Eventually.TrueAsync(() => Job(plan, 3) is not null && Recorded(plan, 1) && Recorded(plan, 2), TimeSpan.FromSeconds(60));

        // ... then the reconciler stops mid-experiment and another one takes over
        await first.DisposeAsync();
        await using var second = await RunningReconciler.StartAsync(_cluster.Connection, repo.Path, "replica-b", registry: true);
        await CompleteAsync(plan, 3, 0.90);
        await Eventually.TrueAsync(() => Job(plan, 4) is not null, TimeSpan.FromSeconds(60));
        await CompleteAsync(plan, 4, 0.85);
        var finished = await StatusWhenAsync(s => s.Experiments?.Contains(": finished", StringComparison.Ordinal) == true);

        // Then every trial ran once, the best was picked and offered through the gates
        Assert.Equal([1, 1, 1, 1], Enumerable.Range(1, 4).Select(t => Starts(plan, t)));
        var record = await new ExperimentRegistry(_store).ReadRunAsync("fraud-sweep", plan.Run, CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal(["completed", "failed", "completed", "completed"], record.Trials.Select(t => t.Status));
        Assert.Equal(("fraud-sweep-t03", 0.90), (record.Best!.Trial, record.Best.Value));
        var best = plan.Trials[2].Trial.Version;
        Assert.Equal((best, true), (record.Candidate!.Version, record.Candidate.Passed));
        var candidate = await new ModelRegistry(_store).ReadAsync("fraud", best, CancellationToken.None);
        Assert.True(candidate!.Passed, candidate.Gates.Summary);
        var facts = await new ConfigMapRegistryFactStore(_cluster.Connection, ReconcilerRig.StatusNamespace).ReadAsync("prod", CancellationToken.None);
        Assert.True(facts!.Facts.For("fraud").IsTrained(best));
        Assert.StartsWith($"fraud-sweep run {plan.Run}: finished, best fraud-sweep-t03 (auc 0.9); candidate fraud {best} admitted: gates ", finished.Experiments);
    }

    [Fact]
    public async Task Should_Start_No_Trial_When_The_Environment_Receives_Its_Versions_From_Another()
    {
        // Given prod promotes from staging, which serves the model too
        var files = Files();
        files["environments/staging/environment.yaml"] = SpecRepository.Environment("staging", @namespace: "ml-staging")
            + $"  artifacts:\n    uri: {new Uri(_root).AbsoluteUri}\n";
        files["environments/prod/environment.yaml"] += "  promotion:\n    from: staging\n    soak: 1h\n";
        files["models/fraud/model.yaml"] = files["models/fraud/model.yaml"]!.Replace("environments: [prod]", "environments: [staging, prod]", StringComparison.Ordinal);
        var load = RepositoryValidator.Validate([.. files.Select(f => SourceFile.FromText(f.Key, f.Value!))]);
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        var admission = new RegistryAdmission(_ => _store, TimeProvider.System, NullLogger<RegistryAdmission>.Instance);
        var experiments = new ExperimentPass(_cluster.Driver(), _ => _store, admission,
            new ConfigMapRegistryFactStore(_cluster.Connection, ReconcilerRig.StatusNamespace), TimeProvider.System, NullLogger<ExperimentPass>.Instance);

        // When
        var lines = await experiments.StepAsync(load.Specs, load.Specs.Environment("prod")!, "c0ffee", CancellationToken.None);

        // Then
        Assert.Equal(["fraud-sweep: not run here: prod trains nothing, it receives versions from staging"], lines.AsEnumerable());
        Assert.Empty(_cluster.Server.ListObjects("batch/v1", "Job", SpecRepository.Namespace));
    }

    [Fact]
    public async Task Should_Start_No_Trial_And_Say_It_Waits_When_The_Artifact_Store_Is_Down()
    {
        // Given an experiment whose environment's store does not answer
        using var server = new ArtifactHttpServer { Down = true };
        using var http = new HttpClient();
        var files = Files();
        files["environments/prod/environment.yaml"] = SpecRepository.Environment() + $"  artifacts:\n    uri: {server.BaseUri}/prod\n";
        var load = RepositoryValidator.Validate([.. files.Select(f => SourceFile.FromText(f.Key, f.Value!))]);
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        var open = RegistryStores.Opener(http, null);
        var experiments = new ExperimentPass(_cluster.Driver(), open, new RegistryAdmission(open, TimeProvider.System, NullLogger<RegistryAdmission>.Instance),
            new ConfigMapRegistryFactStore(_cluster.Connection, ReconcilerRig.StatusNamespace), TimeProvider.System, NullLogger<ExperimentPass>.Instance);
        var prod = load.Specs.Environment("prod")!;

        // When
        var down = await experiments.StepAsync(load.Specs, prod, "c0ffee", CancellationToken.None);
        server.Down = false;
        var up = await experiments.StepAsync(load.Specs, prod, "c0ffee", CancellationToken.None);

        // Then nothing started while it was down, and the run began once it answered
        Assert.Matches(@"^fraud-sweep run [0-9a-f]{12}: waiting: .*503", Assert.Single(down));
        Assert.Contains("0 of 4 trial(s) finished, running fraud-sweep-t01, fraud-sweep-t02", Assert.Single(up));
        Assert.Equal(2, _cluster.Server.ListObjects("batch/v1", "Job", SpecRepository.Namespace).Count);
    }
}
