using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;
using GitOps.Specs;
using GitOps.Specs.Model;
using GitOps.Testing.Golden;

namespace GitOps.Planning.Tests.Security;

/// <summary>
/// With <c>serving.auth</c> the servers check <c>Authorization: Bearer</c>, so the rendered routes must hand that header
/// to them as the client sent it: no header filter of an <c>HTTPRoute</c> or a <c>VirtualService</c> may remove or
/// rewrite it (Gateway API and Istio forward every request header unless a filter says otherwise).
/// </summary>
public sealed class RouteAuthorizationTests
{
    private static readonly RenderContext Commit = new("3f1c2a9");

    private static readonly Lazy<SpecSet> Examples = new(() => SpecValidator.Validate(SpecFileReader.Read(RepositoryPaths.Root)).Specs);

    /// <summary>prod (token required) with a stable and a canary version, routed by <paramref name="router"/>.</summary>
    private static RenderResult RenderProd(string router)
    {
        var specs = SpecSet.From(Examples.Value.All.Select(s => s is EnvironmentSpec { Name: "prod" } e ? e with { Spec = e.Spec with { Router = router } } : s));
        var facts = RegistryFacts.Empty;
        foreach (var model in specs.Models.Where(m => m.Spec.Environments.Contains("prod")))
        {
            var version = ModelVersions.Compute(model, specs.Environment("prod")!);
            facts = facts.WithTrained(model.Name, version).WithTrained(model.Name, "0123456789ab")
                .WithDeployment(model.Name, "prod", new DeploymentFacts("0123456789ab", new CanaryFacts(version, 25)));
        }
        return Renderer.Render(specs, "prod", facts, Commit);
    }

    /// <summary>Every header name a route's filters or header operations remove, set or add.</summary>
    private static IEnumerable<string> TouchedHeaders(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key switch
        {
            // Gateway API RequestHeaderModifier: remove is a list of names; set/add are {name, value} pairs.
            "remove" => (p.Value as JsonArray ?? []).Select(n => n!.ToString()),
            "set" or "add" when p.Value is JsonArray list => list.Select(n => n?["name"]?.ToString() ?? ""),
            // Istio headers.request: set/add are maps from name to value.
            "set" or "add" when p.Value is JsonObject map => map.Select(kv => kv.Key),
            _ => TouchedHeaders(p.Value),
        }),
        JsonArray a => a.SelectMany(TouchedHeaders),
        _ => [],
    };

    public sealed class TheRenderedRoutes
    {
        [Theory]
        [InlineData(TrafficRouters.GatewayApi, "HTTPRoute")]
        [InlineData(TrafficRouters.Istio, "VirtualService")]
        public void Should_Forward_The_Authorization_Header_Unchanged_When_Serving_Requires_A_Token(string router, string kind)
        {
            // Given: prod requires a token and runs a canary.
            // When
            var result = RenderProd(router);

            // Then
            Assert.Empty(result.Diagnostics);
            var routes = result.Objects.Where(o => o["kind"]!.ToString() == kind).ToList();
            Assert.NotEmpty(routes);
            Assert.Contains(routes, r => ObjectKeys.Label(r, ManagedLabels.Model) is not null && r.ToJsonString().Contains("canary", StringComparison.Ordinal));
            foreach (var route in routes)
            {
                Assert.DoesNotContain(TouchedHeaders(route["spec"]), h => h.Equals("Authorization", StringComparison.OrdinalIgnoreCase));
                Assert.DoesNotContain("authorization", route.ToJsonString(), StringComparison.OrdinalIgnoreCase);
            }
        }
    }
}
