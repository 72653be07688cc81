using System.Collections.Immutable;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Replay;
using GitOps.Rollouts.Rollout;
using GitOps.Rollouts.Tests.Support;
using GitOps.Testing.Golden;

namespace GitOps.Rollouts.Tests.Replay;

/// <summary>
/// Measurements recorded on the local runtime by the rollout benchmark (a real Prometheus scraping real inference
/// servers under load): a good canary measured for minutes and canaries answering half their requests with 500.
/// Replayed under the policy they were measured with, they keep the benchmark's goals as tests: no window of the good
/// canary rolls it back, and each bad canary is rolled back at its first measurement that sees traffic. The files are
/// the benchmark's <c>--recordings</c> output without the query text of each entry (kept for people, ignored by replays).
/// </summary>
public sealed class RecordedRolloutTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>The policy of the recordings (the benchmark's <c>bench-guarded</c>): error rate and score drift every 2 s.</summary>
    private static readonly RolloutPolicy Guarded = TestPolicies.Canary(TestPolicies.Weight(50), TestPolicies.Analysis("error-rate", "score-drift"), TestPolicies.Weight(100)) with
    {
        Metrics = new[]
        {
            new AnalysisMetric
            {
                Name = "error-rate",
                Query = "error rate of the canary over 10s",
                SuccessCondition = "result < 0.05",
                FailureCondition = "result >= 0.2",
                Interval = Interval,
                Count = 6,
                InconclusiveLimit = 6,
                ErrorLimit = 1,
            },
            new AnalysisMetric
            {
                Name = "score-drift",
                Query = "median score distance between canary and stable over 10s",
                SuccessCondition = "result < 0.1",
                Interval = Interval,
                Count = 6,
                InconclusiveLimit = 6,
                ErrorLimit = 1,
            },
        }.ToImmutableDictionary(m => m.Name, StringComparer.Ordinal),
    };

    private static readonly string[] Metrics = ["error-rate", "score-drift"];

    private static MeasurementRecording Read(string name)
    {
        var json = File.ReadAllText(RepositoryPaths.Combine("tests", "GitOps.Rollouts.Tests", "testdata", "recorded", name));
        var recording = MeasurementRecording.Parse(json, null, out var error);
        Assert.True(recording is not null, error);
        return recording;
    }

    public sealed class TheGoodCanary
    {
        [Fact]
        public void Should_Not_Roll_Back_In_Any_Of_50_Windows_When_Its_Recorded_Metrics_Are_Replayed()
        {
            // Given minutes of a good canary's measurements, from its first measured traffic
            var recording = Read("good-canary.json");
            var first = recording.Observations.Where(o => o.Observation is { Kind: ObservationKind.Value, Value: { } v } && !double.IsNaN(v)).Min(o => o.At);

            // When 50 canaries whose analysis starts 6 s apart are replayed under the policy, each with 30 s of data
            // (the reconciler measures at its passes, so 6 measurements can take more than 12 s)
            var outcomes = Enumerable.Range(0, 50)
                .Select(i => first + TimeSpan.FromSeconds(6 * i))
                .Select(from => (from, result: AnalysisReplay.Run(Guarded, Metrics, recording.Observations, from, from + TimeSpan.FromSeconds(30))))
                .ToList();

            // Then none rolls the good version back, and each one's first run is Successful: it would be promoted
            Assert.All(outcomes, o => Assert.True(o.result.Outcome == ReplayOutcome.Passed, $"window from {o.from:O}: {o.result.Outcome} ({o.result.Reason})"));
            Assert.All(outcomes, o => Assert.Equal(AnalysisPhase.Successful, o.result.Runs[0].Verdict));
        }
    }

    public sealed class TheBadCanaries
    {
        [Theory]
        [InlineData("bad-canary-1.json")]
        [InlineData("bad-canary-2.json")]
        [InlineData("bad-canary-3.json")]
        public void Should_Roll_Back_At_The_First_Measurement_That_Sees_Traffic_When_Half_The_Answers_Are_500(string file)
        {
            // Given a canary's measurements from the start of its analysis to its rollback
            var recording = Read(file);
            var start = recording.Observations.Min(o => o.At);
            var firstTraffic = recording.Observations
                .First(o => o.Metric == "error-rate" && o.Observation is { Kind: ObservationKind.Value, Value: { } v } && !double.IsNaN(v));

            // When
            var result = AnalysisReplay.Run(Guarded, Metrics, recording.Observations, start, recording.Observations.Max(o => o.At));

            // Then the error rate rolls it back within 2 intervals of its first measured traffic
            Assert.Equal((ReplayOutcome.RolledBack, "error-rate"), (result.Outcome, result.DecidingMetric));
            Assert.InRange(result.DecidedAt!.Value - firstTraffic.At, TimeSpan.Zero, Interval * 2);
        }
    }
}
