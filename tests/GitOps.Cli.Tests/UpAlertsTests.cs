using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Cli.Tests.Support;
using GitOps.Planning.Monitoring;
using GitOps.Testing.Git;
using GitOps.Training.Datasets;
using Xunit;

namespace GitOps.Cli.Tests;

/// <summary>
/// The model's declared monitoring end to end on the local runtime: the alert rules rendered from the spec are loaded
/// by the local Prometheus, which scrapes real inference servers measuring drift against the version's training
/// profile; rows whose amount moved (the example generator's shift) make the drift alert fire for that feature only.
/// </summary>
[Collection(nameof(UpRolloutTests))]
public sealed class UpAlertsTests : IDisposable
{
    private const string Model = "fraud-detector";
    private readonly FakeGitRepo _repo = FakeGitRepo.Create();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose()
    {
        _http.Dispose();
        _repo.Dispose();
    }

    [Fact]
    public async Task Should_Fire_The_Feature_Drift_Alert_For_The_Shifted_Feature_When_Live_Rows_Move()
    {
        // Given the example repository, its local Prometheus loading the rules, the drift limits held for 2 s
        var port = UpRun.FreePort();
        var files = UpRun.ExampleFiles(port);
        files["environments/local/environment.yaml"] = files["environments/local/environment.yaml"]!
            .Replace($"    url: http://127.0.0.1:{port}\n", $"    url: http://127.0.0.1:{port}\n    rules: true\n", StringComparison.Ordinal);
        var model = files[$"models/{Model}/model.yaml"]!;
        Assert.Contains("      for: 30m\n", model, StringComparison.Ordinal);
        files[$"models/{Model}/model.yaml"] = model.Replace("      for: 30m\n", "      for: 2s\n", StringComparison.Ordinal);
        _repo.Commit("example with alert rules locally", files);
        using var up = UpRun.Start(_repo.Path);
        await up.EventuallyAsync(() => Task.FromResult(up.Output.Contains("is serving:", StringComparison.Ordinal)), "the model to serve", TimeSpan.FromMinutes(3));
        var prometheus = new Uri($"http://127.0.0.1:{port}");
        await up.EventuallyAsync(async () => (await RuleNamesAsync(prometheus)).Contains(ModelAlerts.FeatureDrift), "Prometheus to load the model's rules");

        // When rows whose amount is ten times larger (a client sending cents) are sent through the proxy
        var rows = Rows(new DatasetShift("amount", 10, 0));
        var sent = 0;
        await up.EventuallyAsync(async () =>
        {
            for (var i = 0; i < 4; i++, sent++)
            {
                using var response = await _http.PostAsync($"{up.Proxy}/v2/models/{Model}/infer",
                    new StringContent(Body(rows, (sent % 8) * 50, 50), Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            return (await FiringAsync(prometheus)).Any(a => a["labels"]?["alertname"]?.GetValue<string>() == ModelAlerts.FeatureDrift);
        }, "the feature drift alert to fire", TimeSpan.FromMinutes(2));

        // Then the alert names the model and the feature that moved, routes by the model's team, links its runbook,
        // and no other feature is said to drift
        var drift = (await FiringAsync(prometheus)).Where(a => a["labels"]!["alertname"]!.GetValue<string>() == ModelAlerts.FeatureDrift).ToList();
        Assert.All(drift, a => Assert.Equal(("amount", Model, "payments"),
            (a["labels"]!["feature"]!.GetValue<string>(), a["labels"]!["model"]!.GetValue<string>(), a["labels"]!["team"]!.GetValue<string>())));
        Assert.Contains("runbooks.md#", drift[0]["annotations"]!["runbook_url"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>400 rows of the example dataset generator with <paramref name="shifts"/>, feature values only.</summary>
    private static string[][] Rows(params DatasetShift[] shifts)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        FraudDataset.Write(writer, 400, 11, shifts);
        return [.. writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[..FraudDataset.Features.Count])];
    }

    private static string Body(string[][] rows, int from, int count)
    {
        var inputs = FraudDataset.Features.Select((feature, f) =>
            $"{{\"name\":\"{feature}\",\"shape\":[{count},1],\"datatype\":\"FP32\",\"data\":[{string.Join(',', rows.Skip(from).Take(count).Select(r => r[f]))}]}}");
        return $"{{\"inputs\":[{string.Join(',', inputs)}]}}";
    }

    private async Task<List<string>> RuleNamesAsync(Uri prometheus)
    {
        var json = JsonNode.Parse(await _http.GetStringAsync(new Uri(prometheus, "/api/v1/rules")))!;
        return [.. json["data"]!["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!["name"]!.GetValue<string>())];
    }

    private async Task<List<JsonNode>> FiringAsync(Uri prometheus)
    {
        var json = JsonNode.Parse(await _http.GetStringAsync(new Uri(prometheus, "/api/v1/alerts")))!;
        return [.. json["data"]!["alerts"]!.AsArray().Where(a => a!["state"]!.GetValue<string>() == "firing").Select(a => a!)];
    }
}
