using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Drivers.Local.Routing;

namespace GitOps.Reconciler.Tests.Drivers.Local;

public sealed class RouteTableTests
{
    private static JsonObject Service(string name, string track) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ml" },
        ["spec"] = new JsonObject { ["selector"] = new JsonObject { ["ml.gitops/model"] = "fraud", ["ml.gitops/track"] = track } },
    };

    private static JsonObject Route(JsonObject rule) => new()
    {
        ["apiVersion"] = "gateway.networking.k8s.io/v1",
        ["kind"] = "HTTPRoute",
        ["metadata"] = new JsonObject { ["name"] = "fraud", ["namespace"] = "ml", ["labels"] = new JsonObject { ["ml.gitops/model"] = "fraud" } },
        ["spec"] = new JsonObject { ["rules"] = new JsonArray { rule } },
    };

    private static JsonObject Rule(params (string Service, int Weight)[] backends) => new()
    {
        ["matches"] = new JsonArray { new JsonObject { ["path"] = new JsonObject { ["type"] = "PathPrefix", ["value"] = "/v2/models/fraud" } } },
        ["backendRefs"] = new JsonArray([.. backends.Select(b => (JsonNode)new JsonObject { ["name"] = b.Service, ["port"] = 8080, ["weight"] = b.Weight })]),
    };

    private static ServingEndpoint Server(string track, int port) => new("ml", $"Deployment/ml/fraud-{track}", port, port,
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string> { ["ml.gitops/model"] = "fraud", ["ml.gitops/track"] = track }));

    public sealed class TheBuildMethod
    {
        [Fact]
        public void Should_Give_Each_Backend_Its_Weight_Whatever_Its_Number_Of_Servers_When_Stable_And_Canary_Split_Traffic()
        {
            // Given 90/10 between two stable servers and one canary server
            var objects = new[] { Service("fraud-stable", "stable"), Service("fraud-canary", "canary"), Route(Rule(("fraud-stable", 90), ("fraud-canary", 10))) };
            var servers = new[] { Server("stable", 9001), Server("stable", 9002), Server("canary", 9003) };

            // When
            var table = RouteTable.Build(objects, servers);

            // Then
            var cluster = Assert.Single(table.Clusters);
            var weights = cluster.Destinations!.Values.ToDictionary(d => d.Address, d => double.Parse(d.Metadata!["weight"], CultureInfo.InvariantCulture));
            Assert.Equal(45, weights["http://127.0.0.1:9001"]);
            Assert.Equal(45, weights["http://127.0.0.1:9002"]);
            Assert.Equal(10, weights["http://127.0.0.1:9003"]);
            var route = Assert.Single(table.Routes);
            Assert.Equal("/v2/models/fraud/{**rest}", route.Match.Path);
            var model = Assert.Single(table.Models);
            Assert.Equal(("ml", "fraud", "/v2/models/fraud", 3), (model.Namespace, model.Model, model.Path, model.Destinations));
            Assert.Equal(["fraud-stable=90", "fraud-canary=10"], model.Backends.ToArray());
        }

        [Fact]
        public void Should_Route_Header_Matches_First_And_Mirror_To_The_Mirrored_Service_When_The_Rule_Says_So()
        {
            // Given a header-matched rule to the canary and a plain rule to stable that mirrors to the canary
            var headerRule = Rule(("fraud-canary", 1));
            headerRule["matches"]![0]!["headers"] = new JsonArray { new JsonObject { ["name"] = "x-canary", ["value"] = "always" } };
            var mirrored = Rule(("fraud-stable", 100));
            mirrored["filters"] = new JsonArray
            {
                new JsonObject { ["type"] = "RequestMirror", ["requestMirror"] = new JsonObject { ["backendRef"] = new JsonObject { ["name"] = "fraud-canary", ["port"] = 8080 } } },
            };
            var route = Route(headerRule);
            route["spec"]!["rules"]!.AsArray().Add(mirrored);
            var objects = new[] { Service("fraud-stable", "stable"), Service("fraud-canary", "canary"), route };

            // When
            var table = RouteTable.Build(objects, [Server("stable", 9001), Server("canary", 9003)]);

            // Then
            var byHeader = Assert.Single(table.Routes, r => r.Match.Headers is not null);
            Assert.Equal(("x-canary", "always"), (byHeader.Match.Headers![0].Name, byHeader.Match.Headers[0].Values![0]));
            var plain = Assert.Single(table.Routes, r => r.Match.Headers is null);
            Assert.True(byHeader.Order < plain.Order);
            Assert.Equal("http://127.0.0.1:9003", plain.Metadata![RouteTable.MirrorKey]);
            Assert.Equal("100", plain.Metadata![RouteTable.MirrorPercentKey]);
        }

        [Theory]
        [InlineData("{\"percent\":30}", "30")]
        [InlineData("{\"fraction\":{\"numerator\":1,\"denominator\":8}}", "12.5")]
        [InlineData("{\"fraction\":{\"numerator\":5}}", "5")]
        [InlineData("{\"percent\":0}", "0")]
        public void Should_Keep_The_Mirrored_Share_When_The_Mirror_Declares_A_Percent_Or_Fraction(string share, string expected)
        {
            // Given a plain rule to stable that mirrors a share of its requests to the canary
            var mirror = JsonNode.Parse(share)!.AsObject();
            mirror["backendRef"] = new JsonObject { ["name"] = "fraud-canary", ["port"] = 8080 };
            var rule = Rule(("fraud-stable", 100));
            rule["filters"] = new JsonArray { new JsonObject { ["type"] = "RequestMirror", ["requestMirror"] = mirror } };
            var objects = new[] { Service("fraud-stable", "stable"), Service("fraud-canary", "canary"), Route(rule) };

            // When
            var table = RouteTable.Build(objects, [Server("stable", 9001), Server("canary", 9003)]);

            // Then
            Assert.Equal(expected, Assert.Single(table.Routes).Metadata![RouteTable.MirrorPercentKey]);
        }

        [Fact]
        public void Should_Have_No_Destination_When_No_Server_Is_Ready()
        {
            // Given a route whose Service selects nothing that runs
            var objects = new[] { Service("fraud-stable", "stable"), Route(Rule(("fraud-stable", 100))) };

            // When
            var table = RouteTable.Build(objects, []);

            // Then the proxy answers 503 for it (YARP with no destination)
            Assert.Empty(Assert.Single(table.Clusters).Destinations!);
            Assert.Equal(0, Assert.Single(table.Models).Destinations);
        }
    }
}
