using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Drivers.Local.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Reconciler.Tests.Drivers.Local;

/// <summary>
/// The local proxy over real HTTP: it hands the client's <c>Authorization</c> header to the servers behind a route, and
/// to the target of a <c>RequestMirror</c> too, so servers that require a token (<c>serving.auth</c>) can answer routed
/// and mirrored requests alike; it mirrors only the share a route declares; a header match sends requests to the canary.
/// </summary>
public sealed class LocalTrafficProxyTests
{
    /// <summary>A server on 127.0.0.1 that records the Authorization header of every request it is sent.</summary>
    private sealed class RecordingServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private RecordingServer(WebApplication app) => _app = app;

        public ConcurrentQueue<string> Authorizations { get; } = new();

        public int Port => GitOps.Reconciler.Hosting.ReconcilerHost.BoundAddress(_app).Port;

        public static async Task<RecordingServer> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var server = new RecordingServer(app);
            app.MapPost("/v2/models/fraud/infer", (HttpRequest request) =>
            {
                server.Authorizations.Enqueue(request.Headers.Authorization.ToString());
                return Results.Text("""{"outputs":[]}""", "application/json");
            });
            await app.StartAsync();
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static JsonObject Service(string track) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = $"fraud-{track}", ["namespace"] = "ml" },
        ["spec"] = new JsonObject { ["selector"] = new JsonObject { ["ml.gitops/model"] = "fraud", ["ml.gitops/track"] = track } },
    };

    /// <summary>All traffic to stable, mirrored to the canary.</summary>
    private static JsonObject MirroringRoute() => JsonNode.Parse("""
        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
         "metadata":{"name":"fraud","namespace":"ml","labels":{"ml.gitops/model":"fraud"}},
         "spec":{"rules":[{
           "matches":[{"path":{"type":"PathPrefix","value":"/v2/models/fraud"}}],
           "backendRefs":[{"name":"fraud-stable","port":8080,"weight":100}],
           "filters":[{"type":"RequestMirror","requestMirror":{"backendRef":{"name":"fraud-canary","port":8080}}}]}]}}
        """)!.AsObject();

    /// <summary>All traffic to stable, <paramref name="percent"/> % of it copied to the canary, as the renderer draws a
    /// <c>mirror</c> step.</summary>
    private static JsonObject MirroringRoute(int percent)
    {
        var route = MirroringRoute();
        route["spec"]!["rules"]![0]!["filters"]![0]!["requestMirror"]!["percent"] = percent;
        return route;
    }

    /// <summary>A <c>setHeaderRoute</c> step as the renderer draws it: requests with <c>x-canary: always</c> go to the
    /// canary, every other request to stable.</summary>
    private static JsonObject HeaderRoute() => JsonNode.Parse("""
        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
         "metadata":{"name":"fraud","namespace":"ml","labels":{"ml.gitops/model":"fraud"}},
         "spec":{"rules":[
           {"matches":[{"headers":[{"name":"x-canary","type":"Exact","value":"always"}],"path":{"type":"PathPrefix","value":"/v2/models/fraud"}}],
            "backendRefs":[{"name":"fraud-canary","port":8080,"weight":100}]},
           {"matches":[{"path":{"type":"PathPrefix","value":"/v2/models/fraud"}}],
            "backendRefs":[{"name":"fraud-stable","port":8080,"weight":100},{"name":"fraud-canary","port":8080,"weight":0}]}]}}
        """)!.AsObject();

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string? canaryHeader = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/fraud/infer") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        if (canaryHeader is not null)
        {
            request.Headers.Add("x-canary", canaryHeader);
        }
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Every request to stable, none to the canary: the route of a canary at weight 0.</summary>
    private static JsonObject WeightedRoute(int stable, int canary) => JsonNode.Parse($$$"""
        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
         "metadata":{"name":"fraud","namespace":"ml","labels":{"ml.gitops/model":"fraud"}},
         "spec":{"rules":[{
           "matches":[{"path":{"type":"PathPrefix","value":"/v2/models/fraud"}}],
           "backendRefs":[{"name":"fraud-stable","port":8080,"weight":{{{stable}}}},{"name":"fraud-canary","port":8080,"weight":{{{canary}}}}]}]}}
        """)!.AsObject();

    private static ServingEndpoint Endpoint(string track, int port) => new("ml", $"Deployment/ml/fraud-{track}", port, port,
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string> { ["ml.gitops/model"] = "fraud", ["ml.gitops/track"] = track }));

    public sealed class TheProxy
    {
        [Fact]
        public async Task Should_Forward_The_Authorization_Header_To_The_Backend_And_The_Mirror_When_A_Client_Sends_A_Token()
        {
            // Given a proxy routing to a stable server and mirroring to a canary server
            await using var stable = await RecordingServer.StartAsync();
            await using var canary = await RecordingServer.StartAsync();
            await using var proxy = await LocalTrafficProxy.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Prometheus.Metrics.NewCustomRegistry(), NullLoggerFactory.Instance, CancellationToken.None);
            proxy.Update(RouteTable.Build([Service("stable"), Service("canary"), MirroringRoute()], [Endpoint("stable", stable.Port), Endpoint("canary", canary.Port)]));
            using var client = new HttpClient { BaseAddress = proxy.Address };

            // When a client sends a request with a bearer token
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/fraud/infer") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cr3t-token");
            using var response = await client.SendAsync(request);

            // Then both servers received it unchanged
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(["Bearer s3cr3t-token"], stable.Authorizations.ToArray());
            await Eventually.TrueAsync(() => !canary.Authorizations.IsEmpty, TimeSpan.FromSeconds(10));
            Assert.Equal(["Bearer s3cr3t-token"], canary.Authorizations.ToArray());
        }

        [Fact]
        public async Task Should_Copy_Exactly_The_Declared_Percent_When_The_Route_Mirrors_A_Share()
        {
            // Given a route that mirrors 20 % of its requests to the canary
            await using var stable = await RecordingServer.StartAsync();
            await using var canary = await RecordingServer.StartAsync();
            await using var proxy = await LocalTrafficProxy.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Prometheus.Metrics.NewCustomRegistry(), NullLoggerFactory.Instance, CancellationToken.None);
            proxy.Update(RouteTable.Build([Service("stable"), Service("canary"), MirroringRoute(20)], [Endpoint("stable", stable.Port), Endpoint("canary", canary.Port)]));
            using var client = new HttpClient { BaseAddress = proxy.Address };

            // When 50 requests pass
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await PostAsync(client));
            }

            // Then stable answered all of them and the canary got a copy of 10
            Assert.Equal(50, stable.Authorizations.Count);
            await Eventually.TrueAsync(() => canary.Authorizations.Count >= 10, TimeSpan.FromSeconds(10));
            Assert.Equal(10, canary.Authorizations.Count);
        }

        [Fact]
        public async Task Should_Send_Requests_With_The_Header_To_The_Canary_And_The_Others_To_Stable_When_A_Header_Route_Is_Set()
        {
            // Given a header route to the canary, and no weight on it
            await using var stable = await RecordingServer.StartAsync();
            await using var canary = await RecordingServer.StartAsync();
            await using var proxy = await LocalTrafficProxy.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Prometheus.Metrics.NewCustomRegistry(), NullLoggerFactory.Instance, CancellationToken.None);
            proxy.Update(RouteTable.Build([Service("stable"), Service("canary"), HeaderRoute()], [Endpoint("stable", stable.Port), Endpoint("canary", canary.Port)]));
            using var client = new HttpClient { BaseAddress = proxy.Address };

            // When requests come with the header, with another value of it, and without it
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await PostAsync(client, canaryHeader: "always"));
            }
            var withHeader = canary.Authorizations.Count;
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await PostAsync(client, canaryHeader: "never"));
            }
            var otherValue = stable.Authorizations.Count;
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await PostAsync(client));
            }

            // Then only the requests with the header value reached the canary (the weight of 0 held for the others)
            Assert.Equal((5, 4, 8), (withHeader, otherValue, stable.Authorizations.Count));
            Assert.Equal(5, canary.Authorizations.Count);
        }

        [Fact]
        public async Task Should_Answer_A_Path_No_Route_Matches_With_A_Json_Error_Naming_The_Models_Served()
        {
            // Given a proxy routing the fraud model
            await using var stable = await RecordingServer.StartAsync();
            await using var canary = await RecordingServer.StartAsync();
            await using var proxy = await LocalTrafficProxy.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Prometheus.Metrics.NewCustomRegistry(), NullLoggerFactory.Instance, CancellationToken.None);
            proxy.Update(RouteTable.Build([Service("stable"), Service("canary"), MirroringRoute()], [Endpoint("stable", stable.Port), Endpoint("canary", canary.Port)]));
            using var client = new HttpClient { BaseAddress = proxy.Address };

            // When a client asks for a model that is not served, and for a path that looks like a file
            using var churn = await client.PostAsync("/v2/models/churn/infer", new StringContent("{}", Encoding.UTF8, "application/json"));
            using var file = await client.GetAsync("/v2/models/churn.json");

            // Then
            Assert.Equal(HttpStatusCode.NotFound, churn.StatusCode);
            Assert.Equal("application/json", churn.Content.Headers.ContentType?.MediaType);
            using var body = System.Text.Json.JsonDocument.Parse(await churn.Content.ReadAsStringAsync());
            Assert.Equal("nothing is routed at /v2/models/churn/infer; the models served here are 'fraud', at /v2/models/NAME/...",
                body.RootElement.GetProperty("error").GetString());
            Assert.Equal(HttpStatusCode.NotFound, file.StatusCode);
            Assert.Contains("nothing is routed at /v2/models/churn.json", await file.Content.ReadAsStringAsync());
            Assert.Empty(stable.Authorizations);
        }

        [Fact]
        public async Task Should_Send_Nothing_To_The_Canary_When_Its_Weight_Is_0()
        {
            // Given a route with both servers behind it, the canary at weight 0
            await using var stable = await RecordingServer.StartAsync();
            await using var canary = await RecordingServer.StartAsync();
            await using var proxy = await LocalTrafficProxy.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Prometheus.Metrics.NewCustomRegistry(), NullLoggerFactory.Instance, CancellationToken.None);
            proxy.Update(RouteTable.Build([Service("stable"), Service("canary"), WeightedRoute(stable: 100, canary: 0)], [Endpoint("stable", stable.Port), Endpoint("canary", canary.Port)]));
            using var client = new HttpClient { BaseAddress = proxy.Address };

            // When 40 requests go through (a split that ignored the weights would send about half to the canary)
            for (var i = 0; i < 40; i++)
            {
                using var response = await client.PostAsync("/v2/models/fraud/infer", new StringContent("{}", Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            // Then
            Assert.Equal(40, stable.Authorizations.Count);
            Assert.Empty(canary.Authorizations);
        }
    }
}
