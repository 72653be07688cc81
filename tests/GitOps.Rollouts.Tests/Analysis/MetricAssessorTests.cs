using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Tests.Support;

namespace GitOps.Rollouts.Tests.Analysis;

/// <summary>One test per rule of the decided semantics for a metric's verdict and schedule.</summary>
public sealed class MetricAssessorTests
{
    private static readonly DateTimeOffset T0 = RolloutDriver.Start;

    /// <summary>Measurements one minute apart with the given phases.</summary>
    private static List<Measurement> Measurements(params MeasurementPhase[] phases) =>
        [.. phases.Select((p, i) => new Measurement("error-rate", T0.AddMinutes(i), "q", 0, null, p, p.ToString()))];

    private const MeasurementPhase S = MeasurementPhase.Successful;
    private const MeasurementPhase F = MeasurementPhase.Failed;
    private const MeasurementPhase I = MeasurementPhase.Inconclusive;
    private const MeasurementPhase E = MeasurementPhase.Error;

    public sealed class TheAssessMethod
    {
        [Fact]
        public void Should_Fail_When_Failures_Exceed_FailureLimit()
        {
            // Given failureLimit 1
            var metric = TestPolicies.ErrorRate(m => m with { FailureLimit = 1, Count = 5 });

            // When one failure, then a second
            var one = MetricAssessor.Assess(metric, Measurements(F, S));
            var two = MetricAssessor.Assess(metric, Measurements(F, S, F));

            // Then one is tolerated, two are not
            Assert.Equal(AnalysisPhase.Running, one.Phase);
            Assert.Equal(AnalysisPhase.Failed, two.Phase);
            Assert.Contains("2 failed measurement(s), more than failureLimit 1", two.Reason);
        }

        [Fact]
        public void Should_Fail_On_The_First_Failure_When_FailureLimit_Is_Default()
        {
            // Given the default failureLimit 0
            var metric = TestPolicies.ErrorRate();

            // When
            var result = MetricAssessor.Assess(metric, Measurements(F));

            // Then
            Assert.Equal(AnalysisPhase.Failed, result.Phase);
        }

        [Fact]
        public void Should_Be_Inconclusive_When_Inconclusives_Exceed_InconclusiveLimit()
        {
            // Given
            var metric = TestPolicies.ErrorRate(m => m with { InconclusiveLimit = 1, Count = 5 });

            // When
            var one = MetricAssessor.Assess(metric, Measurements(I, S));
            var two = MetricAssessor.Assess(metric, Measurements(I, S, I));

            // Then
            Assert.Equal(AnalysisPhase.Running, one.Phase);
            Assert.Equal(AnalysisPhase.Inconclusive, two.Phase);
        }

        [Fact]
        public void Should_Err_When_Consecutive_Errors_Exceed_ErrorLimit()
        {
            // Given the default errorLimit 4
            var metric = TestPolicies.ErrorRate();

            // When four, then five errors in a row
            var four = MetricAssessor.Assess(metric, Measurements(E, E, E, E));
            var five = MetricAssessor.Assess(metric, Measurements(E, E, E, E, E));

            // Then
            Assert.Equal(AnalysisPhase.Running, four.Phase);
            Assert.Equal(AnalysisPhase.Error, five.Phase);
            Assert.Contains("5 consecutive query errors, more than errorLimit 4", five.Reason);
        }

        [Fact]
        public void Should_Not_Err_When_Errors_Are_Not_Consecutive()
        {
            // Given errorLimit 1
            var metric = TestPolicies.ErrorRate(m => m with { ErrorLimit = 1, Count = 10 });

            // When errors are separated by good measurements
            var result = MetricAssessor.Assess(metric, Measurements(E, S, E, S, E, S));

            // Then only consecutive errors count
            Assert.Equal(AnalysisPhase.Running, result.Phase);
            Assert.Equal(3, result.Errors);
            Assert.Equal(0, result.ConsecutiveErrors);
        }

