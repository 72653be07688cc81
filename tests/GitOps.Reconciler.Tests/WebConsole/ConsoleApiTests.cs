using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using GitOps.Reconciler.Drivers.Local.Routing;
using GitOps.Reconciler.Hosting;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.WebConsole;
using Microsoft.AspNetCore.Builder;

namespace GitOps.Reconciler.Tests.WebConsole;

[Collection(ConsoleCollection.Name)]
public sealed class ConsoleApiTests(ConsoleState state) : IAsyncLifetime
{
    private WebApplication _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await StartReconcilerHostAsync(state.Site());
        _client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = ReconcilerHost.BoundAddress(_host) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
    }

    private static async Task<WebApplication> StartReconcilerHostAsync(ConsoleSite? site)
    {
        var app = ReconcilerHost.Build(new ReconcilerHostOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Branch = "main",
            Console = site,
        }, new ReconcilerMetrics(includeProcessMetrics: false), new ReconcileTrigger(), new ReconcilerHealth(), new ListLoggerProvider().CreateFactory());
        await app.StartAsync();
        return app;
    }

    private async Task<(HttpResponseMessage Response, string Body)> GetAsync(string path, string? bearer = ConsoleState.Token, string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        var response = await _client.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonObject> JsonAsync(string path)
    {
        var (response, body) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (JsonObject)JsonNode.Parse(body)!;
    }

    [Fact]
    public async Task Should_List_Environments_With_Models_Versions_And_Training_When_Asked_With_The_Token()
    {
        // When
        var document = await JsonAsync("/console/api/environments");

        // Then
        var environments = document["environments"]!.AsArray();
        Assert.Equal(["prod", "dev"], environments.Select(e => e!["name"]!.GetValue<string>()));
        var prod = environments[0]!;
        Assert.Equal("Applied", prod["outcome"]!.GetValue<string>());
        Assert.Equal(ConsoleState.Commit, prod["commit"]!.GetValue<string>());
        Assert.Equal(ConsoleState.MarkupMessage, prod["message"]!.GetValue<string>());
        var models = prod["models"]!.AsArray();
        Assert.Equal(["churn-scorer", ConsoleState.Model], models.Select(m => m!["model"]!.GetValue<string>()));
        var fraud = models[1]!;
        Assert.Equal("v1", fraud["serving"]!.GetValue<string>());
        Assert.Equal("v2", fraud["canary"]!.GetValue<string>());
        Assert.Equal(10, fraud["weight"]!.GetValue<int>());
        Assert.Equal("progressing", fraud["phase"]!.GetValue<string>());
        Assert.Equal(["v1", "v2"], fraud["trained"]!.AsArray().Select(v => v!.GetValue<string>()));
        var churn = models[0]!;
        Assert.Equal("9a75b5701b77 rejected: gates rejected: auc 0.81 < 0.85", churn["held"]!.GetValue<string>());
        Assert.Equal("Pending", environments[1]!["outcome"]!.GetValue<string>());
        Assert.Empty(environments[1]!["models"]!.AsArray());
    }

    [Fact]
    public async Task Should_Give_Rollout_Steps_And_Measurements_As_Rollout_Status_Does_When_Asked_For_Rollouts()
    {
        // When
        var document = await JsonAsync("/console/api/environments/prod/rollouts");

        // Then
        var rollout = Assert.Single(document["rollouts"]!.AsArray())!;
        Assert.Equal("canary", rollout["policy"]!.GetValue<string>());
        Assert.Equal(2, rollout["step"]!.GetValue<int>());
        Assert.Equal(["completed", "current", "pending", "pending"],
            rollout["steps"]!.AsArray().Select(s => s!["status"]!.GetValue<string>()));
        Assert.Equal(ConsoleState.ErrorRateMeasurements, rollout["recording"]!["measurements"]!.AsArray().Count);
        Assert.Equal(ConsoleState.ErrorRateMeasurements, rollout["state"]!["stepAnalysis"]!["measurements"]!.AsArray().Count);
    }

    [Fact]
    public async Task Should_Read_Drift_Per_Feature_Of_The_Environment_From_Its_Prometheus_When_One_Is_Configured()
    {
        // When
        var document = await JsonAsync("/console/api/environments/prod/drift");

        // Then
        Assert.Null(document["problem"]);
        var features = document["features"]!.AsArray();
        Assert.Equal(["amount", "hour"], features.Select(f => f!["feature"]!.GetValue<string>()));
        Assert.Equal(0.31, features[0]!["psi"]!.GetValue<double>(), 6);
        Assert.Equal(0.1, features[0]!["threshold"]!.GetValue<double>(), 6);
        Assert.True(features[0]!["over"]!.GetValue<bool>());
        Assert.Equal(0.2, features[1]!["threshold"]!.GetValue<double>(), 6);
        Assert.False(features[1]!["over"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Should_Say_No_Prometheus_Is_Configured_When_The_Environment_Has_None()
    {
        // When
        var document = await JsonAsync("/console/api/environments/dev/drift");

        // Then
        Assert.Contains("no Prometheus configured for environment dev", document["problem"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(document["features"]!.AsArray());
    }

    [Fact]
    public async Task Should_Answer_404_Naming_The_Served_Environments_When_The_Environment_Is_Unknown()
    {
        // When
        var (response, body) = await GetAsync("/console/api/environments/prdo/rollouts");

        // Then
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("environment 'prdo' is not served here (served: prod, dev)", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/console/")]
    [InlineData("/console/api/environments")]
    [InlineData("/console/console.js")]
    public async Task Should_Answer_401_Saying_How_To_Authenticate_When_No_Token_Is_Given(string path)
    {
        // When
        var (response, body) = await GetAsync(path, bearer: null);

        // Then
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"gitops-console\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Contains("Authorization: Bearer TOKEN", body, StringComparison.Ordinal);
        Assert.Contains(ConsoleToken.EnvironmentVariable, body, StringComparison.Ordinal);
        Assert.DoesNotContain(ConsoleState.Token, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Answer_401_Invalid_Token_When_The_Token_Is_Wrong()
    {
        // When
        var (response, body) = await GetAsync("/console/api/environments", bearer: ConsoleState.Token + "x");

        // Then
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("not the console's token", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Set_A_Strict_HttpOnly_Cookie_And_Redirect_Without_The_Token_When_It_Comes_In_The_Query()
    {
        // When
        var (response, _) = await GetAsync($"/console/?env=prod&token={ConsoleState.Token}", bearer: null);

        // Then
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/console/?env=prod", response.Headers.Location?.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/console", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ConsoleState.Token, cookie, StringComparison.Ordinal);
        var session = cookie.Split(';')[0];
        var (withCookie, _) = await GetAsync("/console/api/environments", bearer: null, cookie: session);
        Assert.Equal(HttpStatusCode.OK, withCookie.StatusCode);
        var (forged, _) = await GetAsync("/console/api/environments", bearer: null, cookie: $"{ConsoleEndpoints.CookieName}={ConsoleState.Token}");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Should_Refuse_Anything_But_Get_When_Asked_To_Change_Something(string method)
    {
        // Given
        using var request = new HttpRequestMessage(new HttpMethod(method), "/console/api/environments") { Content = new StringContent("{}") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ConsoleState.Token);

        // When
        using var response = await _client.SendAsync(request);

        // Then
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Should_Send_A_Strict_Content_Security_Policy_When_Serving_The_Page()
    {
        // When
        var (response, body) = await GetAsync("/console/");

        // Then
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("<script src=\"console.js\" defer></script>", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Serve_The_Console_On_The_Address_Of_Metrics_When_Enabled()
    {
        // When
        var (metrics, _) = await GetAsync("/metrics", bearer: null);
        var (console, _) = await GetAsync("/console/api/environments");

        // Then
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.OK, console.StatusCode);
    }

    [Fact]
    public async Task Should_Not_Serve_The_Console_When_Not_Enabled()
    {
        // Given
        var host = await StartReconcilerHostAsync(site: null);
        try
        {
            using var client = new HttpClient { BaseAddress = ReconcilerHost.BoundAddress(host) };

            // When
            using var response = await client.GetAsync("/console/api/environments");

            // Then
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        finally
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Should_Serve_The_Console_Beside_Metrics_And_Model_Routes_When_Gitops_Up_Enables_It()
    {
        // Given: the local runtime's proxy, without a token on loopback (--console-auth none)
        await using var proxy = await LocalTrafficProxy.StartAsync(new IPEndPoint(IPAddress.Loopback, 0),
            new ReconcilerMetrics(includeProcessMetrics: false).Registry, new ListLoggerProvider().CreateFactory(), CancellationToken.None,
            state.Site(ConsoleAuth.None));
        using var client = new HttpClient { BaseAddress = proxy.Address };

        // When
        using var metrics = await client.GetAsync("/metrics");
        var document = JsonNode.Parse(await client.GetStringAsync("/console/api/environments"))!;
        using var model = await client.GetAsync("/v2/models/fraud-detector/infer");

        // Then
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal("prod", document["environments"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, model.StatusCode);
    }
}
