using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GitOps.Reconciler.Hosting;

/// <summary>
/// <c>/healthz</c> and <c>/readyz</c> on ASP.NET Core health checks (<c>MapHealthChecks</c>): each path runs the checks
/// tagged for it and answers 200 when they are healthy, 503 otherwise, with their one-line description as plain text
/// (<c>ok</c>, <c>ready</c>, <c>starting</c>, <c>reconcile loop stopped: ...</c>).
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Tag of the checks behind <c>/healthz</c>: failing means the pod must be restarted.</summary>
    public const string LiveTag = "live";

    /// <summary>Tag of the checks behind <c>/readyz</c>: failing means the pod should get no traffic yet.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// The reconciler's checks: live while the loop runs (a dead loop must restart the pod); ready once the loop has
    /// started, whether this replica leads or stands by.
    /// </summary>
    public static IHealthChecksBuilder AddReconcilerHealthChecks(this IServiceCollection services, ReconcilerHealth health) =>
        services.AddHealthChecks()
            .AddCheck("reconcile-loop", () => health.IsLive
                ? HealthCheckResult.Healthy("ok")
                : HealthCheckResult.Unhealthy($"reconcile loop stopped: {health.Fault}"), [LiveTag])
            .AddCheck("reconcile-loop-started", () => health.IsReady
                ? HealthCheckResult.Healthy("ready")
                : HealthCheckResult.Unhealthy(health.Fault is null ? "starting" : $"reconcile loop stopped: {health.Fault}"), [ReadyTag]);

    /// <summary>Maps <c>/healthz</c> (checks tagged <see cref="LiveTag"/>) and <c>/readyz</c> (tagged <see cref="ReadyTag"/>).</summary>
    public static void MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", Options(LiveTag));
        endpoints.MapHealthChecks("/readyz", Options(ReadyTag));
    }

    /// <summary>Options that run the checks tagged <paramref name="tag"/> (every check when null) and answer in plain text.</summary>
    public static HealthCheckOptions Options(string? tag) => new()
    {
        Predicate = check => tag is null || check.Tags.Contains(tag),
        ResponseWriter = WriteAsync,
    };

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var text = report.Status == HealthStatus.Healthy
            ? report.Entries.Values.Select(e => e.Description).FirstOrDefault(d => d is not null) ?? "ok"
            : string.Join("; ", report.Entries.Values.Where(e => e.Status != HealthStatus.Healthy).Select(e => e.Description ?? e.Status.ToString()));
        return context.Response.WriteAsync(text + "\n", context.RequestAborted);
    }
}
