using System.Net;
using System.Net.Sockets;
using GitOps.Reconciler.Analysis;
using GitOps.Rollouts.Analysis;

namespace GitOps.Reconciler.Tests.Analysis;

/// <summary>The Prometheus client when Prometheus misbehaves: every fault is an Error observation that says what happened.</summary>
public sealed class PrometheusClientFaultTests(FakePrometheusApi api) : IClassFixture<FakePrometheusApi>
{
    private static PrometheusClient Client(Uri baseUrl, TimeSpan? timeout = null, string? authorization = null)
    {
        var options = new PrometheusOptions { BaseUrl = baseUrl, Timeout = timeout ?? TimeSpan.FromSeconds(10), Authorization = authorization };
        return new PrometheusClient(PrometheusClient.CreateHttpClient(options), options);
    }

    private static Task<Observation> AskAsync(PrometheusClient client) => client.QueryAsync("up", DateTimeOffset.UtcNow, CancellationToken.None);

    [Fact]
    public async Task Should_Be_An_Error_With_The_Reason_When_Prometheus_Answers_An_Error()
    {
        // Given / When
        var answer = await AskAsync(Client(api.At("error")));

        // Then
        Assert.Equal(ObservationKind.Error, answer.Kind);
        Assert.Equal("Prometheus answered HTTP 503 (unavailable): too many queries", answer.Error);
    }

    [Fact]
    public async Task Should_Be_An_Error_When_Prometheus_Does_Not_Answer_In_Time()
    {
        // Given a 200 ms timeout
        var client = Client(api.At("slow"), TimeSpan.FromMilliseconds(200));

        // When
        var answer = await AskAsync(client);

        // Then
        Assert.Equal(ObservationKind.Error, answer.Kind);
        Assert.Contains("did not answer within 200ms", answer.Error);
    }

    [Fact]
    public async Task Should_Be_An_Error_When_The_Answer_Is_Not_Json()
    {
        // Given / When
        var answer = await AskAsync(Client(api.At("html")));

        // Then
        Assert.Equal(ObservationKind.Error, answer.Kind);
        Assert.Contains("HTTP 502 with a body that is not JSON: <html>", answer.Error);
    }

    [Fact]
    public async Task Should_Send_The_Authorization_Header_When_One_Is_Configured()
    {
        // Given / When
        var without = await AskAsync(Client(api.At("auth")));
        var with = await AskAsync(Client(api.At("auth"), authorization: FakePrometheusApi.Token));

        // Then
        Assert.Contains("HTTP 401 (unauthorized)", without.Error);
        Assert.Equal(0.25, with.Value);
        Assert.Contains(FakePrometheusApi.Token, api.Authorizations);
    }

    [Fact]
    public async Task Should_Be_An_Error_When_Prometheus_Is_Unreachable()
    {
        // Given a port nobody listens on
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        // When
        var answer = await AskAsync(Client(new Uri($"http://127.0.0.1:{port}/")));

        // Then
        Assert.Equal(ObservationKind.Error, answer.Kind);
        Assert.StartsWith($"cannot reach Prometheus at http://127.0.0.1:{port}/", answer.Error);
    }

    [Fact]
    public async Task Should_Be_An_Error_When_The_Result_Has_The_Wrong_Type()
    {
        // Given / When
        var instant = await AskAsync(Client(api.At("strings")));
        var range = await Client(api.At("vector-for-range")).QueryRangeAsync("up", DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow, TimeSpan.FromSeconds(15), CancellationToken.None);

        // Then
        Assert.Contains("returned a string", instant.Error);
        Assert.Contains("returned a vector, not a matrix", range.Error);
    }
}
