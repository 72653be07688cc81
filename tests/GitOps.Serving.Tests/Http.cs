using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using GitOps.Serving.Hosting;

namespace GitOps.Serving.Tests;

internal static class Http
{
    public static HttpClient Client(InferenceServer server) => new() { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string path, string body, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string path, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public static JsonElement Output(JsonElement response, string name) =>
        response.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == name);

    /// <summary>
    /// The sum of the samples of <paramref name="name"/> whose labels include every one of <paramref name="labels"/>
    /// (<c>a="x",b="y"</c>), as PromQL's <c>sum(name{labels})</c> reads it.
    /// </summary>
    public static double Sample(string exposition, string name, string labels)
    {
        var wanted = labels.Split("\",").Select(l => l.EndsWith('"') ? l : l + "\"").ToList();
        var prefix = name + "{";
        var matching = exposition.Split('\n')
            .Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Select(l => (Labels: l[prefix.Length..l.IndexOf("} ", StringComparison.Ordinal)], Value: l[(l.IndexOf("} ", StringComparison.Ordinal) + 2)..]))
            .Where(s => wanted.All(w => s.Labels.Split("\",").Select(l => l.EndsWith('"') ? l : l + "\"").Contains(w)))
            .ToList();
        if (matching.Count == 0)
        {
            throw new Xunit.Sdk.XunitException($"no sample {name}{{{labels}}} in:\n{exposition}");
        }
        return matching.Sum(s => double.Parse(s.Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what, int timeoutMs = 20_000) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, timeoutMs);

    /// <summary>Polls an asynchronous <paramref name="condition"/> until it holds or the deadline passes.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int timeoutMs = 20_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }
            await Task.Delay(5);
        }
    }
}
