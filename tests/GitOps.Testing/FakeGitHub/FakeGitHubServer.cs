using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitOps.Testing.FakeGitHub;

/// <summary>One request the fake GitHub API received and what it answered.</summary>
public sealed record FakeGitHubRequest(string Method, string Path, string Query, string? AuthorizationScheme, string? Token, int Status);

/// <summary>Which limit a rate-limited reply simulates.</summary>
public enum FakeRateLimit
{
    /// <summary>403, <c>x-ratelimit-remaining: 0</c> and <c>x-ratelimit-reset</c> (the hourly quota is spent).</summary>
    Primary,

    /// <summary>403 with <c>Retry-After</c> and the "secondary rate limit" message.</summary>
    Secondary,
}

/// <summary>
/// An in-process GitHub REST API (Kestrel on 127.0.0.1, random port) serving under <c>/api/v3/</c>, where Octokit
/// sends requests for any base address other than github.com, as it does for GitHub Enterprise Server. It implements
/// the endpoints GitOps ML uses with the real API's request and response shapes and status codes: check runs
/// (create, update, list for a ref, annotations; 422 past 50 annotations per request), issue comments (paged with
/// <c>Link</c> headers), issues, pull requests of a commit, deployments and their statuses, commit statuses, and the
/// GitHub App installation-token exchange. Tokens carry permissions; a missing one answers 403 "Resource not
/// accessible by integration" with <c>X-Accepted-GitHub-Permissions</c>. Test hooks inject primary and secondary
/// rate limits and server errors.
/// </summary>
public sealed partial class FakeGitHubServer : IAsyncDisposable
{
    private const int RateLimit = 5000;

    private readonly WebApplication _app;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<FakeGitHubRequest> _requests = new();
    private readonly Lock _faultGate = new();
    private readonly List<Fault> _faults = [];
    private readonly Dictionary<string, (int Waiting, TaskCompletionSource Open)> _deploymentGates = new(StringComparer.Ordinal);
    private int _used;

    private sealed class Fault(int count, int status, FakeRateLimit? limit, TimeSpan wait, string? pathContains)
    {
        public int Remaining { get; set; } = count;
        public int Status => status;
        public FakeRateLimit? Limit => limit;
        public TimeSpan Wait => wait;
        public string? PathContains => pathContains;
    }

