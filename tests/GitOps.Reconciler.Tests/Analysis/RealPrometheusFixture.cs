using System.Globalization;
using GitOps.Testing.Prometheus;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Tests.Analysis;

/// <summary>
/// A real Prometheus scraping a small <c>/metrics</c> endpoint on 127.0.0.1 every second. The endpoint serves a
/// canary request counter that grows by 100 per second (1 in 10 with code 500, in step at every scrape) and two
/// gauges with different labels.
/// Shared by the tests of a class; both are stopped when the class is done.
/// </summary>
public sealed class RealPrometheusFixture : IAsyncLifetime
{
    private WebApplication? _target;
    private PrometheusProcess? _prometheus;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;

    public Uri BaseUrl => _prometheus!.BaseUrl;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _target = builder.Build();
        _target.MapGet("/metrics", () =>
        {
            // Both counters move in the same steps (9 successes per failure at every scrape), so the error ratio of
            // any window is exactly 0.1; truncating each counter on its own made a short window read 0 or 0.17.
            var failed = (long)((DateTimeOffset.UtcNow - _started).TotalSeconds * 10);
            var ok = failed * 9;
            return Results.Text(string.Create(CultureInfo.InvariantCulture, $$"""
                # TYPE gitops_inference_requests_total counter
                gitops_inference_requests_total{model="fraud",version="abc123",track="canary",code="200"} {{ok}}
                gitops_inference_requests_total{model="fraud",version="abc123",track="canary",code="500"} {{failed}}
                # TYPE test_gauge gauge
                test_gauge{kind="a"} 1
                test_gauge{kind="b"} 2

                """), "text/plain; version=0.0.4");
        });
        await _target.StartAsync();
        var address = new Uri(_target.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        _prometheus = await PrometheusProcess.StartAsync([$"127.0.0.1:{address.Port}"], CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }
        if (_target is not null)
        {
            await _target.DisposeAsync();
        }
    }
}
