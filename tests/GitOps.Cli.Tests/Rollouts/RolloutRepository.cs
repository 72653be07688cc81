using GitOps.Cli.Commands;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Rollouts;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;
using GitOps.Testing.Golden;

namespace GitOps.Cli.Tests.Rollouts;

/// <summary>
/// A copy of the example repository in a temporary folder, where fraud-detector ships to the local environment with
/// the canary-standard policy, and a state folder for the local runtime holding rollouts written with the same store
/// <c>gitops up</c> uses. Also builds the rollout states the tests start from.
/// </summary>
internal sealed class RolloutRepository : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 4, 14, 0, 0, TimeSpan.Zero);
    public static readonly RolloutScope Local = new("local", "ml-local");

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("gitops-rollout-cli-");

    public RolloutRepository()
    {
        foreach (var part in new[] { "environments", "models", "policies" })
        {
            DocumentedCommandsTests.Copy(RepositoryPaths.Combine(part), Path.Combine(Root, part));
        }
        var model = Path.Combine(Root, "models", "fraud-detector", "model.yaml");
        var text = File.ReadAllText(model);
        File.WriteAllText(model, text.Replace("    local:\n      rollout: direct\n", "", StringComparison.Ordinal));
        Store = new LocalRolloutStateStore(StateFolder.For(StatePath));
        Policy = RolloutPolicy.From(RepositoryValidator.Validate(RepositoryReader.Read(Root)).Specs.RolloutPolicy("canary-standard")!);
    }

    public string Root => Path.Combine(_folder.FullName, "repo");

    public string StatePath => Path.Combine(_folder.FullName, "state");

    public LocalRolloutStateStore Store { get; }

    public RolloutPolicy Policy { get; }

    public string[] Args(params string[] args) => [.. args, Root, "--state", StatePath];

    public Task<StoredRollout> SeedAsync(string model, RolloutState state) =>
        Store.SaveAsync(Local, model, state, null, CancellationToken.None);

    /// <summary>fraud-detector's canary v2 in its first analysis (step 2): error-rate measured three times, the last Failed once.</summary>
    public RolloutState InAnalysis()
    {
        var run = AnalysisRuns.Start("1-step-2", ["error-rate", "latency-p99", "score-drift"], Start.AddMinutes(1));
        var answers = new (string Metric, int Minute, double? Value, double Samples)[]
        {
            ("error-rate", 1, 0.004, 120), ("latency-p99", 1, 0.12, 120), ("score-drift", 1, 0.02, 140),
            ("error-rate", 2, 0.006, 130), ("latency-p99", 2, 0.14, 130),
            ("error-rate", 3, 0.07, 125),
        };
        foreach (var (metric, minute, value, samples) in answers)
        {
            var observation = value is { } v ? Observation.Of("q", v, samples) : Observation.NoData("q", samples);
            run = AnalysisRuns.Record(run, Policy.Metrics, MeasurementAssessor.Assess(Policy.Metrics[metric], observation, Start.AddMinutes(minute)), out _);
        }
        run = AnalysisRuns.Evaluate(run, Policy.Metrics, Start.AddMinutes(3));
        return RolloutState.Initial with
        {
            Generation = 1,
            Stable = "v1",
            Canary = "v2",
            Phase = RolloutPhase.Progressing,
            StepIndex = 1,
            StepStartedAt = Start.AddMinutes(1),
            RolloutStartedAt = Start,
            Weight = 10,
            StepAnalysis = run,
            History =
            [
                new RolloutEvent(Start, RolloutEventKind.Started, "rollout of v2 started (stable v1)"),
                new RolloutEvent(Start.AddMinutes(1), RolloutEventKind.StepCompleted, "step 1 (setWeight 10) complete"),
                new RolloutEvent(Start.AddMinutes(1), RolloutEventKind.StepStarted, "step 2: analysis error-rate, latency-p99, score-drift"),
            ],
        };
    }

    public static RolloutState RolledBack() => RolloutState.Initial with
    {
        Generation = 1,
        Stable = "v1",
        Canary = "v2",
        Phase = RolloutPhase.Degraded,
        Rejected = [new RejectedVersion("v2", Start.AddMinutes(4), "analysis of step 2 Failed: error-rate: 2 failed measurement(s), more than failureLimit 1")],
    };

    public static RolloutState Settled() => RolloutState.Initial with { Generation = 1, Stable = "v1", Phase = RolloutPhase.Healthy };

    public void Dispose() => _folder.Delete(recursive: true);
}
