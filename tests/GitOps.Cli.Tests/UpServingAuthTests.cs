using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Cli.Tests.Support;
using GitOps.Testing.Git;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests;

/// <summary>
/// The serving token end to end on this machine: an environment with <c>serving.auth.secretRef</c>, the Secret's value
/// in the state folder, <c>gitops up</c> mounting it into the real inference servers as a file, and the YARP proxy
/// forwarding the client's <c>Authorization</c> header to them. Inference needs the token; health and metrics do not;
/// the token shows up nowhere <c>gitops up</c> writes or serves.
/// </summary>
public sealed class UpServingAuthTests : IDisposable
{
    private const string Token = "local-serving-token-7f3a9c41d2e8b605";

    private readonly FakeGitRepo _repo = FakeGitRepo.Create();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose()
    {
        _http.Dispose();
        _repo.Dispose();
    }

    /// <summary>The example repository with the local environment requiring a token (Prometheus on <paramref name="prometheusPort"/>).</summary>
    private void CommitExampleRequiringAToken(int prometheusPort)
    {
        var files = UpRun.ExampleFiles(prometheusPort);
        files["environments/local/environment.yaml"] += "  serving:\n    auth:\n      secretRef:\n        name: model-serving-token\n";
        _repo.Commit("example requiring a serving token", files);
    }

    private async Task<HttpResponseMessage> InferAsync(string url, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(UpRun.ExampleRequest(), Encoding.UTF8, "application/json"),
        };
        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }
        return await _http.SendAsync(request);
    }

    [Fact]
    public async Task Should_Require_The_Token_Through_The_Proxy_And_Keep_It_Out_Of_Everything_When_The_Environment_Requires_One()
    {
        // Given the example repository whose local environment requires a token, and no token on this machine yet
        CommitExampleRequiringAToken(UpRun.FreePort());
        using var up = UpRun.Start(_repo.Path);

        // When the model is trained, its servers cannot start, and say which file to write
        var secretFile = Path.Combine(up.State, "secrets", "model-serving-token", "token");
        await up.EventuallyAsync(() => Task.FromResult(up.Output.Contains($"Secret 'model-serving-token' has no key 'token' on this machine: write its value to {secretFile}", StringComparison.Ordinal)),
            "the servers to report the missing Secret");
        // and once the token is written there, they start
        Directory.CreateDirectory(Path.GetDirectoryName(secretFile)!);
        await File.WriteAllTextAsync(secretFile, Token + "\n");
        await up.EventuallyAsync(() => Task.FromResult(up.Output.Contains("is serving:", StringComparison.Ordinal)), "the model to be served");

        // Then the request it prints to try (a few lines after "is serving:", so wait for the whole block) sends the
        // token from that file
        await up.EventuallyAsync(() => Task.FromResult(up.Output.Contains("Try:", StringComparison.Ordinal)
            && up.Output.Contains("curl -s", StringComparison.Ordinal)), "the request to try to be printed");
        Assert.Contains($"-H \"Authorization: Bearer $(cat {secretFile})\"", up.Output);

        // And inference through the proxy needs the token
        var infer = $"{up.Proxy}/v2/models/fraud-detector/infer";
        using (var without = await InferAsync(infer, null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
            Assert.Equal("Bearer", without.Headers.WwwAuthenticate.Single().Scheme);
        }
        using (var wrong = await InferAsync(infer, "Bearer not-the-token"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using (var with = await InferAsync(infer, $"Bearer {Token}"))
        {
            var body = await with.Content.ReadAsStringAsync();
            Assert.True(with.StatusCode == HttpStatusCode.OK, $"{(int)with.StatusCode} {body}");
            Assert.NotEmpty(JsonNode.Parse(body)!["outputs"]!.AsArray());
        }
        // And health and metrics stay open, on every server and on the proxy
        var metrics = new StringBuilder(await _http.GetStringAsync($"{up.Proxy}/metrics"));
        Assert.NotEmpty(up.Servers);
        foreach (var server in up.Servers)
        {
            using var ready = await _http.GetAsync($"http://127.0.0.1:{server.Port}/v2/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            metrics.Append(await _http.GetStringAsync($"http://127.0.0.1:{server.Port}/metrics"));
        }
        Assert.Contains("gitops_inference_requests_total", metrics.ToString());

        // And the token is nowhere gitops up writes or serves but the servers' own copies of the Secret volume
        var status = await CliRunner.RunAsync("status", _repo.Path, "-o", "json");
        Assert.True(status.ExitCode == 0, status.Stdout + status.Stderr);
        var down = await CliRunner.RunAsync("down", "--state", up.State);
        Assert.True(down.ExitCode == 0, down.Stdout + down.Stderr);
        await up.WaitForExitAsync();
        var written = Directory.GetFiles(up.State, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(Path.Combine(up.State, "secrets") + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}volumes{Path.DirectorySeparatorChar}serving-token{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(written, f => f.EndsWith("objects.json", StringComparison.Ordinal));
        Assert.Contains(written, f => f.EndsWith(Path.Combine("logs", "up.log"), StringComparison.Ordinal));
        foreach (var (what, text) in written.Select(f => (f, File.ReadAllText(f)))
                     .Append(("gitops up output", up.Output)).Append(("gitops status", status.Stdout)).Append(("/metrics", metrics.ToString())))
        {
            Assert.False(text.Contains(Token, StringComparison.Ordinal), $"{what} contains the serving token");
        }
    }
}
