using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Tests.Analysis;

/// <summary>
/// A Kestrel server on 127.0.0.1 that answers like a misbehaving Prometheus, one behaviour per path prefix:
/// <c>/error/</c> (HTTP 503 with a Prometheus error), <c>/slow/</c> (never answers until the test ends),
/// <c>/html/</c> (a proxy's HTML page), <c>/auth/</c> (401 without the expected bearer token),
/// <c>/vector-for-range/</c> (a vector to a range query), <c>/strings/</c> (a string result), <c>/matrix/</c> (a range
/// vector where one number is expected), <c>/nan/</c> and <c>/inf/</c> (one sample of <c>NaN</c> or <c>+Inf</c>) and
/// <c>/empty/</c> (an empty vector).
/// </summary>
public sealed class FakePrometheusApi : IAsyncLifetime
{
    public const string Token = "Bearer s3cret";
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Authorization headers received on <c>/auth/</c>.</summary>
    public List<string?> Authorizations { get; } = [];

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/error/api/v1/query", () => Results.Json(new { status = "error", errorType = "unavailable", error = "too many queries" }, statusCode: 503));
        _app.MapPost("/slow/api/v1/query", async (HttpContext context) =>
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            await Task.Delay(Timeout.Infinite, both.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return Results.Empty;
        });
        _app.MapPost("/html/api/v1/query", () => Results.Content("<html><body>502 Bad Gateway</body></html>", "text/html", statusCode: 502));
        _app.MapPost("/auth/api/v1/query", (HttpContext context) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            lock (Authorizations)
            {
                Authorizations.Add(header.Length == 0 ? null : header);
            }
            return header == Token
                ? Results.Json(new { status = "success", data = new { resultType = "vector", result = new[] { new { metric = new { }, value = new object[] { 1700000000.5, "0.25" } } } } })
                : Results.Json(new { status = "error", errorType = "unauthorized", error = "missing token" }, statusCode: 401);
        });
        _app.MapPost("/vector-for-range/api/v1/query_range", () =>
            Results.Json(new { status = "success", data = new { resultType = "vector", result = Array.Empty<object>() } }));
        _app.MapPost("/strings/api/v1/query", () =>
            Results.Json(new { status = "success", data = new { resultType = "string", result = new object[] { 1700000000, "hello" } } }));
        _app.MapPost("/matrix/api/v1/query", () => Results.Json(new
        {
            status = "success",
            data = new { resultType = "matrix", result = new[] { new { metric = new { }, values = new[] { new object[] { 1700000000, "0.01" }, new object[] { 1700000015, "0.02" } } } } },
        }));
        _app.MapPost("/nan/api/v1/query", () => Vector("NaN"));
        _app.MapPost("/inf/api/v1/query", () => Vector("+Inf"));
        _app.MapPost("/empty/api/v1/query", () => Results.Json(new { status = "success", data = new { resultType = "vector", result = Array.Empty<object>() } }));
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    private static IResult Vector(string value) =>
        Results.Json(new { status = "success", data = new { resultType = "vector", result = new[] { new { metric = new { }, value = new object[] { 1700000000.5, value } } } } });

    public Uri At(string prefix) => new(BaseUrl, prefix + "/");

    public async Task DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        _stopping.Dispose();
    }
}
