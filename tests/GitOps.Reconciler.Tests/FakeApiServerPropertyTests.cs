using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using GitOps.Testing.FakeKubernetes;

namespace GitOps.Reconciler.Tests;

/// <summary>Invariants of the fake server's server-side apply that the driver and the plan rely on.</summary>
public sealed class FakeApiServerPropertyTests
{
    private static readonly Gen<Dictionary<string, string>> Data =
        Gen.Dictionary(Gen.Char['a', 'e'].Array[1, 2].Select(c => new string(c)), Gen.Char['x', 'z'].Array[1, 3].Select(c => new string(c)))[0, 5];

    private static JsonObject ConfigMap(string name, Dictionary<string, string> data)
    {
        var json = new JsonObject();
        foreach (var (k, v) in data)
        {
            json[k] = v;
        }
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ml" },
            ["data"] = json,
        };
    }

    private static async Task<JsonObject> ApplyAsync(HttpClient http, JsonObject body, string manager = "gitops")
    {
        var name = body["metadata"]!["name"]!.GetValue<string>();
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/apply-patch+yaml");
        using var response = await http.PatchAsync($"api/v1/namespaces/ml/configmaps/{name}?fieldManager={manager}&force=true", content);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static Dictionary<string, string> DataOf(JsonObject obj) =>
        (obj["data"] as JsonObject)?.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? [];

    [Fact]
    public async Task Should_Converge_To_Exactly_The_Last_Applied_Data_When_Only_One_Manager_Applies()
    {
        // Given
        await using var server = await FakeKubernetesApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var counter = 0;

        // When / Then
        await Gen.Select(Data, Data).SampleAsync(async (first, second) =>
        {
            var name = $"cm-{Interlocked.Increment(ref counter)}";
            await ApplyAsync(http, ConfigMap(name, first));
            var result = await ApplyAsync(http, ConfigMap(name, second));
            Assert.Equal(second.OrderBy(p => p.Key), DataOf(result).OrderBy(p => p.Key));
        }, iter: 60, threads: 1);
    }

    [Fact]
    public async Task Should_Never_Touch_Keys_Only_Another_Manager_Set()
    {
        // Given
        await using var server = await FakeKubernetesApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var counter = 0;

        // When / Then
        await Gen.Select(Data, Data, Data).SampleAsync(async (mine, theirs, mineLater) =>
        {
            var name = $"cm-{Interlocked.Increment(ref counter)}";
            await ApplyAsync(http, ConfigMap(name, mine));
            await ApplyAsync(http, ConfigMap(name, theirs), manager: "other");
            var result = DataOf(await ApplyAsync(http, ConfigMap(name, mineLater)));
            foreach (var (key, value) in theirs.Where(p => !mineLater.ContainsKey(p.Key)))
            {
                Assert.Equal(value, result[key]);
            }
            foreach (var (key, value) in mineLater)
            {
                Assert.Equal(value, result[key]);
            }
            Assert.All(result.Keys, k => Assert.True(theirs.ContainsKey(k) || mineLater.ContainsKey(k), $"stale key {k}"));
        }, iter: 60, threads: 1);
    }

    [Fact]
    public async Task Should_Keep_The_ResourceVersion_When_The_Same_Configuration_Is_Applied_Again()
    {
        // Given
        await using var server = await FakeKubernetesApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var counter = 0;

        // When / Then
        await Data.SampleAsync(async data =>
        {
            var name = $"cm-{Interlocked.Increment(ref counter)}";
            var first = await ApplyAsync(http, ConfigMap(name, data));
            var second = await ApplyAsync(http, ConfigMap(name, data));
            Assert.Equal(first["metadata"]!["resourceVersion"]!.GetValue<string>(), second["metadata"]!["resourceVersion"]!.GetValue<string>());
        }, iter: 60, threads: 1);
    }
}
