using System.Reflection;
using System.Text.Json.Nodes;
using GitOps.Reconciler.Analysis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;

namespace GitOps.Reconciler.WebConsole;

/// <summary>
/// The read-only web console under <c>/console/</c>, on the listener that serves <c>/metrics</c>: one static page
/// (HTML, a script and a style sheet embedded in this assembly, no third-party code) over a small JSON API
/// (<c>/console/api/...</c>). Only GET and HEAD are answered; every response carries a Content-Security-Policy
/// that allows no inline script and no framing. Every request must carry the token (<see cref="ConsoleOptions"/>).
/// </summary>
public static class ConsoleEndpoints
{
    public const string Prefix = "/console";
    public const string CookieName = "gitops-console";

    private static readonly Dictionary<string, (string Resource, string ContentType)> Assets = new(StringComparer.Ordinal)
    {
        ["/"] = ("index.html", "text/html; charset=utf-8"),
        ["/console.js"] = ("console.js", "text/javascript; charset=utf-8"),
        ["/console.css"] = ("console.css", "text/css; charset=utf-8"),
        ["/favicon.svg"] = ("favicon.svg", "image/svg+xml"),
    };

    /// <summary>Maps the console onto <paramref name="app"/>; call before any catch-all route (the model proxy).</summary>
    public static void Map(WebApplication app, ConsoleSite site, TimeProvider time)
    {
        var (options, sources) = (site.Options, site.Sources);
        var clients = new Dictionary<Uri, PrometheusClient>();
        var documents = new ConsoleDocuments(sources, url =>
        {
            lock (clients)
            {
                if (!clients.TryGetValue(url, out var client))
                {
                    var settings = new PrometheusOptions { BaseUrl = url, Timeout = TimeSpan.FromSeconds(5) };
                    clients[url] = client = new PrometheusClient(PrometheusClient.CreateHttpClient(settings), settings);
                }
                return client;
            }
        }, time);
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments(Prefix, StringComparison.Ordinal, out var rest))
            {
                await next();
                return;
            }
            Secure(context.Response);
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                context.Response.Headers.Allow = "GET, HEAD";
                await context.Response.WriteAsync("405 Method Not Allowed: the console is read-only; it answers GET only.\n");
                return;
            }
            if (!await AuthorizeAsync(context, options))
            {
                return;
            }
            if (rest.Value is null or "")
            {
                context.Response.Redirect(Prefix + "/" + context.Request.QueryString);
                return;
            }
            await next();
        });
        var group = app.MapGroup(Prefix);
        foreach (var (path, (resource, contentType)) in Assets)
        {
            var bytes = Read(resource);
            group.MapGet(path, () => Results.Bytes(bytes, contentType));
        }
        group.MapGet("/api/environments", async (CancellationToken ct) => Json(await documents.EnvironmentsAsync(ct)));
        group.MapGet("/api/environments/{environment}/rollouts", async (string environment, CancellationToken ct) =>
            await documents.RolloutsAsync(environment, ct) is { } document ? Json(document) : NotServed(environment, sources));
        group.MapGet("/api/environments/{environment}/drift", async (string environment, CancellationToken ct) =>
            await documents.DriftAsync(environment, ct) is { } document ? Json(document) : NotServed(environment, sources));
    }

    /// <summary>True when the request may read the console. A valid <c>?token=</c> sets the session cookie and
    /// redirects to the same address without it, so the token does not stay in the address bar or the history.</summary>
    private static async Task<bool> AuthorizeAsync(HttpContext context, ConsoleOptions options)
    {
        if (options.Token is not { } token)
        {
            return true;
        }
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        string? presented = null;
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization["Bearer ".Length..].Trim();
            if (token.Matches(presented))
            {
                return true;
            }
        }
        else if (request.Query.TryGetValue("token", out var query))
        {
            presented = query.ToString();
            if (token.Matches(presented))
            {
                context.Response.Cookies.Append(CookieName, token.Session, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Strict,
                    Secure = request.IsHttps,
                    Path = Prefix,
                });
                var others = request.Query.Where(q => q.Key != "token").ToDictionary(q => q.Key, q => q.Value);
                context.Response.Redirect(request.PathBase + request.Path + QueryString.Create(others.Select(p => new KeyValuePair<string, StringValues>(p.Key, p.Value))));
                return false;
            }
        }
        else if (token.MatchesSession(request.Cookies[CookieName]))
        {
            return true;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = presented is null
            ? "Bearer realm=\"gitops-console\""
            : "Bearer realm=\"gitops-console\", error=\"invalid_token\"";
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(presented is null
            ? "401 Unauthorized: the console needs its token. Send 'Authorization: Bearer TOKEN', or open /console/?token=TOKEN once in a browser "
              + $"(it keeps a session cookie). The token is the content of the reconciler's --console-token-file or ${ConsoleToken.EnvironmentVariable}.\n"
            : "401 Unauthorized: the token given is not the console's token. Use the content of the reconciler's --console-token-file "
              + $"or ${ConsoleToken.EnvironmentVariable}.\n");
        return false;
    }

    private static void Secure(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                                        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
    }

    private static IResult Json(JsonObject document) =>
        Results.Text(document.ToJsonString(), "application/json; charset=utf-8");

    private static IResult NotServed(string environment, ConsoleSources sources) =>
        Results.Text($"404 Not Found: environment '{environment}' is not served here (served: "
                     + $"{string.Join(", ", sources.Environments().Select(e => e.Name))}).\n", "text/plain; charset=utf-8", statusCode: 404);

    private static byte[] Read(string resource)
    {
        var name = $"{typeof(ConsoleEndpoints).Namespace}.Assets.{resource}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"the console asset {name} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
