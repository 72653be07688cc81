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
            var (status, response) = await Http.PostAsync(client, "/v2/models/fraud/infer", body(i * 50, 50));
            Assert.True(status == HttpStatusCode.OK, response.ToString());
        }
        return await client.GetStringAsync("/metrics");
    }

    [Fact]
    public async Task Should_Show_Little_Drift_When_Live_Rows_Come_From_The_Training_Distribution()
    {
        // Given rows from the example dataset generator without a shift, drawn with another seed than the training data
        var rows = GeneratedRows(seed: 77);

        // When
        var metrics = await ServeAsync((from, count) => ServingFixture.InferBody(rows, from, count), requests: 8);

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
        // Given rows from the example dataset generator with amount multiplied by 10 (a client sending cents instead of
        // euros), drawn with another seed than the training data
        var max = Profile().Features.Single(f => f.Name == "amount").Max;
        var shifted = GeneratedRows(seed: 77, new DatasetShift("amount", 10, 0));

        // When
        var metrics = await ServeAsync((from, count) => ServingFixture.InferBody(shifted, from, count), requests: 8);

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

    /// <summary>400 rows of the example dataset generator (feature values only).</summary>
    private static float[][] GeneratedRows(int seed, params DatasetShift[] shifts)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        FraudDataset.Write(writer, 400, seed, shifts);
        return [.. writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(',').Take(FraudDataset.Features.Count).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray())];
    }

    private static string Nulls(string body, string feature) => Data(body, feature, _ => "null");

    private static string Data(string body, string feature, Func<string, string> map) =>
        FeatureData().Replace(body, m => m.Groups["name"].Value != feature
            ? m.Value
            : m.Groups["head"].Value + string.Join(',', m.Groups["data"].Value.Split(',').Select(map)) + "]");

    [GeneratedRegex("""(?<head>\{"name":"(?<name>[^"]+)","datatype":"FP32","shape":\[\d+,1\],"data":\[)(?<data>[^\]]*)\]""")]
    private static partial Regex FeatureData();
}
