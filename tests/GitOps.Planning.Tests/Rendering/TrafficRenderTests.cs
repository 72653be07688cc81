using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Formatting;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;
using GitOps.Rollouts.Rollout;
using GitOps.Specs.Model;
using GitOps.Testing.Golden;

namespace GitOps.Planning.Tests.Rendering;

/// <summary>The objects the renderer draws for each state of a rollout, per traffic router (golden files).</summary>
public sealed class TrafficRenderTests
{
    private const string Old = "0123456789ab";
    private static readonly RenderContext Commit = new("3f1c2a9");

    private static RolloutPolicySpec CanaryPolicy() =>
        new(Metadata.Named("canary-standard"), SpecOrigin.InMemory("policies/rollouts.yaml"), new RolloutPolicyBody
        {
            Strategy = RolloutStrategies.Canary,
            Steps =
            [
                new RolloutStep { SetWeight = 30 },
                new RolloutStep { SetHeaderRoute = new HeaderRoute("beta-users", "X-Canary", "always") },
                new RolloutStep { Mirror = 25 },
                new RolloutStep { PauseUntilPromoted = true },
                new RolloutStep { SetWeight = 100 },
            ],
        });

    private static RolloutPolicySpec BlueGreenPolicy() =>
        new(Metadata.Named("canary-standard"), SpecOrigin.InMemory("policies/rollouts.yaml"), new RolloutPolicyBody
        {
            Strategy = RolloutStrategies.BlueGreen,
            ScaleDownDelay = "30s",
        });

    private static SpecSet Specs(string router, RolloutPolicySpec policy) =>
        SpecSet.From([
            TestSpecs.Environment("prod", router),
            TestSpecs.Model("fraud-detector", ["prod"], b => b with { Serving = b.Serving with { Replicas = 5, Batching = null } }),
            policy,
            TestSpecs.Gate(),
        ]);

    private static string Desired(SpecSet specs) => ModelVersions.Compute(specs.Model("fraud-detector")!, specs.Environment("prod")!);

    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A state of the rollout of the desired version (the canary) against <see cref="Old"/>.</summary>
    private static RolloutState State(string scenario, string canary) => scenario switch
    {
        "stable-only" => RolloutState.Initial with { Stable = Old },
        "canary-weight-30" => Progressing(canary) with { StepIndex = 1, Weight = 30 },
        "header-route-and-mirror" => Progressing(canary) with
        {
            StepIndex = 3,
            Phase = RolloutPhase.Paused,
            Weight = 30,
            HeaderRoute = new HeaderRoute("beta-users", "X-Canary", "always"),
            Mirror = 25,
        },
        "rolled-back" => RolloutState.Initial with
        {
            Stable = Old,
            Canary = canary,
            Phase = RolloutPhase.Degraded,
            Rejected = [new RejectedVersion(canary, At, "analysis of step 2 Failed")],
        },
        "bluegreen-preview" => Progressing(canary),
        "bluegreen-switched" => RolloutState.Initial with { Stable = canary, PreviousStable = Old, ScaleDownAt = At.AddSeconds(30), LiveOnCanary = true },
        "bluegreen-aborted" => State("rolled-back", canary),
        "bluegreen-scaled-down" => RolloutState.Initial with { Stable = canary, LiveOnCanary = true },
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };

    private static RolloutState Progressing(string canary) => RolloutState.Initial with
    {
        Stable = Old,
        Canary = canary,
        Generation = 1,
        Phase = RolloutPhase.Progressing,
        StepStartedAt = At,
        RolloutStartedAt = At,
    };

