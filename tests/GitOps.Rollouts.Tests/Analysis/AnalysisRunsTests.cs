using System.Collections.Immutable;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Tests.Support;

namespace GitOps.Rollouts.Tests.Analysis;

public sealed class AnalysisRunsTests
{
    private static readonly DateTimeOffset T0 = RolloutDriver.Start;

    private static readonly ImmutableDictionary<string, AnalysisMetric> Metrics =
        new[] { TestPolicies.ErrorRate(), TestPolicies.Latency() }.ToImmutableDictionary(m => m.Name, StringComparer.Ordinal);

    private static Measurement M(string metric, int minute, MeasurementPhase phase) =>
        new(metric, T0.AddMinutes(minute), "q", 0, null, phase, phase.ToString());

    private static AnalysisRun Run(params Measurement[] measurements) =>
        AnalysisRuns.Start("1-step-2", ["error-rate", "latency"], T0) with { Measurements = [.. measurements] };

    public sealed class TheEvaluateMethod
    {
        /// <summary>Verdict precedence: Failed &gt; Error &gt; Inconclusive &gt; Running &gt; Successful.</summary>
        [Theory]
        [InlineData("F", "E", AnalysisPhase.Failed)]
        [InlineData("E", "I", AnalysisPhase.Error)]
        [InlineData("I", "R", AnalysisPhase.Inconclusive)]
        [InlineData("R", "S", AnalysisPhase.Running)]
        [InlineData("S", "S", AnalysisPhase.Successful)]
        [InlineData("S", "F", AnalysisPhase.Failed)]
        public void Should_Take_The_Worst_Metric_When_Metrics_Disagree(string errorRate, string latency, AnalysisPhase expected)
        {
            // Given each metric driven to the wanted verdict
            var measurements = Drive("error-rate", errorRate).Concat(Drive("latency", latency)).ToArray();

            // When
            var run = AnalysisRuns.Evaluate(Run(measurements), Metrics, T0.AddMinutes(10));

            // Then
            Assert.Equal(expected, run.Phase);
            Assert.Equal(expected.IsCompleted(), run.CompletedAt is not null);
        }

        private static IEnumerable<Measurement> Drive(string metric, string verdict) => verdict switch
        {
            "F" => [M(metric, 0, MeasurementPhase.Failed)],
            "E" => Enumerable.Range(0, 5).Select(i => M(metric, i, MeasurementPhase.Error)),
            "I" => [M(metric, 0, MeasurementPhase.Inconclusive)],
            "R" => [M(metric, 0, MeasurementPhase.Successful)],
            _ => Enumerable.Range(0, 3).Select(i => M(metric, i, MeasurementPhase.Successful)),
        };

        [Fact]
        public void Should_Err_When_A_Template_Is_Not_Defined()
        {
            // Given a run naming a template the policy no longer has
            var run = AnalysisRuns.Start("1-background", ["gone"], T0);

            // When
            var judged = AnalysisRuns.Evaluate(run, Metrics, T0);

            // Then
            Assert.Equal(AnalysisPhase.Error, judged.Phase);
            Assert.Contains("'gone' is not defined", judged.Reason);
        }
    }

    public sealed class TheRecordMethod
    {
        [Fact]
        public void Should_Drop_A_Second_Answer_For_The_Same_Slot()
        {
            // Given a measurement already taken in the first slot
            var run = Run(M("error-rate", 0, MeasurementPhase.Successful));

            // When another arrives 30 s later (before the next slot)
            var again = new Measurement("error-rate", T0.AddSeconds(30), "q", 0, null, MeasurementPhase.Failed, "late duplicate");
            var after = AnalysisRuns.Record(run, Metrics, again, out var accepted);

            // Then it is not counted
            Assert.False(accepted);
            Assert.Single(after.Measurements);
        }

        [Fact]
        public void Should_Drop_An_Answer_When_The_Run_Is_Complete()
        {
            // Given a failed run
            var run = AnalysisRuns.Evaluate(Run(M("error-rate", 0, MeasurementPhase.Failed)), Metrics, T0);

            // When
            AnalysisRuns.Record(run, Metrics, M("latency", 1, MeasurementPhase.Successful), out var accepted);

            // Then
            Assert.False(accepted);
        }

        [Fact]
        public void Should_List_Due_Metrics_When_Their_Slot_Arrives()
        {
            // Given both metrics measured at T0
            var run = Run(M("error-rate", 0, MeasurementPhase.Successful), M("latency", 0, MeasurementPhase.Error));

            // When
            var at10s = AnalysisRuns.Due(run, Metrics, T0.AddSeconds(10));
            var at1m = AnalysisRuns.Due(run, Metrics, T0.AddMinutes(1));

            // Then the errored one is retried after 10 s, the other waits for its next slot
            Assert.Equal(["latency"], at10s.ToArray());
            Assert.Equal(["error-rate", "latency"], at1m.ToArray());
        }
    }
}
