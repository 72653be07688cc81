using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Persistence;
using GitOps.Rollouts.Rollout;
using GitOps.Rollouts.Tests.Support;

namespace GitOps.Rollouts.Tests.Persistence;

public sealed class RolloutStateJsonTests
{
    [Fact]
    public void Should_Round_Trip_Exactly_When_The_State_Holds_Runs_And_Odd_Values()
    {
        // Given a state with measurements, including NaN and +Inf values
        var values = new Queue<double>([double.NaN, double.PositiveInfinity, 0.001]);
        var tolerant = TestPolicies.ErrorRate(m => m with { FailureLimit = 5, InconclusiveLimit = 5 });
        var policy = TestPolicies.Standard() with { Metrics = TestPolicies.Standard().Metrics.SetItem(tolerant.Name, tolerant) };
        var driver = new RolloutDriver(policy)
        {
            Answer = r => values.Count > 0 ? Observation.Of(r.Metric, values.Dequeue(), 1000) : Observation.Of(r.Metric, 0.001, 1000),
        };
        driver.Run(TimeSpan.FromMinutes(2));
        var json = RolloutStateJson.Serialize(driver.State);

        // When
        var back = RolloutStateJson.Deserialize(json);

        // Then
        Assert.Equal(json, RolloutStateJson.Serialize(back));
        Assert.Contains("\"phase\":\"", json);
        Assert.Contains("Infinity", json);
        Assert.Contains("NaN", json);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("null", "empty")]
    [InlineData("{\"schemaVersion\":99}", "schema version 99")]
    public void Should_Report_The_Problem_When_The_Persisted_State_Is_Damaged(string json, string expected)
    {
        // Given / When
        var ok = RolloutStateJson.TryDeserialize(json, out _, out var error);

        // Then
        Assert.False(ok);
        Assert.Contains(expected, error);
    }
}