    /// <summary>The traffic-relevant parts of the model's objects: Deployments (version, replicas), Services
    /// (selector) and the route in full.</summary>
    private static string Summary(RenderResult result)
    {
        var parts = new List<JsonNode>();
        foreach (var o in result.Objects.Where(o => ObjectKeys.Label(o, ManagedLabels.Model) == "fraud-detector"))
        {
            var kind = o["kind"]!.ToString();
            var name = o["metadata"]!["name"]!.ToString();
            switch (kind)
            {
                case "Deployment":
                    parts.Add(new JsonObject
                    {
                        ["deployment"] = name,
                        ["version"] = ObjectKeys.Label(o, ManagedLabels.Version),
                        ["replicas"] = o["spec"]!["replicas"]?.DeepClone(),
                    });
                    break;
                case "Service":
                    parts.Add(new JsonObject { ["service"] = name, ["selector"] = o["spec"]!["selector"]!.DeepClone() });
                    break;
                case "HTTPRoute" or "VirtualService":
                    parts.Add(new JsonObject { ["route"] = $"{kind}/{name}", ["spec"] = o["spec"]!.DeepClone() });
                    break;
            }
        }
        return YamlWriter.WriteStream(parts);
    }

    public sealed class TheRenderMethod
    {
        [Theory]
        [InlineData(TrafficRouters.GatewayApi, "stable-only")]
        [InlineData(TrafficRouters.GatewayApi, "canary-weight-30")]
        [InlineData(TrafficRouters.GatewayApi, "header-route-and-mirror")]
        [InlineData(TrafficRouters.GatewayApi, "rolled-back")]
        [InlineData(TrafficRouters.GatewayApi, "bluegreen-preview")]
        [InlineData(TrafficRouters.GatewayApi, "bluegreen-switched")]
        [InlineData(TrafficRouters.GatewayApi, "bluegreen-aborted")]
        [InlineData(TrafficRouters.GatewayApi, "bluegreen-scaled-down")]
        [InlineData(TrafficRouters.Istio, "stable-only")]
        [InlineData(TrafficRouters.Istio, "canary-weight-30")]
        [InlineData(TrafficRouters.Istio, "header-route-and-mirror")]
        [InlineData(TrafficRouters.Istio, "rolled-back")]
        [InlineData(TrafficRouters.Istio, "bluegreen-preview")]
        [InlineData(TrafficRouters.Istio, "bluegreen-switched")]
        [InlineData(TrafficRouters.Istio, "bluegreen-aborted")]
        [InlineData(TrafficRouters.Istio, "bluegreen-scaled-down")]
        [InlineData(TrafficRouters.Replicas, "stable-only")]
        [InlineData(TrafficRouters.Replicas, "canary-weight-30")]
        [InlineData(TrafficRouters.Replicas, "rolled-back")]
        [InlineData(TrafficRouters.Replicas, "bluegreen-preview")]
        [InlineData(TrafficRouters.Replicas, "bluegreen-switched")]
        [InlineData(TrafficRouters.Replicas, "bluegreen-aborted")]
        [InlineData(TrafficRouters.Replicas, "bluegreen-scaled-down")]
        public void Should_Draw_The_Rollout_State_When_The_Reconciler_Hands_It_Over(string router, string scenario)
        {
            // Given
            var specs = Specs(router, scenario.StartsWith("bluegreen", StringComparison.Ordinal) ? BlueGreenPolicy() : CanaryPolicy());
            var state = State(scenario, Desired(specs));
            var facts = RegistryFacts.Empty.WithDeployment("fraud-detector", "prod", new DeploymentFacts(null, null, state));

            // When
            var result = Renderer.Render(specs, "prod", facts, Commit);

            // Then
            Assert.Empty(result.Diagnostics);
            GoldenFile.AssertMatches($"tests/GitOps.Planning.Tests/testdata/traffic/{router}/{scenario}.yaml", Summary(result));
        }

