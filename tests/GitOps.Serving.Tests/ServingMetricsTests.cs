using System.Text;
using System.Text.RegularExpressions;
using GitOps.Serving.Metrics;
using GitOps.Specs.Contracts;

namespace GitOps.Serving.Tests;

public sealed partial class ServingMetricsTests
{
    [Fact]
    public async Task Should_Export_Exactly_The_Latency_Buckets_The_Alert_Rules_Name_When_A_Request_Is_Recorded()
    {
        // Given a server's metrics after one request
        var metrics = new ServingMetrics(new ModelIdentity("fraud", "v1", "stable"), "CPU", 1);
        metrics.RecordRequest(ServingMetrics.Rest, 200, TimeSpan.FromMilliseconds(3));

        // When the registry is scraped
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        var text = Encoding.UTF8.GetString(stream.ToArray());

        // Then every le value is one latency SLO rules can match (ServingHistograms.Le), in order, then +Inf
        var exported = BucketBound().Matches(text).Select(m => m.Groups["le"].Value).ToList();
        Assert.Equal([.. ServingHistograms.RequestDurationBounds.Select(ServingHistograms.Le), "+Inf"], exported);
    }

    [GeneratedRegex("""^gitops_inference_request_duration_seconds_bucket\{[^}]*le="(?<le>[^"]+)"[^}]*\}""", RegexOptions.Multiline)]
    private static partial Regex BucketBound();
}
