using System.Net;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.WebConsole;
using GitOps.Reconciler.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace GitOps.Reconciler.Hosting;

/// <summary>Settings of the reconciler's HTTP endpoints.</summary>
public sealed record ReconcilerHostOptions
{
    /// <summary>Address Kestrel binds; <c>127.0.0.1:8080</c> for local runs, <c>0.0.0.0:8080</c> in a pod.</summary>
    public required IPEndPoint Listen { get; init; }

    /// <summary>Branch whose pushes trigger a fetch.</summary>
    public required string Branch { get; init; }

    /// <summary>Without a secret <c>/webhook/github</c> is not served (404): unsigned deliveries are never trusted.</summary>
    public WebhookSecret? WebhookSecret { get; init; }

    /// <summary>The web console under <c>/console/</c>; null (the default) does not serve it.</summary>
    public ConsoleSite? Console { get; init; }

    /// <summary>Deliveries handled, shared with <see cref="RelayedPushes"/>; null: the endpoint keeps its own.</summary>
    public RecentDeliveries? Deliveries { get; init; }

    /// <summary>Where a push received here is published for the other replicas; null: not published.</summary>
    public IPushRelay? Relay { get; init; }
}

/// <summary>
/// The reconciler's HTTP surface on Kestrel: <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>,
/// <c>/webhook/github</c> and, when enabled, the read-only web console under <c>/console/</c>. It only reports and triggers; passes run in <see cref="ReconcileLoop"/>.
/// </summary>
public static class ReconcilerHost
{
    /// <summary>Parses <c>HOST:PORT</c> (<c>127.0.0.1:8080</c>, <c>0.0.0.0:8080</c>, <c>[::]:8080</c>); null when malformed.</summary>
    public static IPEndPoint? ParseListen(string text)
    {
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
        {
            text = "127.0.0.1" + text["localhost".Length..];
        }
        var colon = text.LastIndexOf(':');
        return colon > 0 && colon < text.Length - 1 && !text.EndsWith(']')
            && IPEndPoint.TryParse(text, out var endpoint)
            ? endpoint
            : null;
    }

    public static WebApplication Build(
        ReconcilerHostOptions options,
        ReconcilerMetrics metrics,
        ReconcileTrigger trigger,
        ReconcilerHealth health,
        ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "gitops-reconciler" });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.Listen);
            kestrel.Limits.MaxRequestBodySize = GitHubWebhookEndpoint.MaxBodyBytes;
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddReconcilerHealthChecks(health);
        var app = builder.Build();

        app.MapHealthEndpoints();
        app.MapMetrics("/metrics", metrics.Registry);

        var log = loggerFactory.CreateLogger(typeof(ReconcilerHost));
        if (options.Console is { } console)
        {
            ConsoleEndpoints.Map(app, console, TimeProvider.System);
            log.LogInformation("Web console enabled on /console/ ({Auth})",
                console.Options.Token is { } token ? $"token from {token.Source}" : "no token: loopback only");
        }
        if (options.WebhookSecret is { } secret)
        {
            var endpoint = new GitHubWebhookEndpoint(secret, options.Branch, trigger,
                loggerFactory.CreateLogger<GitHubWebhookEndpoint>(), options.Deliveries, options.Relay, metrics);
            app.MapPost("/webhook/github", (HttpRequest request, CancellationToken ct) => endpoint.HandleAsync(request, ct));
            log.LogInformation("GitHub webhook enabled on /webhook/github (secret from {Source})", secret.Source);
        }
        else
        {
            log.LogInformation("GitHub webhook disabled: no secret (set {Variable} or --webhook-secret-file)", WebhookSecret.EnvironmentVariable);
        }
        return app;
    }

    /// <summary>The address Kestrel actually bound (port 0 resolves to a free port); call after <c>StartAsync</c>.</summary>
    public static Uri BoundAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("the HTTP server has not started");
        return new Uri(first.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }
}