        [Theory]
        [InlineData(TrafficRouters.GatewayApi)]
        [InlineData(TrafficRouters.Istio)]
        [InlineData(TrafficRouters.Replicas)]
        public void Should_Switch_And_Switch_Back_Without_Changing_A_Pod_Template_When_BlueGreen(string router)
        {
            // Given the preview of a blueGreen rollout
            var specs = Specs(router, BlueGreenPolicy());
            var canary = Desired(specs);
            RenderResult Render(string scenario) => Renderer.Render(specs, "prod",
                RegistryFacts.Empty.WithDeployment("fraud-detector", "prod", new DeploymentFacts(null, null, State(scenario, canary))), Commit);

            // When it switches, then is aborted within scaleDownDelay
            var preview = Render("bluegreen-preview");
            var switched = Render("bluegreen-switched");
            var aborted = Render("bluegreen-aborted");

            // Then no Deployment's pod template changes, so no Deployment rolls: the switch and the switch back only move
            // traffic, and the rejected version's pods are scaled to 0
            foreach (var name in new[] { "fraud-detector-stable", "fraud-detector-canary" })
            {
                Assert.Equal(Template(preview, name), Template(switched, name));
                Assert.Equal(Template(preview, name), Template(aborted, name));
            }
            Assert.Equal((5, 5), (Replicas(switched, "fraud-detector-stable"), Replicas(switched, "fraud-detector-canary")));
            Assert.Equal((5, 0), (Replicas(aborted, "fraud-detector-stable"), Replicas(aborted, "fraud-detector-canary")));
            Assert.Equal(("stable", "canary", "stable"), (Live(preview, router), Live(switched, router), Live(aborted, router)));
        }

        private static JsonObject Deployment(RenderResult result, string name) =>
            result.Objects.Single(o => o["kind"]!.ToString() == "Deployment" && o["metadata"]!["name"]!.ToString() == name);

        private static string Template(RenderResult result, string name) => Deployment(result, name)["spec"]!["template"]!.ToJsonString();

        private static int Replicas(RenderResult result, string name) => Deployment(result, name)["spec"]!["replicas"]!.GetValue<int>();

        /// <summary>The track that gets all live traffic: the route's only weighted backend, or (without a router) the
        /// track the shared Service selects.</summary>
        private static string Live(RenderResult result, string router)
        {
            if (router == TrafficRouters.Replicas)
            {
                return result.Objects.Single(o => o["kind"]!.ToString() == "Service" && o["metadata"]!["name"]!.ToString() == "fraud-detector")
                    ["spec"]!["selector"]![ManagedLabels.Track]!.ToString();
            }
            var route = result.Objects.Single(o => o["kind"]!.ToString() is "HTTPRoute" or "VirtualService")["spec"]!;
            var backends = router == TrafficRouters.Istio
                ? route["http"]!.AsArray().Last()!["route"]!.AsArray().Select(r => (r!["destination"]!["host"]!.ToString(), r["weight"]!.GetValue<int>()))
                : route["rules"]!.AsArray().Last()!["backendRefs"]!.AsArray().Select(b => (b!["name"]!.ToString(), b["weight"]!.GetValue<int>()));
            var live = Assert.Single(backends, b => b.Item2 > 0);
            Assert.Equal(100, live.Item2);
            return live.Item1["fraud-detector-".Length..];
        }

        [Theory]
        [InlineData(TrafficRouters.GatewayApi)]
        [InlineData(TrafficRouters.Istio)]
        public void Should_Read_The_Canary_Weight_Back_From_The_Weighted_Rule_When_A_Header_Route_Is_On(string router)
        {
            // Given the objects of a canary at 30% with a header route (all of whose requests go to the canary)
            var specs = Specs(router, CanaryPolicy());
            var canary = Desired(specs);
            var rendered = Renderer.Render(specs, "prod",
                RegistryFacts.Empty.WithDeployment("fraud-detector", "prod", new DeploymentFacts(null, null, State("header-route-and-mirror", canary))), Commit);

            // When the facts are read back from them, as from a cluster
            var facts = ObservedFacts.From(rendered.Objects).For("fraud-detector").In("prod");

            // Then
            Assert.Equal(new CanaryFacts(canary, 30), facts.Canary);
            Assert.Equal(Old, facts.StableVersion);
        }

