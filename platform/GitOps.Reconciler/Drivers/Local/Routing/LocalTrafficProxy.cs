using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using GitOps.Reconciler.Hosting;
using GitOps.Reconciler.WebConsole;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace GitOps.Reconciler.Drivers.Local.Routing;

/// <summary>
/// The routes of a local environment: a YARP reverse proxy inside <c>gitops up</c> that gives every model one stable
/// address (<c>/v2/models/NAME/infer</c>) whatever servers stand behind it, configured from the rendered
/// <c>HTTPRoute</c>s (<see cref="RouteTable"/>) and updated in place as servers come and go. It also serves the
/// platform's own <c>/metrics</c> and <c>/healthz</c>, and the web console under <c>/console/</c> when enabled.
/// </summary>
public sealed class LocalTrafficProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly InMemoryConfigProvider _config;
    private readonly HttpClient _mirror = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Headers of one connection or of the original body, which the copy sets for itself.</summary>
    private static readonly HashSet<string> NotMirrored = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Upgrade", "Proxy-Connection", "Content-Length",
    };
    private string _signature = "";
    // Requests seen by each mirroring route, so that exactly its percent of them is copied.
    private readonly ConcurrentDictionary<string, MirrorShare> _mirrorShares = new(StringComparer.Ordinal);

    private LocalTrafficProxy(WebApplication app)
    {
        _app = app;
        _config = app.Services.GetRequiredService<InMemoryConfigProvider>();
        Current = new RouteTable([], [], []);
    }

    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    public RouteTable Current { get; private set; }

    /// <summary>Starts listening on <paramref name="listen"/>; throws <see cref="IOException"/> when the port is taken.</summary>
    public static async Task<LocalTrafficProxy> StartAsync(IPEndPoint listen, CollectorRegistry metrics, ILoggerFactory loggers, CancellationToken ct,
        ConsoleSite? console = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "gitops-local-proxy" });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(listen);
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddSingleton<ILoadBalancingPolicy, WeightedLoadBalancingPolicy>();
        builder.Services.AddReverseProxy().LoadFromMemory([], []);
        builder.Services.AddHealthChecks();
        var app = builder.Build();
        var proxy = new LocalTrafficProxy(app);
        app.MapHealthChecks("/healthz", HealthEndpoints.Options(tag: null));
        app.MapMetrics("/metrics", metrics);
        if (console is not null)
        {
            ConsoleEndpoints.Map(app, console, TimeProvider.System);
        }
        // A path no route matches (a model that is not served, a typo) gets a JSON error naming what is, as the
        // inference server answers a model it does not serve, not an empty 404.
        app.MapFallback("{**path}", context => proxy.NotRoutedAsync(context));
        app.MapReverseProxy(pipeline =>
        {
            // A custom pipeline replaces YARP's default one: load balancing (the weighted split between stable and
            // canary) only happens when it is added back; without it YARP picks a destination at random.
            pipeline.Use(proxy.MirrorAsync);
            pipeline.UseLoadBalancing();
        });
        await app.StartAsync(ct);
        proxy.Address = ReconcilerHost.BoundAddress(app);
        return proxy;
    }

    private async Task NotRoutedAsync(HttpContext context)
    {
        var models = Current.Models.Select(m => m.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var served = models.Count == 0 ? "no model is served yet" : $"the models served here are {string.Join(", ", models.Select(m => $"'{m}'"))}, at /v2/models/NAME/...";
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "application/json";
        await using var json = new System.Text.Json.Utf8JsonWriter(context.Response.Body,
            new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("error", $"nothing is routed at {context.Request.Path}; {served}");
        json.WriteEndObject();
    }

    /// <summary>Applies <paramref name="table"/> when it differs from the configuration in force.</summary>
    public bool Update(RouteTable table)
    {
        Current = table;
        var signature = table.Signature;
        if (signature == _signature)
        {
            return false;
        }
        _signature = signature;
        _config.Update([.. table.Routes], [.. table.Clusters]);
        return true;
    }

    /// <summary>Sends a copy of a request whose route mirrors traffic, for the route's percent of its requests; the
    /// answer of the copy is ignored.</summary>
    private async Task MirrorAsync(HttpContext context, Func<Task> next)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        var targets = route.Metadata?.GetValueOrDefault(RouteTable.MirrorKey);
        var percent = route.Metadata?.GetValueOrDefault(RouteTable.MirrorPercentKey) is { } text
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p : 100;
        if (string.IsNullOrEmpty(targets) || !_mirrorShares.GetOrAdd(route.RouteId, _ => new MirrorShare()).Next(percent))
        {
            await next();
            return;
        }
        context.Request.EnableBuffering();
        using var copy = new MemoryStream();
        await context.Request.Body.CopyToAsync(copy, context.RequestAborted);
        context.Request.Body.Position = 0;
        var choices = targets.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var target = choices[Random.Shared.Next(choices.Length)] + context.Request.Path + context.Request.QueryString;
        var body = copy.ToArray();
        var method = new HttpMethod(context.Request.Method);
        // The copy carries the request's headers, as a Gateway's RequestMirror does: without Authorization a mirror
        // target that requires a token (serving.auth) would answer 401 to every copy.
        var headers = context.Request.Headers.Where(h => !NotMirrored.Contains(h.Key)).Select(h => (h.Key, Values: h.Value.ToArray())).ToList();
        _ = Task.Run(async () =>
        {
            try
            {
                using var request = new HttpRequestMessage(method, target) { Content = new ByteArrayContent(body) };
                foreach (var (name, values) in headers)
                {
                    if (!request.Headers.TryAddWithoutValidation(name, values))
                    {
                        request.Content.Headers.TryAddWithoutValidation(name, values);
                    }
                }
                using var _ = await _mirror.SendAsync(request);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // A mirror never affects the real request, even when it fails.
            }
        });
        await next();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _mirror.Dispose();
    }
}

