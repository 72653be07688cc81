using GitOps.Planning.Cluster;
using GitOps.Planning.Formatting;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Specs;
using GitOps.Specs.Model;
using GitOps.Testing.Golden;

namespace GitOps.Planning.Tests.Security;

public sealed class NetworkPolicyRenderTests
{
    private static readonly RenderContext Commit = new("3f1c2a9");

    private static readonly Lazy<SpecSet> Examples = new(() => SpecValidator.Validate(SpecFileReader.Read(RepositoryPaths.Root)).Specs);

    private static string Fixtures => RepositoryPaths.Combine("tests", "GitOps.Planning.Tests", "testdata", "network-policies");

    private static RegistryFacts Served(SpecSet specs, string env)
    {
        var facts = RegistryFacts.Empty;
        foreach (var model in specs.Models.Where(m => m.Spec.Environments.Contains(env)))
        {
            var version = ModelVersions.Compute(model, specs.Environment(env)!);
            facts = facts.WithTrained(model.Name, version).WithDeployment(model.Name, env, new DeploymentFacts(version, null));
        }
        return facts;
    }

    private static string PoliciesOf(RenderResult result) =>
        YamlWriter.WriteStream(result.Objects.Where(o => o["kind"]!.ToString() == ManagedKinds.NetworkPolicy.Kind));

    private static SpecSet WithEnvironment(string name, Func<EnvironmentBody, EnvironmentBody> edit) =>
        SpecSet.From(Examples.Value.All.Select(s => s is EnvironmentSpec e && e.Name == name ? e with { Spec = edit(e.Spec) } : s));

    public sealed class TheRenderMethod
    {
        [Theory]
        [InlineData("staging", false)]
        [InlineData("staging", true)]
        [InlineData("prod", true)]
        public void Should_Render_The_Network_Policies_Of_The_Example_Environments(string env, bool served)
        {
            // Given
            var specs = Examples.Value;

            // When
            var result = Renderer.Render(specs, env, served ? Served(specs, env) : RegistryFacts.Empty, Commit);

            // Then
            Assert.Empty(result.Diagnostics);
            GoldenFile.AssertMatches(Path.Combine(Fixtures, $"{env}-{(served ? "serving" : "training")}.yaml"), PoliciesOf(result));
        }

        [Fact]
        public void Should_Render_No_Network_Policy_When_The_Environment_Does_Not_Ask_For_Them()
        {
            // Given: dev has no spec.networkPolicy.
            var specs = Examples.Value;

            // When
            var result = Renderer.Render(specs, "dev", Served(specs, "dev"), Commit);

            // Then
            Assert.DoesNotContain(result.Objects, o => o["kind"]!.ToString() == ManagedKinds.NetworkPolicy.Kind);
        }

        [Theory]
        [InlineData(TrafficRouters.Istio, "istio-system")]
        [InlineData(TrafficRouters.GatewayApi, "gateways")]
        [InlineData(TrafficRouters.Replicas, "ml-staging")]
        public void Should_Admit_The_Routers_Namespace_When_No_Clients_Are_Named(string router, string expected)
        {
            // Given
            var specs = WithEnvironment("staging", e => e with
            {
                Router = router,
                NetworkPolicy = e.NetworkPolicy! with { Clients = [], DefaultDeny = false },
            });

            // When
            var result = Renderer.Render(specs, "staging", Served(specs, "staging"), Commit);

            // Then
            var policy = result.Objects.First(o => o["kind"]!.ToString() == "NetworkPolicy");
            var from = policy["spec"]!["ingress"]![0]!["from"]!.AsArray();
            Assert.Equal(expected, from[0]!["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]!.ToString());
            Assert.Null(from[0]!["podSelector"]);
            Assert.DoesNotContain(result.Objects, o => o["metadata"]!["name"]!.ToString() == NetworkPolicies.DefaultDenyName);
        }

        [Fact]
        public void Should_Plan_The_Default_Deny_First_And_Prune_It_When_Turned_Off()
        {
            // Given: the cluster runs what staging renders with default deny.
            var before = Renderer.Render(Examples.Value, "staging", Served(Examples.Value, "staging"), Commit);
            var off = WithEnvironment("staging", e => e with { NetworkPolicy = e.NetworkPolicy! with { DefaultDeny = false } });

            // When
            var first = Planner.Plan("staging", before.Objects, []);
            var after = Planner.Plan("staging", Renderer.Render(off, "staging", Served(off, "staging"), Commit).Objects, before.Objects);

            // Then
            var deny = first.Actions.Single(a => a.Key.Name == NetworkPolicies.DefaultDenyName);
            Assert.Equal(Wave.Config, deny.Wave);
            Assert.Equal("environment-wide: not in the cluster", deny.Reason);
            var pruned = Assert.Single(after.Actions, a => a.Action == ActionKind.Delete);
            Assert.Equal(NetworkPolicies.DefaultDenyName, pruned.Key.Name);
            Assert.Equal(ManagedKinds.NetworkPolicy.ApiVersion, pruned.Key.ApiVersion);
        }
    }
}