        [Theory]
        [InlineData("stable-only")]
        [InlineData("canary-weight-30")]
        [InlineData("header-route-and-mirror")]
        [InlineData("bluegreen-switched")]
        public void Should_Route_Each_Port_Of_The_Model_Service_To_The_Same_Port_With_The_Same_Weights_When_Istio(string scenario)
        {
            // Given
            var specs = Specs(TrafficRouters.Istio, scenario.StartsWith("bluegreen", StringComparison.Ordinal) ? BlueGreenPolicy() : CanaryPolicy());
            var facts = RegistryFacts.Empty.WithDeployment("fraud-detector", "prod", new DeploymentFacts(null, null, State(scenario, Desired(specs))));

            // When
            var http = Renderer.Render(specs, "prod", facts, Commit).Objects.Single(o => o["kind"]!.ToString() == "VirtualService")["spec"]!["http"]!.AsArray();

            // Then every route matches one port and sends to (and mirrors to) that port only
            var byPort = new Dictionary<int, List<string>>();
            foreach (var route in http)
            {
                var port = Assert.Single(route!["match"]!.AsArray())!["port"]!.GetValue<int>();
                var destinations = route["route"]!.AsArray();
                Assert.All(destinations, d => Assert.Equal(port, d!["destination"]!["port"]!["number"]!.GetValue<int>()));
                if (route["mirror"] is { } mirror)
                {
                    Assert.Equal(port, mirror["port"]!["number"]!.GetValue<int>());
                }
                var withoutPort = route.DeepClone().AsObject();
                withoutPort["name"] = withoutPort["name"]!.ToString().Replace("-grpc", "", StringComparison.Ordinal);
                withoutPort["match"]![0]!.AsObject().Remove("port");
                foreach (var d in withoutPort["route"]!.AsArray())
                {
                    d!["destination"]!.AsObject().Remove("port");
                }
                withoutPort.Remove("mirror");
                byPort.TryAdd(port, []);
                byPort[port].Add(withoutPort.ToJsonString());
            }
            // and the gRPC port gets the same routes, in the same order, as the REST port
            Assert.Equal([ModelRenderer.Port, ModelRenderer.GrpcPort], byPort.Keys.Order());
            Assert.Equal(byPort[ModelRenderer.Port], byPort[ModelRenderer.GrpcPort]);
        }

