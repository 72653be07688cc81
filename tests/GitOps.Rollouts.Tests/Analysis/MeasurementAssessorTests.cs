using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Tests.Support;

namespace GitOps.Rollouts.Tests.Analysis;

/// <summary>One test per rule of the decided semantics for a single measurement.</summary>
public sealed class MeasurementAssessorTests
{
    private static readonly DateTimeOffset At = RolloutDriver.Start;

    private static MeasurementPhase Phase(AnalysisMetric metric, Observation observation) =>
        MeasurementAssessor.Assess(metric, observation, At).Phase;

    public sealed class TheConditions
    {
        [Fact]
        public void Should_Be_Successful_When_SuccessCondition_Is_True()
        {
            // Given a metric with both conditions
            var metric = TestPolicies.ErrorRate();

            // When the result meets successCondition only
            var phase = Phase(metric, Observation.Of("q", 0.001));

            // Then
            Assert.Equal(MeasurementPhase.Successful, phase);
        }

        [Fact]
        public void Should_Be_Failed_When_FailureCondition_Is_True()
        {
            // Given
            var metric = TestPolicies.ErrorRate();

            // When
            var phase = Phase(metric, Observation.Of("q", 0.2));

            // Then
            Assert.Equal(MeasurementPhase.Failed, phase);
        }

        [Fact]
        public void Should_Be_Failed_When_Both_Conditions_Are_True()
        {
            // Given conditions that overlap
            var metric = TestPolicies.ErrorRate(m => m with { SuccessCondition = "result < 0.5", FailureCondition = "result > 0.1" });

            // When
            var measurement = MeasurementAssessor.Assess(metric, Observation.Of("q", 0.2), At);

            // Then
            Assert.Equal(MeasurementPhase.Failed, measurement.Phase);
            Assert.Contains("failureCondition", measurement.Reason);
        }

        [Fact]
        public void Should_Be_Inconclusive_When_Neither_Condition_Is_True()
        {
            // Given success below 0.01, failure at 0.05 and above
            var metric = TestPolicies.ErrorRate();

            // When the result falls between them
            var measurement = MeasurementAssessor.Assess(metric, Observation.Of("q", 0.03), At);

            // Then
            Assert.Equal(MeasurementPhase.Inconclusive, measurement.Phase);
            Assert.Equal(0.03, measurement.Value);
        }

        [Fact]
        public void Should_Fail_When_Only_SuccessCondition_Is_Set_And_It_Is_False()
        {
            // Given
            var metric = TestPolicies.ErrorRate(m => m with { FailureCondition = null });

            // When
            var phase = Phase(metric, Observation.Of("q", 0.03));

            // Then the failure condition is the negation of the success condition
            Assert.Equal(MeasurementPhase.Failed, phase);
        }

        [Fact]
        public void Should_Succeed_When_Only_FailureCondition_Is_Set_And_It_Is_False()
        {
            // Given
            var metric = TestPolicies.ErrorRate(m => m with { SuccessCondition = null });

            // When
            var phase = Phase(metric, Observation.Of("q", 0.03));

            // Then the success condition is the negation of the failure condition
            Assert.Equal(MeasurementPhase.Successful, phase);
        }

        [Fact]
        public void Should_Fail_When_The_Result_Is_Positive_Infinity()
        {
            // Given latency must stay below 0.25 (only successCondition set)
            var metric = TestPolicies.Latency();

            // When the query answers +Inf (histogram_quantile beyond the last bucket)
            var measurement = MeasurementAssessor.Assess(metric, Observation.Of("q", double.PositiveInfinity), At);

            // Then +Inf is a value like any other: it does not meet the condition
            Assert.Equal(MeasurementPhase.Failed, measurement.Phase);
            Assert.Contains("+Inf", measurement.Reason);
        }

        [Fact]
        public void Should_Be_Error_When_A_Condition_Cannot_Be_Evaluated()
        {
            // Given a condition that does not give a boolean
            var metric = TestPolicies.ErrorRate(m => m with { SuccessCondition = "result + 1.0", FailureCondition = null });

            // When
            var measurement = MeasurementAssessor.Assess(metric, Observation.Of("q", 0.1), At);

            // Then it is never a pass
            Assert.Equal(MeasurementPhase.Error, measurement.Phase);
            Assert.Contains("could not be evaluated", measurement.Reason);
        }
    }

    public sealed class TheNoDataRules
    {
        [Fact]
        public void Should_Be_Inconclusive_When_The_Vector_Is_Empty_And_OnNoData_Is_Default()
        {
            // Given
            var metric = TestPolicies.ErrorRate();

            // When
            var measurement = MeasurementAssessor.Assess(metric, Observation.NoData("q"), At);

            // Then
            Assert.Equal(MeasurementPhase.Inconclusive, measurement.Phase);
            Assert.Contains("no data", measurement.Reason);
        }

        [Theory]
        [InlineData(MeasurementPhase.Failed)]
        [InlineData(MeasurementPhase.Successful)]
        public void Should_Follow_OnNoData_When_The_Vector_Is_Empty(MeasurementPhase onNoData)
        {
            // Given
            var metric = TestPolicies.ErrorRate(m => m with { OnNoData = onNoData });

            // When
            var phase = Phase(metric, Observation.NoData("q"));

            // Then
            Assert.Equal(onNoData, phase);
        }

        [Fact]
        public void Should_Follow_OnNoData_When_The_Result_Is_NaN()
        {
            // Given a ratio of two zero rates is NaN in PromQL
            var metric = TestPolicies.ErrorRate(m => m with { OnNoData = MeasurementPhase.Failed });

            // When
            var measurement = MeasurementAssessor.Assess(metric, Observation.Of("q", double.NaN), At);

            // Then
            Assert.Equal(MeasurementPhase.Failed, measurement.Phase);
            Assert.Contains("NaN", measurement.Reason);
        }

        [Fact]
        public void Should_Follow_OnNoData_When_There_Are_Fewer_Requests_Than_MinSamples()
        {
            // Given a good value from too few requests
            var metric = TestPolicies.ErrorRate(m => m with { MinSamples = 50 });

            // When
            var measurement = MeasurementAssessor.Assess(metric, Observation.Of("q", 0.0, samples: 12), At);

            // Then it is not a silent pass
            Assert.Equal(MeasurementPhase.Inconclusive, measurement.Phase);
            Assert.Contains("12 requests, fewer than minSamples 50", measurement.Reason);
        }

        [Fact]
        public void Should_Assess_The_Value_When_There_Are_Enough_Samples()
        {
            // Given
            var metric = TestPolicies.ErrorRate(m => m with { MinSamples = 50 });

            // When
            var phase = Phase(metric, Observation.Of("q", 0.0, samples: 50));

            // Then
            Assert.Equal(MeasurementPhase.Successful, phase);
        }
    }

    public sealed class TheErrorRule
    {
        [Fact]
        public void Should_Be_Error_When_The_Query_Failed()
        {
            // Given
            var metric = TestPolicies.ErrorRate();

            // When
            var measurement = MeasurementAssessor.Assess(metric, Observation.Failed("q", "timed out after 10s"), At);

            // Then
            Assert.Equal(MeasurementPhase.Error, measurement.Phase);
            Assert.Equal("query failed: timed out after 10s", measurement.Reason);
            Assert.Equal(At, measurement.At);
            Assert.Equal("q", measurement.Query);
        }
    }
}