    private FakeGitHubServer(WebApplication app, TimeProvider time)
    {
        _app = app;
        _time = time;
        Tokens = new FakeGitHubTokens(time);
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>: what a GitHub Enterprise Server user would configure.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary><c>http://127.0.0.1:PORT/api/v3</c>: the form of <c>GITHUB_API_URL</c> on GitHub Enterprise Server.</summary>
    public Uri ApiUrl => new(BaseAddress, "api/v3");

    public FakeGitHubStore Store { get; private set; } = null!;

    public FakeGitHubTokens Tokens { get; }

    public IReadOnlyList<FakeGitHubRequest> Requests => [.. _requests];

    public static async Task<FakeGitHubServer> StartAsync(TimeProvider? time = null, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeGitHubServer(app, time ?? TimeProvider.System);
        app.Run(server.HandleAsync);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        server.Store = new FakeGitHubStore(server._time, server.ApiUrl + "/");
        return server;
    }

    /// <summary>Adds a token. <paramref name="integration"/>: an Actions or App token (403s say "by integration").</summary>
    public string AddToken(string value, bool integration, params string[] permissions)
    {
        Tokens.Add(new FakeGitHubToken(value, [.. permissions], integration, null));
        return value;
    }

    /// <summary>Every permission GitOps ML's features need, as a workflow's <c>permissions:</c> block grants them.</summary>
    public static readonly ImmutableArray<string> AllPermissions =
        ["checks: write", "pull-requests: write", "issues: write", "deployments: write", "statuses: write", "contents: read"];

    /// <summary>The next <paramref name="count"/> requests (whose path contains <paramref name="pathContains"/>) are rate limited.</summary>
    public void RateLimitNext(int count, FakeRateLimit limit, TimeSpan wait, string? pathContains = null)
    {
        lock (_faultGate)
        {
            _faults.Add(new Fault(count, 403, limit, wait, pathContains));
        }
    }

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> (GitHub down: 502/503).</summary>
    public void FailNext(int count, int status = 503, string? pathContains = null)
    {
        lock (_faultGate)
        {
            _faults.Add(new Fault(count, status, null, TimeSpan.Zero, pathContains));
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> deployments created in <paramref name="repository"/> are answered together,
    /// once all of them have arrived (or after 10 s): reconcilers that looked for the deployment at the same moment, found
    /// none, and each create one.
    /// </summary>
    public void CreateDeploymentsTogether(string repository, int count)
    {
        lock (_faultGate)
        {
            _deploymentGates[repository] = (count, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
    }

    private async Task DeploymentGateAsync(string repository)
    {
        TaskCompletionSource? gate;
        lock (_faultGate)
        {
            if (!_deploymentGates.TryGetValue(repository, out var held))
            {
                return;
            }
            gate = held.Open;
            if (held.Waiting <= 1)
            {
                _deploymentGates.Remove(repository);
                gate.TrySetResult();
            }
            else
            {
                _deploymentGates[repository] = (held.Waiting - 1, gate);
            }
        }
        try
        {
            await gate.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // Fewer arrived than announced: answer anyway, and the test sees no race.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Path.Value ?? "/";
        var authorization = request.Headers.Authorization.ToString();
        var scheme = authorization.Split(' ', 2) is [var s, _] ? s : null;
        var token = authorization.Split(' ', 2) is [_, var t] ? t.Trim() : null;
        int status;
        JsonNode? reply;
        IReadOnlyDictionary<string, string> headers = new Dictionary<string, string>();
        try
        {
            if (!path.StartsWith("/api/v3/", StringComparison.Ordinal))
            {
                throw GitHubError.NotFound();
            }
            InjectFault(path);
            var api = path["/api/v3".Length..];
            (status, reply) = await RouteAsync(context, api, authorization);
        }
        catch (GitHubError e)
        {
            (status, reply, headers) = (e.Status, e.Body, e.Headers);
        }
        Interlocked.Increment(ref _used);
        response.StatusCode = status;
        var remaining = Math.Max(0, RateLimit - Volatile.Read(ref _used));
        SetDefault(headers, response, "x-ratelimit-limit", RateLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SetDefault(headers, response, "x-ratelimit-remaining", remaining.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SetDefault(headers, response, "x-ratelimit-used", Volatile.Read(ref _used).ToString(System.Globalization.CultureInfo.InvariantCulture));
        SetDefault(headers, response, "x-ratelimit-reset", (_time.GetUtcNow() + TimeSpan.FromHours(1)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        SetDefault(headers, response, "x-ratelimit-resource", "core");
        foreach (var (name, value) in headers)
        {
            response.Headers[name] = value;
        }
        _requests.Enqueue(new FakeGitHubRequest(request.Method, path, request.QueryString.Value ?? "", scheme, token, status));
        if (reply is not null)
        {
            response.ContentType = "application/json; charset=utf-8";
            await response.WriteAsync(reply.ToJsonString(), context.RequestAborted);
        }
    }

    private static void SetDefault(IReadOnlyDictionary<string, string> overrides, HttpResponse response, string name, string value)
    {
        if (!overrides.ContainsKey(name))
        {
            response.Headers[name] = value;
        }
    }

    private void InjectFault(string path)
    {
        Fault? fault;
        lock (_faultGate)
        {
            fault = _faults.FirstOrDefault(f => f.Remaining > 0 && (f.PathContains is null || path.Contains(f.PathContains, StringComparison.Ordinal)));
            if (fault is not null)
            {
                fault.Remaining--;
            }
        }
        switch (fault?.Limit)
        {
            case null when fault is not null:
                throw new GitHubError(fault.Status, GitHubError.ErrorBody(fault.Status >= 500 ? "Server Error" : "Unexpected error"));
            case FakeRateLimit.Primary:
                throw new GitHubError(403, GitHubError.ErrorBody("API rate limit exceeded for installation ID 1. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000."),
                    new Dictionary<string, string>
                    {
                        ["x-ratelimit-remaining"] = "0",
                        ["x-ratelimit-reset"] = (_time.GetUtcNow() + fault.Wait).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    });
            case FakeRateLimit.Secondary:
                throw new GitHubError(403, GitHubError.ErrorBody("You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000."),
                    new Dictionary<string, string> { ["Retry-After"] = ((int)fault.Wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
    }

    private async Task<(int Status, JsonNode? Body)> RouteAsync(HttpContext context, string api, string authorization)
    {
        var method = context.Request.Method;
        var query = context.Request.Query;
        if (AccessTokens().Match(api) is { Success: true } tokenMatch && method == "POST")
        {
            return (201, Tokens.CreateInstallationToken(authorization, long.Parse(tokenMatch.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
        }
        var caller = Tokens.Authenticate(authorization);
        var author = caller.Integration ? "github-actions[bot]" : "octocat";
        var m = RepoPath().Match(api);
        if (!m.Success)
        {
            throw GitHubError.NotFound();
        }
        var repo = m.Groups["repo"].Value;
        var rest = m.Groups["rest"].Value;
        string[] parts = rest.Split('/');
        void Need(string permission)
        {
            if (!caller.Allows(permission))
            {
                throw GitHubError.NotAccessible(permission, caller.Integration);
            }
        }

        switch (method, parts)
        {
            case ("POST", ["check-runs"]):
                Need("checks: write");
                return (201, Store.CreateCheckRun(repo, await BodyAsync(context), author));
            case ("PATCH", ["check-runs", var id]):
                Need("checks: write");
                return (200, Store.UpdateCheckRun(repo, Id(id), await BodyAsync(context)));
            case ("GET", ["check-runs", var id, "annotations"]):
                Need("checks: read");
                return Page(context, Store.CheckRunAnnotations(repo, Id(id)));
            case ("GET", ["commits", var sha, "check-runs"]):
                Need("checks: read");
                return (200, Store.CheckRunsForRef(repo, sha, query["check_name"].FirstOrDefault(), query["status"].FirstOrDefault()));
            case ("GET", ["commits", var sha, "pulls"]):
                Need("pull-requests: read");
                return Page(context, Store.PullsForCommit(repo, sha));
            case ("GET", ["issues", var number, "comments"]):
                NeedIssues(caller, "read");
                return Page(context, Store.ListComments(repo, Number(number)));
            case ("POST", ["issues", var number, "comments"]):
                NeedIssues(caller, "write");
                return (201, Store.CreateComment(repo, Number(number), (string?)(await BodyAsync(context))["body"], author));
            case ("PATCH", ["issues", "comments", var id]):
                NeedIssues(caller, "write");
                return (200, Store.UpdateComment(repo, Id(id), (string?)(await BodyAsync(context))["body"]));
            case ("GET", ["issues"]):
                Need("issues: read");
                var labels = (query["labels"].FirstOrDefault() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return Page(context, Store.ListIssues(repo, query["state"].FirstOrDefault() ?? "open", labels));
            case ("POST", ["issues"]):
                Need("issues: write");
                return (201, Store.CreateIssue(repo, await BodyAsync(context), author));
            case ("POST", ["deployments"]):
                Need("deployments: write");
                var deployment = await BodyAsync(context);
                await DeploymentGateAsync(repo);
                return (201, Store.CreateDeployment(repo, deployment, author));
            case ("DELETE", ["deployments", var id]):
                Need("deployments: write");
                Store.DeleteDeployment(repo, Id(id));
                return (204, null);
            case ("GET", ["deployments"]):
                Need("deployments: read");
                return Page(context, Store.ListDeployments(repo, query["sha"].FirstOrDefault(), query["environment"].FirstOrDefault()));
            case ("POST", ["deployments", var id, "statuses"]):
                Need("deployments: write");
                return (201, Store.CreateDeploymentStatus(repo, Id(id), await BodyAsync(context), author));
            case ("GET", ["deployments", var id, "statuses"]):
                Need("deployments: read");
                return Page(context, Store.ListDeploymentStatuses(repo, Id(id)));
            case ("POST", ["statuses", var sha]):
                Need("statuses: write");
                return (201, Store.CreateCommitStatus(repo, sha, await BodyAsync(context), author));
            default:
                throw GitHubError.NotFound();
        }
    }

    // Comments on a pull request are issue comments: either permission lets a token write them.
    private static void NeedIssues(FakeGitHubToken caller, string access)
    {
        if (!caller.Allows($"issues: {access}") && !caller.Allows($"pull-requests: {access}"))
        {
            throw GitHubError.NotAccessible($"issues: {access}; pull-requests: {access}", caller.Integration);
        }
    }

    /// <summary>One page of <paramref name="items"/> (<c>per_page</c> default 30, at most 100) with GitHub's <c>Link</c> header.</summary>
    private static (int, JsonNode?) Page(HttpContext context, List<JsonObject> items)
    {
        var query = context.Request.Query;
        var perPage = int.TryParse(query["per_page"].FirstOrDefault(), out var pp) ? Math.Clamp(pp, 1, 100) : 30;
        var page = int.TryParse(query["page"].FirstOrDefault(), out var p) ? Math.Max(1, p) : 1;
        var last = Math.Max(1, (items.Count + perPage - 1) / perPage);
        var links = new List<string>();
        string Url(int n)
        {
            var others = query.Where(q => q.Key is not ("page" or "per_page")).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}");
            var request = context.Request;
            return $"<{request.Scheme}://{request.Host}{request.Path}?{string.Join("&", others.Append($"per_page={perPage}").Append($"page={n}"))}>";
        }
        if (page < last)
        {
            links.Add($"{Url(page + 1)}; rel=\"next\"");
            links.Add($"{Url(last)}; rel=\"last\"");
        }
        if (page > 1)
        {
            links.Add($"{Url(1)}; rel=\"first\"");
            links.Add($"{Url(page - 1)}; rel=\"prev\"");
        }
        if (links.Count > 0)
        {
            context.Response.Headers["Link"] = string.Join(", ", links);
        }
        return (200, new JsonArray([.. items.Skip((page - 1) * perPage).Take(perPage)]));
    }

    private static async Task<JsonObject> BodyAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject
                ?? throw new GitHubError(400, GitHubError.ErrorBody("Problems parsing JSON"));
        }
        catch (JsonException)
        {
            throw new GitHubError(400, GitHubError.ErrorBody("Problems parsing JSON"));
        }
    }

    private static long Id(string text) => long.TryParse(text, out var id) ? id : throw GitHubError.NotFound();

    private static int Number(string text) => int.TryParse(text, out var n) ? n : throw GitHubError.NotFound();

    [GeneratedRegex("^/app/installations/([0-9]+)/access_tokens$")]
    private static partial Regex AccessTokens();

    [GeneratedRegex("^/repos/(?<repo>[^/]+/[^/]+)/(?<rest>.+)$")]
    private static partial Regex RepoPath();
}