        [Theory]
        [InlineData("stable-only")]
        [InlineData("canary-weight-30")]
        [InlineData("header-route-and-mirror")]
        [InlineData("bluegreen-preview")]
        [InlineData("bluegreen-switched")]
        public void Should_Route_gRPC_Through_The_Model_Service_With_The_HTTPRoutes_Weights_When_GrpcRoutes_Is_On(string scenario)
        {
            // Given an environment that asks for GRPCRoutes
            var policy = scenario.StartsWith("bluegreen", StringComparison.Ordinal) ? BlueGreenPolicy() : CanaryPolicy();
            var specs = WithGrpcRoutes(Specs(TrafficRouters.GatewayApi, policy));
            var facts = RegistryFacts.Empty.WithDeployment("fraud-detector", "prod", new DeploymentFacts(null, null, State(scenario, Desired(specs))));

            // When
            var objects = Renderer.Render(specs, "prod", facts, Commit).Objects;

            // Then one GRPCRoute, attached to the gRPC port of the model's Service
            var grpc = Assert.Single(objects, o => o["kind"]!.ToString() == "GRPCRoute");
            Assert.Equal("gateway.networking.k8s.io/v1", grpc["apiVersion"]!.ToString());
            Assert.Equal("fraud-detector", grpc["metadata"]!["name"]!.ToString());
            var parent = Assert.Single(grpc["spec"]!["parentRefs"]!.AsArray())!;
            Assert.Equal("""{"group":"","kind":"Service","name":"fraud-detector","port":8081}""", parent.ToJsonString());
            // and the HTTPRoute's rules, with no path to match and every backend on the gRPC port
            var http = objects.Single(o => o["kind"]!.ToString() == "HTTPRoute")["spec"]!["rules"]!.DeepClone().AsArray();
            foreach (var rule in http)
            {
                var matches = rule!["matches"]!.AsArray();
                foreach (var match in matches)
                {
                    match!.AsObject().Remove("path");
                }
                if (matches.All(m => m!.AsObject().Count == 0))
                {
                    rule.AsObject().Remove("matches");
                }
            }
            var expected = http.ToJsonString().Replace($"\"port\":{ModelRenderer.Port}", $"\"port\":{ModelRenderer.GrpcPort}", StringComparison.Ordinal);
            Assert.Equal(expected, grpc["spec"]!["rules"]!.ToJsonString());
            Assert.Contains($"\"port\":{ModelRenderer.GrpcPort}", expected, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData(TrafficRouters.GatewayApi, false)]
        [InlineData(TrafficRouters.Istio, true)]
        [InlineData(TrafficRouters.Replicas, true)]
        public void Should_Not_Draw_A_GRPCRoute_Unless_Asked_With_The_Gateway_API(string router, bool grpcRoutes)
        {
            // Given
            var specs = Specs(router, CanaryPolicy());
            specs = grpcRoutes ? WithGrpcRoutes(specs) : specs;
            var facts = RegistryFacts.Empty.WithDeployment("fraud-detector", "prod",
                new DeploymentFacts(null, null, State("canary-weight-30", Desired(specs))));

            // When
            var objects = Renderer.Render(specs, "prod", facts, Commit).Objects;

            // Then
            Assert.DoesNotContain(objects, o => o["kind"]!.ToString() == "GRPCRoute");
        }

        private static SpecSet WithGrpcRoutes(SpecSet specs)
        {
            var env = specs.Environment("prod")!;
            return SpecSet.From([.. specs.All.Where(s => s != env), env with { Spec = env.Spec with { Gateway = env.Spec.Gateway! with { GrpcRoutes = true } } }]);
        }

        [Fact]
        public void Should_Never_Route_Traffic_To_A_Rejected_Version_When_Git_Still_Asks_For_It()
        {
            // Given
            var specs = Specs(TrafficRouters.GatewayApi, CanaryPolicy());
            var rejected = State("rolled-back", Desired(specs));
            var facts = RegistryFacts.Empty.WithTrained("fraud-detector", Desired(specs))
                .WithDeployment("fraud-detector", "prod", new DeploymentFacts(Old, new CanaryFacts(Desired(specs), 30), rejected));

            // When
            var result = Renderer.Render(specs, "prod", facts, Commit);

            // Then
            var model = Assert.Single(result.Models);
            Assert.Equal((Old, 0), (model.StableVersion, model.CanaryWeight));
            var canary = result.Objects.Single(o => o["metadata"]!["name"]!.ToString() == "fraud-detector-canary" && o["kind"]!.ToString() == "Deployment");
            Assert.Equal(0, canary["spec"]!["replicas"]!.GetValue<int>());
            var weights = result.Objects.Single(o => o["kind"]!.ToString() == "HTTPRoute")["spec"]!["rules"]!.AsArray()
                .SelectMany(r => r!["backendRefs"]!.AsArray()).ToDictionary(b => b!["name"]!.ToString(), b => b!["weight"]!.GetValue<int>());
            Assert.Equal(new Dictionary<string, int> { ["fraud-detector-stable"] = 100, ["fraud-detector-canary"] = 0 }, weights);
        }

        [Fact]
        public void Should_Start_The_Canary_At_Its_First_Step_When_A_Plan_Has_Only_The_Cluster_Objects()
        {
            // Given
            var specs = Specs(TrafficRouters.Replicas, CanaryPolicy());
            var facts = RegistryFacts.Empty.WithTrained("fraud-detector", Desired(specs))
                .WithDeployment("fraud-detector", "prod", new DeploymentFacts(Old, null));

            // When
            var result = Renderer.Render(specs, "prod", facts, Commit);

            // Then: sized for setWeight 30 of 5 pods (1.5 → the ceiling wins the tie: 2 canary + 3 stable)
            var replicas = result.Objects.Where(o => o["kind"]!.ToString() == "Deployment")
                .ToDictionary(o => o["metadata"]!["name"]!.ToString(), o => o["spec"]!["replicas"]!.GetValue<int>());
            Assert.Equal(new Dictionary<string, int> { ["fraud-detector-canary"] = 2, ["fraud-detector-stable"] = 3 }, replicas);
            Assert.Equal(Desired(specs), Assert.Single(result.Models).CanaryVersion);
        }
    }
}
