using GitOps.Reconciler.Analysis;
using GitOps.Rollouts.Analysis;

namespace GitOps.Reconciler.Tests.Analysis;

/// <summary>The Prometheus client against a real Prometheus process.</summary>
public sealed class PrometheusClientTests(RealPrometheusFixture prometheus) : IClassFixture<RealPrometheusFixture>
{
    private PrometheusClient Client()
    {
        var options = new PrometheusOptions { BaseUrl = prometheus.BaseUrl };
        return new PrometheusClient(PrometheusClient.CreateHttpClient(options), options);
    }

    /// <summary>Asks until the answer has data (scrapes need a few seconds to make a rate), at most 60 s.</summary>
    private async Task<Observation> FirstValueAsync(string query)
    {
        var client = Client();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (true)
        {
            var answer = await client.QueryAsync(query, DateTimeOffset.UtcNow, CancellationToken.None);
            if (answer.Kind != ObservationKind.NoData || DateTimeOffset.UtcNow > deadline)
            {
                return answer;
            }
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Should_Read_An_Error_Ratio_When_The_Canary_Has_Traffic()
    {
        // Given a template of the shipped canary policy, filled for the canary
        var (query, error) = QueryTemplate.Render(
            "sum(rate(gitops_inference_requests_total{model=\"{{model}}\",track=\"{{track}}\",code=~\"5..\"}[5s])) / sum(rate(gitops_inference_requests_total{model=\"{{model}}\",track=\"{{track}}\"}[5s]))",
            new QueryValues("fraud", "abc123", "ml", "canary", "staging"));
        Assert.Null(error);

        // When
        var answer = await FirstValueAsync(query!);

        // Then one request in ten fails
        Assert.Equal(ObservationKind.Value, answer.Kind);
        Assert.InRange(answer.Value!.Value, 0.05, 0.15);
    }

    [Fact]
    public async Task Should_Count_Requests_When_Asked_For_Samples()
    {
        // Given
        var (query, _) = QueryTemplate.Render(QueryTemplate.SamplesQuery, new QueryValues("fraud", "abc123", "ml", "canary", "staging"), "10s");

        // When
        var answer = await FirstValueAsync(query!);

        // Then a positive number of requests (the window may still be filling)
        Assert.Equal(ObservationKind.Value, answer.Kind);
        Assert.True(answer.Value > 0, $"expected requests to be counted, got {answer.Value}");
    }

    [Fact]
    public async Task Should_Be_No_Data_When_The_Vector_Is_Empty()
    {
        // Given a model nobody serves, named with characters that must be escaped
        var (query, _) = QueryTemplate.Render("sum(rate(gitops_inference_requests_total{model=\"{{model}}\"}[5s]))",
            new QueryValues("no\"pe\\", "v", "ml", "canary", "staging"));

        // When
        var answer = await Client().QueryAsync(query!, DateTimeOffset.UtcNow, CancellationToken.None);

        // Then Prometheus parsed the escaped matcher and found nothing
        Assert.Equal(ObservationKind.NoData, answer.Kind);
    }

    [Theory]
    [InlineData("scalar(sum(test_gauge))", 3.0)]
    [InlineData("0/0", double.NaN)]
    [InlineData("1/0", double.PositiveInfinity)]
    [InlineData("-1/0", double.NegativeInfinity)]
    public async Task Should_Pass_Values_On_When_The_Result_Is_A_Scalar(string query, double expected)
    {
        // Given the gauges were scraped
        await FirstValueAsync("sum(test_gauge)");

        // When
        var answer = await Client().QueryAsync(query, DateTimeOffset.UtcNow, CancellationToken.None);

        // Then
        Assert.Equal(ObservationKind.Value, answer.Kind);
        Assert.Equal(expected, answer.Value);
    }

    [Fact]
    public async Task Should_Be_An_Error_When_The_Query_Returns_Several_Series()
    {
        // Given / When
        var answer = await FirstValueAsync("test_gauge");

        // Then
        Assert.Equal(ObservationKind.Error, answer.Kind);
        Assert.Contains("2 series", answer.Error);
        Assert.Contains("sum(...)", answer.Error);
    }

    [Fact]
    public async Task Should_Be_An_Error_When_The_Query_Returns_A_Matrix()
    {
        // Given / When
        var answer = await Client().QueryAsync("test_gauge{kind=\"a\"}[10s]", DateTimeOffset.UtcNow, CancellationToken.None);

        // Then
        Assert.Equal(ObservationKind.Error, answer.Kind);
        Assert.Contains("range vector (matrix)", answer.Error);
    }

    [Fact]
    public async Task Should_Be_An_Error_With_Prometheus_Message_When_The_Query_Is_Malformed()
    {
        // Given / When
        var answer = await Client().QueryAsync("sum(rate(x[1m])", DateTimeOffset.UtcNow, CancellationToken.None);

        // Then
        Assert.Equal(ObservationKind.Error, answer.Kind);
        Assert.Contains("HTTP 400 (bad_data)", answer.Error);
    }

    [Fact]
    public async Task Should_Return_The_Points_When_Asked_For_A_Range()
    {
        // Given a few seconds of scrapes
        await FirstValueAsync("sum(test_gauge{kind=\"b\"})");
        var to = DateTimeOffset.UtcNow;

        // When
        var answer = await Client().QueryRangeAsync("sum(test_gauge)", to.AddSeconds(-3), to, TimeSpan.FromSeconds(1), CancellationToken.None);

        // Then
        Assert.Null(answer.Error);
        Assert.NotEmpty(answer.Points);
        Assert.All(answer.Points, p => Assert.Equal(3.0, p.Value));
    }
}