        [Fact]
        public void Should_Not_Count_Errors_Toward_Count()
        {
            // Given count 3
            var metric = TestPolicies.ErrorRate();

            // When two good measurements and two errors
            var result = MetricAssessor.Assess(metric, Measurements(S, E, E, S));

            // Then the metric still needs one more measurement
            Assert.Equal(AnalysisPhase.Running, result.Phase);
            Assert.Equal(2, result.Counted);
        }

        [Fact]
        public void Should_Succeed_When_Count_Is_Reached_Within_The_Limits()
        {
            // Given count 3, failureLimit 1, inconclusiveLimit 1
            var metric = TestPolicies.ErrorRate(m => m with { FailureLimit = 1, InconclusiveLimit = 1 });

            // When
            var result = MetricAssessor.Assess(metric, Measurements(F, I, S, S));

            // Then
            Assert.Equal(AnalysisPhase.Successful, result.Phase);
        }

        [Fact]
        public void Should_Not_Count_Inconclusive_Measurements_Toward_Count_When_They_Stay_Within_The_Limit()
        {
            // Given count 3 and an inconclusiveLimit above it
            var metric = TestPolicies.ErrorRate(m => m with { InconclusiveLimit = 5 });

            // When every measurement so far had no data, then one measured
            var noData = MetricAssessor.Assess(metric, Measurements(I, I, I, I));
            var oneMeasured = MetricAssessor.Assess(metric, Measurements(I, I, I, I, S));

            // Then no data is never a pass: the metric runs until three measurements measured something
            Assert.Equal(AnalysisPhase.Running, noData.Phase);
            Assert.Equal(0, noData.Counted);
            Assert.Equal(AnalysisPhase.Running, oneMeasured.Phase);
            Assert.Equal(AnalysisPhase.Successful, MetricAssessor.Assess(metric, Measurements(I, S, I, S, I, S)).Phase);
            Assert.Equal(AnalysisPhase.Inconclusive, MetricAssessor.Assess(metric, Measurements(I, I, I, I, I, I)).Phase);
        }

        [Fact]
        public void Should_Be_Running_When_Fewer_Than_Count_Measurements()
        {
            // Given
            var metric = TestPolicies.ErrorRate();

            // When
            var result = MetricAssessor.Assess(metric, Measurements(S, S));

            // Then
            Assert.Equal(AnalysisPhase.Running, result.Phase);
        }
    }

    public sealed class TheNextDueMethod
    {
        [Fact]
        public void Should_Measure_At_Once_When_Nothing_Was_Measured()
        {
            // Given / When
            var due = MetricAssessor.NextDue(TestPolicies.ErrorRate(), T0, []);

            // Then
            Assert.Equal(T0, due);
        }

        [Fact]
        public void Should_Measure_At_A_Fixed_Rate_When_The_Last_Measurement_Was_Late()
        {
            // Given a measurement taken 20 s after its slot
            var metric = TestPolicies.ErrorRate();
            var measurements = new List<Measurement> { new("error-rate", T0.AddSeconds(20), "q", 0, null, S, "") };

            // When
            var due = MetricAssessor.NextDue(metric, T0, measurements);

            // Then the next slot is one interval after the run's start, not after the late measurement
            Assert.Equal(T0.AddMinutes(1), due);
        }

        [Fact]
        public void Should_Retry_After_Ten_Seconds_When_The_Last_Measurement_Was_An_Error()
        {
            // Given
            var metric = TestPolicies.ErrorRate();
            var measurements = new List<Measurement> { new("error-rate", T0.AddSeconds(5), "q", null, null, E, "") };

            // When
            var due = MetricAssessor.NextDue(metric, T0, measurements);

            // Then
            Assert.Equal(T0.AddSeconds(15), due);
        }

        [Fact]
        public void Should_Not_Measure_When_The_Verdict_Is_Final()
        {
            // Given a failed metric
            var metric = TestPolicies.ErrorRate();

            // When
            var due = MetricAssessor.NextDue(metric, T0, Measurements(F));

            // Then
            Assert.Null(due);
        }
    }
}
