using GitOps.Policy.Gates;
using GitOps.Specs.Model;
using static GitOps.Policy.Tests.TestSpecs;

namespace GitOps.Policy.Tests;

public sealed class GateEvaluatorTests
{
    private static readonly ModelFacts Facts = new("fraud-detector", "a1b2c3", 3 * 1024 * 1024, 1.5, 4.0);

    private static readonly QualityGateSpec FraudQuality = Gate("fraud-quality",
        new GateRule("no-regression", "metrics.auc >= champion.metrics.auc - 0.005", "AUC dropped more than 0.005 below the champion"),
        new GateRule("min-auc", "metrics.auc >= 0.85", null));

    public sealed class TheEvaluateMethod
    {
        [Fact]
        public void Should_Pass_When_Every_Rule_Holds()
        {
            // When
            var result = GateEvaluator.Evaluate(FraudQuality, new Dictionary<string, double> { ["auc"] = 0.91 },
                new Dictionary<string, double> { ["auc"] = 0.912 }, Facts);

            // Then
            Assert.True(result.Passed);
            Assert.Equal(["no-regression", "min-auc"], result.Rules.Select(r => r.Rule));
            Assert.Equal("fraud-quality: passed", result.ToString());
        }

        [Fact]
        public void Should_Fail_With_The_Rule_Message_And_The_Values_Read_When_The_Candidate_Regresses()
        {
            // When
            var result = GateEvaluator.Evaluate(FraudQuality, new Dictionary<string, double> { ["auc"] = 0.90 },
                new Dictionary<string, double> { ["auc"] = 0.92 }, Facts);

            // Then
            Assert.False(result.Passed);
            var failure = Assert.Single(result.Failures);
            Assert.Equal("no-regression", failure.Rule);
            Assert.Equal("AUC dropped more than 0.005 below the champion: auc 0.9 < 0.915 (champion.metrics.auc - 0.005)", failure.Reason);
        }

        [Fact]
        public void Should_State_The_Failed_Comparison_As_The_Reason_When_The_Rule_Has_No_Message()
        {
            // When
            var result = GateEvaluator.Evaluate(FraudQuality, new Dictionary<string, double> { ["auc"] = 0.81 }, null, Facts);

            // Then
            var failure = Assert.Single(result.Failures);
            Assert.Equal("auc 0.81 < 0.85", failure.Reason);
        }

        [Fact]
        public void Should_State_The_Measured_Latency_When_A_Model_Fact_Rule_Fails()
        {
            // Given
            var gate = Gate("fast", new GateRule("p99", "model.latencyP99Ms <= 2.5", null));

            // When
            var result = GateEvaluator.Evaluate(gate, new Dictionary<string, double>(), null, Facts);

            // Then
            Assert.Equal("latencyP99Ms 4 > 2.5", Assert.Single(result.Failures).Reason);
        }

        [Fact]
        public void Should_Quote_The_Values_Read_When_The_Condition_Is_Not_A_Single_Comparison()
        {
            // Given
            var gate = Gate("both", new GateRule("auc-and-size", "metrics.auc >= 0.85 && model.sizeMb < 100.0", null));

            // When
            var result = GateEvaluator.Evaluate(gate, new Dictionary<string, double> { ["auc"] = 0.81 }, null, Facts);

            // Then
            Assert.Equal("metrics.auc >= 0.85 && model.sizeMb < 100.0 is false (metrics.auc = 0.81, model.sizeMb = 3)", Assert.Single(result.Failures).Reason);
        }

        [Fact]
        public void Should_Pass_Champion_Rules_But_Still_Check_The_Others_When_There_Is_No_Champion_And_OnNoChampion_Is_Pass()
        {
            // When
            var result = GateEvaluator.Evaluate(FraudQuality, new Dictionary<string, double> { ["auc"] = 0.88 }, null, Facts);

            // Then
            Assert.True(result.Passed);
            Assert.Equal("there is no champion to compare with (onNoChampion: pass)", result.Rules[0].Reason);
        }

        [Fact]
        public void Should_Fail_Champion_Rules_When_There_Is_No_Champion_And_OnNoChampion_Is_Fail()
        {
            // Given
            var gate = Gate("strict", "fail", new GateRule("beat-champion", "metrics.auc > champion.metrics.auc", null));

            // When
            var result = GateEvaluator.Evaluate(gate, new Dictionary<string, double> { ["auc"] = 0.99 }, null, Facts);

            // Then
            Assert.False(result.Passed);
            Assert.Equal("there is no champion to compare with (onNoChampion: fail)", Assert.Single(result.Failures).Reason);
        }

        [Fact]
        public void Should_Fail_A_Rule_Whose_Metric_Was_Not_Reported()
        {
            // When
            var result = GateEvaluator.Evaluate(FraudQuality, new Dictionary<string, double> { ["accuracy"] = 0.99 },
                new Dictionary<string, double> { ["auc"] = 0.9 }, Facts);

            // Then
            Assert.False(result.Passed);
            Assert.All(result.Rules, r => Assert.Equal("metric 'auc' was not reported for the candidate", r.Reason));
        }

        [Fact]
        public void Should_Fail_A_Rule_Whose_Metric_The_Champion_Lacks()
        {
            // When
            var result = GateEvaluator.Evaluate(FraudQuality, new Dictionary<string, double> { ["auc"] = 0.9 },
                new Dictionary<string, double> { ["f1"] = 0.9 }, Facts);

            // Then
            Assert.Equal("metric 'auc' was not reported for the champion", result.Rules[0].Reason);
            Assert.True(result.Rules[1].Passed);
        }

        [Fact]
        public void Should_Read_Model_Facts()
        {
            // Given
            var gate = Gate("serving-budget",
                new GateRule("small", "model.sizeMb <= 50.0", null),
                new GateRule("fast", "model.latencyP99Ms < 10.0 && model.sizeBytes > 0", null),
                new GateRule("slow", "model.latencyP50Ms < 1.0", "p50 latency above 1 ms"));

            // When
            var result = GateEvaluator.Evaluate(gate, new Dictionary<string, double>(), null, Facts);

            // Then
            Assert.Equal([true, true, false], result.Rules.Select(r => r.Passed));
            Assert.Equal("p50 latency above 1 ms: latencyP50Ms 1.5 >= 1", result.Rules[2].Reason);
        }

        [Theory]
        [InlineData("metrics.auc +", "the condition is invalid: syntax error")]
        [InlineData("metrics.auc", "the condition evaluated to Double, not a boolean")]
        [InlineData("metrics.auc > 'x'", "the condition could not be evaluated")]
        [InlineData("metric.auc > 0.5", "the condition is invalid: unknown variable 'metric'")]
        public void Should_Fail_A_Rule_That_Cannot_Be_Evaluated(string condition, string reason)
        {
            // Given
            var gate = Gate("broken", new GateRule("broken", condition, null));

            // When
            var result = GateEvaluator.Evaluate(gate, new Dictionary<string, double> { ["auc"] = 0.9 }, null, Facts);

            // Then
            Assert.False(result.Passed);
            Assert.StartsWith(reason, Assert.Single(result.Rules).Reason);
        }
    }
}
