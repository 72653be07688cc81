using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using GitOps.Serving.Hosting;
using GitOps.Specs.Contracts;
using GitOps.Training.Datasets;

namespace GitOps.Serving.Tests;

/// <summary>
/// A real server with the fixture model's training profile: live rows like the training data show no drift; a shifted
/// feature shows a large PSI and KS and out-of-range values, the others stay low; nulls are counted as missing.
/// </summary>
[Collection(nameof(ServingCollection))]
public sealed partial class DriftMonitoringTests(ServingFixture fixture)
{
    private const string Labels = "model=\"fraud\",version=\"v1\",track=\"canary\"";

    private TrainingProfile Profile()
    {
        var (profile, error) = TrainingProfile.Parse(File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(fixture.ModelPath)!, TrainingProfile.File)));
        Assert.True(profile is not null, error);
        return profile;
    }

    private async Task<string> ServeAsync(Func<int, int, string> body, int requests)
    {
        await using var server = await ServingFixture.StartAsync(fixture.Options() with { Profile = Profile(), DriftWindow = 400 });
        using var client = Http.Client(server);
        for (var i = 0; i < requests; i++)
        {
            var (status, response) = await Http.PostAsync(client, "/v2/models/fraud/infer", body(i % 4 * 50, 50));
            Assert.True(status == HttpStatusCode.OK, response.ToString());
        }
        return await client.GetStringAsync("/metrics");
    }

    [Fact]
    public async Task Should_Show_Little_Drift_When_Live_Rows_Come_From_The_Training_Distribution()
    {
        // Given / When 400 rows drawn like the training data
        var metrics = await ServeAsync((from, count) => fixture.InferBody(from, count), requests: 8);

        // Then
        Assert.Equal(400, Http.Sample(metrics, MonitoringMetrics.WindowRows, Labels));
        foreach (var feature in FraudDataset.Features)
        {
            Assert.True(Http.Sample(metrics, MonitoringMetrics.FeatureDriftPsi, $"{Labels},feature=\"{feature}\"") < 0.1, feature + "\n" + metrics);
        }
        // 200 distinct rows sent twice: the score's PSI carries sampling noise, well under the 0.2 that alerts by default.
        Assert.True(Http.Sample(metrics, MonitoringMetrics.ScoreDriftPsi, Labels) < 0.2, metrics);
        foreach (var feature in FraudDataset.Features.Where(f => Profile().Features.Single(p => p.Name == f).Kind == FeatureProfile.Continuous))
        {
            Assert.True(Http.Sample(metrics, MonitoringMetrics.FeatureDriftKs, $"{Labels},feature=\"{feature}\"") < 0.15, feature + "\n" + metrics);
        }
        Assert.Equal(0, Http.Sample(metrics, MonitoringMetrics.MissingValues, $"{Labels},feature=\"amount\""));
    }

    [Fact]
    public async Task Should_Show_Drift_And_Out_Of_Range_Values_Only_For_The_Feature_That_Moved_When_One_Is_Shifted()
    {
        // Given amount multiplied by 10 (a client sending cents instead of euros)
        var max = Profile().Features.Single(f => f.Name == "amount").Max;

        // When
        var metrics = await ServeAsync((from, count) => Scale(fixture.InferBody(from, count), "amount", 10), requests: 8);

        // Then
        var amount = $"{Labels},feature=\"amount\"";
        Assert.True(Http.Sample(metrics, MonitoringMetrics.FeatureDriftPsi, amount) > 0.25, metrics);
        Assert.True(Http.Sample(metrics, MonitoringMetrics.FeatureDriftKs, amount) > 0.3, metrics);
        Assert.True(Http.Sample(metrics, MonitoringMetrics.OutOfRange, amount) > 0, $"max {max}\n{metrics}");
        Assert.True(Http.Sample(metrics, MonitoringMetrics.FeatureDriftPsi, $"{Labels},feature=\"hour\"") < 0.1, metrics);
    }

    [Fact]
    public async Task Should_Answer_And_Count_Missing_Values_When_A_Feature_Arrives_As_Null()
    {
        // Given / When every hour value sent as null
        var metrics = await ServeAsync((from, count) => Nulls(fixture.InferBody(from, count), "hour"), requests: 2);

        // Then the requests were answered (status 200 above) and each null counted
        Assert.Equal(100, Http.Sample(metrics, MonitoringMetrics.MissingValues, $"{Labels},feature=\"hour\""));
        Assert.Equal(0, Http.Sample(metrics, MonitoringMetrics.MissingValues, $"{Labels},feature=\"amount\""));
    }

    private static string Scale(string body, string feature, double factor) => Data(body, feature, v =>
        (double.Parse(v, CultureInfo.InvariantCulture) * factor).ToString("R", CultureInfo.InvariantCulture));

    private static string Nulls(string body, string feature) => Data(body, feature, _ => "null");

    private static string Data(string body, string feature, Func<string, string> map) =>
        FeatureData().Replace(body, m => m.Groups["name"].Value != feature
            ? m.Value
            : m.Groups["head"].Value + string.Join(',', m.Groups["data"].Value.Split(',').Select(map)) + "]");

    [GeneratedRegex("""(?<head>\{"name":"(?<name>[^"]+)","datatype":"FP32","shape":\[\d+,1\],"data":\[)(?<data>[^\]]*)\]""")]
    private static partial Regex FeatureData();
}
