using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using GitOps.Serving.Hosting;
using GitOps.Serving.Model;
using GitOps.Specs.Contracts;
using GitOps.Testing.Logging;
using GitOps.Training.Datasets;
using Microsoft.Extensions.Logging;

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

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public async Task Should_Serve_Without_Drift_Metrics_And_Warn_Once_When_The_Version_Has_No_Profile(bool measureDrift, int warnings)
    {
        // Given a version trained before profiles were written (no profile), drift left on or turned off on purpose
        using var logs = new ListLoggerProvider();
        var options = fixture.Options() with { Profile = null, MeasureDrift = measureDrift };

        // When
        await using var server = await InferenceServer.StartAsync(options, b => b.AddProvider(logs), TimeProvider.System, CancellationToken.None);
        using var client = Http.Client(server);
        var (status, _) = await Http.PostAsync(client, "/v2/models/fraud/infer", fixture.InferBody(0, 50));
        var metrics = await client.GetStringAsync("/metrics");

        // Then requests are answered, no drift series is exported, and the warning says why and what to do
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain(MonitoringMetrics.FeatureDriftPsi + "{", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(MonitoringMetrics.WindowRows + "{", metrics, StringComparison.Ordinal);
        var warned = logs.Lines.Where(l => l.Contains("No training profile for fraud version v1", StringComparison.Ordinal)).ToList();
        Assert.Equal(warnings, warned.Count);
        Assert.All(warned, w => Assert.Contains("serving is unaffected. Retrain to write one, pass --profile FILE, or --no-drift", w, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_Refuse_To_Start_And_Name_The_Feature_When_The_Profile_Does_Not_Match_The_Model()
    {
        // Given a profile of another model: one of its features is not an input of this one
        var profile = Profile();
        var foreign = profile with { Features = [.. profile.Features.Select(f => f.Name == "hour" ? f with { Name = "hour_of_day" } : f)] };

        // When
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => ServingFixture.StartAsync(fixture.Options() with { Profile = foreign }));

        // Then
        Assert.Contains("the training profile names feature 'hour_of_day'", error.Message, StringComparison.Ordinal);
        Assert.Contains("which the model does not have; inputs: amount, hour", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Refuse_A_Request_With_A_Value_That_Overflows_Float32_And_Keep_It_Out_Of_The_Window()
    {
        // Given
        await using var server = await ServingFixture.StartAsync(fixture.Options() with { Profile = Profile(), DriftWindow = 400 });
        using var client = Http.Client(server);

        // When every amount is sent as 1e39, which is +Inf as FP32
        var (status, body) = await Http.PostAsync(client, "/v2/models/fraud/infer", Data(fixture.InferBody(0, 50), "amount", _ => "1e39"));
        var metrics = await client.GetStringAsync("/metrics");

        // Then the request is refused with what is wrong, and none of its rows reaches the drift window
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("input 'amount': element 0 is 1e39, which is not a valid FP32 value", body.GetProperty("error").GetString());
        Assert.Equal(0, Http.Sample(metrics, MonitoringMetrics.WindowRows, Labels));
        Assert.Equal(0, Http.Sample(metrics, MonitoringMetrics.OutOfRange, $"{Labels},feature=\"amount\""));
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
