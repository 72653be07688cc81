using System.Text;
using System.Text.Json.Nodes;
using GitOps.Cli.Tests.Support;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Rollouts;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;
using GitOps.Testing.Git;
using Xunit;

namespace GitOps.Cli.Tests;

/// <summary>
/// Rollouts on the local runtime, end to end: <c>gitops up</c> trains and serves the example model, a real Prometheus
/// scrapes the real <c>gitops serve</c> processes, and an edit to the model starts a canary that the analysis judges
/// from those metrics. Load is generated through the proxy by the test and stops with it. The classes of this
/// collection run one after the other: each runs a gitops up with its servers and Prometheus under load.
/// </summary>
[Collection(nameof(UpRolloutTests))]
public sealed partial class UpRolloutTests : IDisposable
{
    private const string Model = "fraud-detector";
    private static readonly RolloutScope Local = new("local", "ml-local");

    private readonly FakeGitRepo _repo = FakeGitRepo.Create();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly CancellationTokenSource _load = new(TimeSpan.FromMinutes(7));

    private string State => Path.Combine(_repo.Path, StateFolder.DefaultName);

    public void Dispose()
    {
        _load.Cancel();
        _load.Dispose();
        _http.Dispose();
        _repo.Dispose();
    }

    /// <summary>A fast canary: half the pods, then the error rate measured every 2 s, then all traffic.</summary>
    private static string Policy(int inconclusiveLimit) => """
        apiVersion: ml.gitops/v1alpha1
        kind: RolloutPolicy
        metadata:
          name: e2e-fast
        spec:
          strategy: canary
          progressDeadline: 2m
          steps:
            - setWeight: 50
            - analysis: {templates: [error-rate]}
            - setWeight: 100
          analysis:
            - name: error-rate
              query: >-
                (sum(rate(gitops_inference_requests_total{model="{{model}}",track="{{track}}",code=~"5.."}[10s])) or vector(0))
                / sum(rate(gitops_inference_requests_total{model="{{model}}",track="{{track}}"}[10s]))
              successCondition: result < 0.05
              failureCondition: result >= 0.2
              interval: 2s
              count: 6
              inconclusiveLimit: LIMIT

        """.Replace("LIMIT", inconclusiveLimit.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private UpRun Start(int inconclusiveLimit)
    {
        var files = UpRun.ExampleFiles(UpRun.FreePort());
        files["policies/rollouts/e2e-fast.yaml"] = Policy(inconclusiveLimit);
        files[$"models/{Model}/model.yaml"] = files[$"models/{Model}/model.yaml"]!
            .Replace("    local:\n      rollout: direct\n", "    local:\n      rollout: e2e-fast\n", StringComparison.Ordinal);
        _repo.Commit("example with a fast canary locally", files);
        return UpRun.Start(_repo.Path);
    }

    private async Task<RolloutState?> StateAsync() =>
        (await new LocalRolloutStateStore(StateFolder.For(State)).LoadAsync(Local, Model, CancellationToken.None))?.State;

    /// <summary>Edits the model so that it trains a new version (the working tree is followed).</summary>
    private async Task NewVersionAsync()
    {
        var path = Path.Combine(_repo.Path, "models", Model, "model.yaml");
        var text = await File.ReadAllTextAsync(path);
        await File.WriteAllTextAsync(path, text.Replace("numberOfTrees: 20", "numberOfTrees: 21", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_Promote_A_Good_Canary_After_Every_Step_When_Prometheus_Measures_Real_Traffic()
    {
        // Given the example model served by gitops up, under load (a machine busy with other work can make
        // Prometheus miss a scrape: Inconclusive measurements are tolerated and do not count, a Failed one is not)
        using var up = Start(inconclusiveLimit: 10);
        await up.EventuallyAsync(async () => (await StateAsync())?.Stable is not null && up.Output.Contains("is serving:", StringComparison.Ordinal), "v1 served");
        var v1 = (await StateAsync())!.Stable!;
        var load = UpRun.LoadAsync(_http, up.Proxy, Model, _load.Token);

        // When a new version is committed
        await NewVersionAsync();

        // Then it goes through every step and becomes stable
        await up.EventuallyAsync(async () => (await StateAsync())?.Stable is { } s && s != v1, "the canary to be promoted", TimeSpan.FromMinutes(5));
        var state = (await StateAsync())!;
        var run = Assert.Single(state.PastRuns);
        Assert.Equal(AnalysisPhase.Successful, run.Phase);
        Assert.Contains(run.Measurements, m => m.Phase == MeasurementPhase.Successful && m.Value is < 0.05);
        Assert.Contains(state.History, e => e.Kind == RolloutEventKind.Promoted);
        Assert.Empty(state.Rejected);
        _load.Cancel();
        await load;
    }

    [Fact]
    public async Task Should_Pause_Without_Traffic_And_Continue_When_An_Operator_Runs_Rollout_Promote()
    {
        // Given the example model served by gitops up, with no traffic at all
        using var up = Start(inconclusiveLimit: 0);
        await up.EventuallyAsync(async () => (await StateAsync())?.Stable is not null && up.Output.Contains("is serving:", StringComparison.Ordinal), "v1 served");
        var v1 = (await StateAsync())!.Stable!;

        // When a new version is rolled out, its analysis has no data: Inconclusive, paused for a human
        await NewVersionAsync();
        await up.EventuallyAsync(async () => (await StateAsync())?.Phase == RolloutPhase.Paused, "the rollout to pause", TimeSpan.FromMinutes(3));
        var paused = (await StateAsync())!;
        Assert.Equal((v1, 50), (paused.Stable, paused.Weight));
        Assert.Contains("Inconclusive", paused.PauseReason, StringComparison.Ordinal);
        Assert.Contains("run 'gitops rollout promote' to continue", paused.PauseReason, StringComparison.Ordinal);
        var analysis = paused.StepAnalysis!;
        Assert.Equal(AnalysisPhase.Inconclusive, analysis.Phase);
        Assert.All(analysis.Measurements, m => Assert.Equal(MeasurementPhase.Inconclusive, m.Phase));

        // Then the operator's command continues it to the end
        var promote = await CliRunner.RunAsync("rollout", "promote", "--model", Model, "--actor", "e2e-operator", _repo.Path, "--state", State);
        Assert.Equal((0, ""), (promote.ExitCode, promote.Stderr));
        Assert.Contains("recorded by e2e-operator", promote.Stdout, StringComparison.Ordinal);
        await up.EventuallyAsync(async () => (await StateAsync())?.Stable is { } s && s != v1, "the promoted canary to become stable", TimeSpan.FromMinutes(2));
        var state = (await StateAsync())!;
        Assert.Equal(paused.Canary, state.Stable);
        Assert.Contains(state.History, e => e.Actor == "e2e-operator" && e.Kind == RolloutEventKind.Resumed);
        Assert.Contains(state.History, e => e.Kind == RolloutEventKind.Promoted);
        Assert.Contains(state.PastRuns, r => r.Phase == AnalysisPhase.Inconclusive);
    }
}
