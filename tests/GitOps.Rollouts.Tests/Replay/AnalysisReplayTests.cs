using System.Collections.Immutable;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Replay;
using GitOps.Rollouts.Rollout;
using GitOps.Rollouts.Tests.Support;
using Xunit;

namespace GitOps.Rollouts.Tests.Replay;

public sealed class AnalysisReplayTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 14, 0, 0, TimeSpan.Zero);

    private static RolloutPolicy Policy(Func<AnalysisMetric, AnalysisMetric>? change = null) => TestPolicies.Canary() with
    {
        Metrics = new[] { TestPolicies.ErrorRate(change) }.ToImmutableDictionary(m => m.Name, StringComparer.Ordinal),
    };

    private static IEnumerable<RecordedObservation> ErrorRates(params double[] values) =>
        values.Select((v, i) => new RecordedObservation("error-rate", T0.AddMinutes(i), Observation.Of("q", v)));

    public sealed class TheRunMethod
    {
        [Fact]
        public void Should_Roll_Back_At_The_Measurement_That_Exceeds_The_Failure_Limit()
        {
            // Given failureLimit 0: the first failure fails the metric
            var answers = ErrorRates(0.001, 0.002, 0.001, 0.2, 0.001);

            // When
            var result = AnalysisReplay.Run(Policy(), ["error-rate"], answers, T0, T0.AddMinutes(10));

            // Then run 1 passes after count 3; run 2 fails at its first answer
            Assert.Equal((ReplayOutcome.RolledBack, T0.AddMinutes(3), "error-rate"), (result.Outcome, result.DecidedAt, result.DecidingMetric));
            Assert.Equal([AnalysisPhase.Successful, AnalysisPhase.Failed], result.Runs.Select(r => r.Verdict));
            Assert.Equal(4, result.Measurements.Length);
        }

        [Fact]
        public void Should_Never_Use_One_Answer_In_Two_Runs()
        {
            // Given
            var answers = ErrorRates(0.001, 0.001, 0.001, 0.001, 0.001, 0.001, 0.001);

            // When
            var result = AnalysisReplay.Run(Policy(), ["error-rate"], answers, T0, T0.AddMinutes(10));

            // Then 7 answers: two runs of 3, and a third still measuring when the data ends
            Assert.Equal(ReplayOutcome.Passed, result.Outcome);
            Assert.Equal(7, result.Measurements.Select(m => m.At).Distinct().Count());
            Assert.Equal([AnalysisPhase.Successful, AnalysisPhase.Successful, AnalysisPhase.Running], result.Runs.Select(r => r.Verdict));
        }

        [Fact]
        public void Should_Pause_For_A_Human_When_Inconclusive_And_The_Policy_Pauses()
        {
            // Given no traffic: NaN is no data, onNoData inconclusive
            var answers = ErrorRates(0.001, double.NaN);

            // When
            var result = AnalysisReplay.Run(Policy(), ["error-rate"], answers, T0, T0.AddMinutes(10));

            // Then
            Assert.Equal((ReplayOutcome.Paused, T0.AddMinutes(1)), (result.Outcome, result.DecidedAt));
        }

        [Fact]
        public void Should_Retry_An_Error_Ten_Seconds_Later_Without_Counting_It()
        {
            // Given
            RecordedObservation[] answers =
            [
                new("error-rate", T0, Observation.Failed("q", "timeout")),
                new("error-rate", T0.AddSeconds(10), Observation.Of("q", 0.001)),
                new("error-rate", T0.AddMinutes(1), Observation.Of("q", 0.001)),
                new("error-rate", T0.AddMinutes(2), Observation.Of("q", 0.001)),
            ];

            // When
            var result = AnalysisReplay.Run(Policy(), ["error-rate"], answers, T0, T0.AddMinutes(2));

            // Then
            Assert.Equal([MeasurementPhase.Error, MeasurementPhase.Successful, MeasurementPhase.Successful, MeasurementPhase.Successful],
                result.Measurements.Select(m => m.Phase));
            Assert.Equal(AnalysisPhase.Successful, result.Runs[0].Verdict);
        }

        [Fact]
        public void Should_Say_A_Template_The_Policy_Does_Not_Define_Is_An_Error()
        {
            // When
            var result = AnalysisReplay.Run(Policy(), ["latency"], ErrorRates(0.001), T0, T0.AddMinutes(1));

            // Then
            Assert.Equal(ReplayOutcome.RolledBack, result.Outcome);
            Assert.Contains("analysis template 'latency' is not defined", result.Reason);
        }

        [Fact]
        public void Should_Reach_The_Live_Verdict_When_Replaying_What_A_Live_Rollout_Recorded()
        {
            // Given a live rollout whose canary starts failing after 2 minutes, driven through the real machine
            var policy = TestPolicies.Canary(TestPolicies.Weight(10), TestPolicies.Analysis("error-rate"), TestPolicies.PauseUntilPromoted()) with
            {
                Metrics = new[] { TestPolicies.ErrorRate(m => m with { Count = 10, FailureLimit = 1 }) }.ToImmutableDictionary(m => m.Name, StringComparer.Ordinal),
            };
            var driver = new RolloutDriver(policy);
            driver.Answer = r => Observation.Of("q", driver.Now - RolloutDriver.Start < TimeSpan.FromMinutes(2) ? 0.001 : 0.2);
            driver.Run(TimeSpan.FromMinutes(10));
            var rolledBack = driver.State.Rejected.Single();
            var live = driver.State.PastRuns.Single();

            // When
            var recording = MeasurementRecording.FromState("fraud", "prod", driver.State);
            var result = AnalysisReplay.Run(policy, ["error-rate"], recording.Observations, live.StartedAt, driver.Now);

            // Then
            Assert.Equal(RolloutPhase.Degraded, driver.State.Phase);
            Assert.Equal((ReplayOutcome.RolledBack, live.CompletedAt), (result.Outcome, result.DecidedAt));
            Assert.Equal(live.Measurements.Select(m => (m.At, m.Phase)), result.Measurements.Select(m => (m.At, m.Phase)));
            Assert.Contains("error-rate", rolledBack.Reason);
        }
    }

    public sealed class TheMeasurementsFile
    {
        [Fact]
        public void Should_Read_Back_What_It_Wrote_Including_NaN_Infinity_No_Data_And_Errors()
        {
            // Given
            var recording = new MeasurementRecording("fraud", "prod", "v2",
            [
                new("error-rate", T0, Observation.Of("q1", double.NaN, 10)),
                new("latency", T0, Observation.Of("q2", double.PositiveInfinity, 10)),
                new("error-rate", T0.AddMinutes(1), Observation.NoData("q1", 0)),
                new("latency", T0.AddMinutes(1), Observation.Failed("q2", "Prometheus answered HTTP 503")),
                new("error-rate", T0.AddMinutes(2), Observation.Of("q1", 0.0125)),
            ]);

            // When
            var text = recording.ToJson().ToJsonString();
            var read = MeasurementRecording.Parse(text, null, out var error);

            // Then
            Assert.Null(error);
            Assert.Equal(("fraud", "prod", "v2"), (read!.Model, read.Environment, read.Version));
            Assert.Equal(recording.Observations.Select(o => o.ToString()), read.Observations.Select(o => o.ToString()));
        }

        [Theory]
        [InlineData("""{"kind":"Other"}""", "expected a JSON object with \"kind\": \"MeasurementRecording\"")]
        [InlineData("""{"kind":"MeasurementRecording"}""", "\"measurements\" is missing or not a list")]
        [InlineData("""{"kind":"MeasurementRecording","measurements":[{"metric":"m","at":"yesterday","value":1}]}""", "measurements[0]: \"at\" must be a time")]
        [InlineData("""{"kind":"MeasurementRecording","measurements":[{"at":"2026-03-04T14:00:00Z","value":1}]}""", "measurements[0]: \"metric\" is missing")]
        [InlineData("""{"rollouts":[]}""", "the status lists no rollout")]
        [InlineData("not json", "not valid JSON: 'not json' is an invalid JSON literal")]
        [InlineData("""{"kind":"MeasurementRecording","measurements":[{"metric":"m","at":"2026-03-04T14:00:00Z","value":1,"noData":true}]}""",
            "measurements[0]: it has \"value\" and \"noData\"; exactly one of")]
        [InlineData("""{"kind":"MeasurementRecording","measurements":[{"metric":"m","at":"2026-03-04T14:00:00Z","value":1,"error":"timeout"}]}""",
            "measurements[0]: it has \"value\" and \"error\"; exactly one of")]
        [InlineData("""{"kind":"MeasurementRecording","measurements":[{"metric":"m","at":"2026-03-04T14:00:00Z","value":1,"samples":-3}]}""",
            "measurements[0]: \"samples\" must be a count of requests, 0 or more (got -3)")]
        [InlineData("""{"kind":"MeasurementRecording","measurements":[{"metric":"m","at":"2026-03-04T14:00:00Z","value":"high"}]}""",
            "measurements[0]: \"value\" must be a number")]
        [InlineData("""{"kind":"MeasurementRecording","measurements":[{"metric":"m","at":"2026-03-04T14:00:00Z","noData":false}]}""",
            "measurements[0]: \"noData\" can only be true")]
        [InlineData("{\n  \"kind\": \"MeasurementRecording\",\n  \"measurements\": [}\n", "not valid JSON: ")]
        public void Should_Say_What_Is_Wrong_With_A_Damaged_File(string json, string expected)
        {
            // When
            var read = MeasurementRecording.Parse(json, null, out var error);

            // Then
            Assert.Null(read);
            Assert.StartsWith(expected, error);
            Assert.DoesNotContain("LineNumber", error);
        }

        [Fact]
        public void Should_Give_The_Line_From_1_When_The_Json_Is_Broken()
        {
            // When
            MeasurementRecording.Parse("{\n  \"kind\": \"MeasurementRecording\",\n  \"measurements\": [}\n", null, out var error);

            // Then
            Assert.Contains("(line 3, column ", error);
        }

        [Fact]
        public void Should_Read_A_File_That_Starts_With_A_Byte_Order_Mark()
        {
            // Given what an editor saving "UTF-8 with BOM" writes
            var json = "\uFEFF" + """{"kind":"MeasurementRecording","measurements":[{"metric":"error-rate","at":"2026-03-04T14:00:00Z","value":0.01}]}""";

            // When
            var read = MeasurementRecording.Parse(json, null, out var error);

            // Then
            Assert.Null(error);
            Assert.Single(read!.Observations);
        }

        [Fact]
        public void Should_Name_The_Measurement_And_The_Templates_When_A_Metric_Is_Not_In_The_Policy()
        {
            // Given
            var recording = new MeasurementRecording("fraud", "prod", "v2",
            [
                new("error-rate", T0, Observation.Of("q1", 0.01)),
                new("error_rate", T0.AddMinutes(1), Observation.Of("q1", 0.02)),
            ]);

            // When
            var problem = recording.UnknownMetric("canary-standard", ["latency-p99", "error-rate"]);

            // Then
            Assert.Equal("measurements[1]: \"metric\" is 'error_rate', which is not an analysis template of rollout policy canary-standard "
                + "(its templates: error-rate, latency-p99; did you mean 'error-rate'?)", problem);
            Assert.Null(recording.UnknownMetric("canary-standard", ["error-rate", "error_rate"]));
        }
    }
}
