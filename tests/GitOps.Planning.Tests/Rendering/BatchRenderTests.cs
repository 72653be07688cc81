using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Formatting;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Planning.Security;
using GitOps.Specs;
using GitOps.Specs.Model;
using GitOps.Testing.Golden;

namespace GitOps.Planning.Tests.Rendering;

public sealed class BatchRenderTests
{
    private static readonly RenderContext Commit = new("3f1c2a9");

    private static readonly Lazy<SpecSet> Examples = new(() => SpecValidator.Validate(SpecFileReader.Read(RepositoryPaths.Root)).Specs);

    private static string Fixtures => RepositoryPaths.Combine("tests", "GitOps.Planning.Tests", "testdata", "batch");

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

    private static List<JsonObject> CronJobs(RenderResult result) =>
        [.. result.Objects.Where(o => o["kind"]!.ToString() == ManagedKinds.CronJob.Kind)];

    private static SpecSet WithBatch(Func<BatchSpec?, BatchSpec?> edit) =>
        SpecSet.From(Examples.Value.All.Select(s => s is ModelSpec m && m.Name == "fraud-detector" ? m with { Spec = m.Spec with { Batch = edit(m.Spec.Batch) } } : s));

    public sealed class TheRenderMethod
    {
        [Fact]
        public void Should_Render_A_Restricted_CronJob_That_Scores_With_The_Served_Version_When_The_Model_Declares_Batch()
        {
            // Given: prod serves the example fraud model, whose spec.batch runs in prod
            var specs = Examples.Value;

            // When
            var result = Renderer.Render(specs, "prod", Served(specs, "prod"), Commit);

            // Then
            Assert.Empty(result.Diagnostics);
            var cronJob = Assert.Single(CronJobs(result));
            GoldenFile.AssertMatches(Path.Combine(Fixtures, "prod-cronjob.yaml"), YamlWriter.WriteStream([cronJob]));
            var spec = cronJob["spec"]!;
            Assert.Equal("30 2 * * *", spec["schedule"]!.ToString());
            Assert.Equal("Forbid", spec["concurrencyPolicy"]!.ToString());
            Assert.Empty(PodSecurityAdmission.Check(cronJob, PodSecurityLevels.Restricted));
            var deployment = result.Objects.Single(o => o["kind"]!.ToString() == "Deployment" && o["metadata"]!["name"]!.ToString() == "fraud-detector-stable");
            var pod = PodSecurityAdmission.PodTemplate(cronJob)!["spec"]!;
            var servingPod = PodSecurityAdmission.PodTemplate(deployment)!["spec"]!;
            // The model arrives exactly as the serving pods get it, under the same pod security context.
            Assert.True(JsonNode.DeepEquals(servingPod["initContainers"], pod["initContainers"]));
            Assert.True(JsonNode.DeepEquals(servingPod["securityContext"], pod["securityContext"]));
            var score = pod["containers"]![0]!;
            Assert.Equal(servingPod["containers"]![0]!["image"]!.ToString(), score["image"]!.ToString());
            Assert.True(JsonNode.DeepEquals(servingPod["containers"]![0]!["securityContext"], score["securityContext"]));
            var args = score["args"]!.AsArray().Select(a => a!.ToString()).ToList();
            Assert.Equal("score", args[0]);
            Assert.Equal(deployment["metadata"]!["labels"]![ManagedLabels.Version]!.ToString(), args[args.IndexOf("--version") + 1]);
            Assert.Equal("https://data.ml.example.com/transactions/{date}.csv", args[args.IndexOf("--input") + 1]);
            Assert.Equal("skip", args[args.IndexOf("--on-error") + 1]);
            Assert.Equal("100", args[args.IndexOf("--max-errors") + 1]);
            var labels = cronJob["metadata"]!["labels"]!;
            Assert.Equal(ManagedLabels.ManagedByValue, labels[ManagedLabels.ManagedBy]!.ToString());
            Assert.Equal("prod", labels[ManagedLabels.Environment]!.ToString());
            Assert.Equal("fraud-detector", labels[ManagedLabels.Model]!.ToString());
        }

        [Theory]
        [InlineData("prod", false, false)]
        [InlineData("staging", true, false)]
        [InlineData("local", true, true)]
        public void Should_Render_No_CronJob_When_Nothing_Is_Served_Or_Batch_Does_Not_Run_In_The_Environment(string env, bool served, bool everywhere)
        {
            // Given: the example's batch runs in prod only (or, everywhere, in every environment), never in a local one
            var specs = everywhere ? WithBatch(b => b! with { Environments = [] }) : Examples.Value;

            // When
            var result = Renderer.Render(specs, env, served ? Served(specs, env) : RegistryFacts.Empty, Commit);

            // Then
            Assert.Empty(CronJobs(result));
        }

        [Fact]
        public void Should_Render_The_CronJob_In_Every_Served_Environment_When_Batch_Names_None()
        {
            // Given
            var specs = WithBatch(b => b! with { Environments = [] });

            // When
            var result = Renderer.Render(specs, "staging", Served(specs, "staging"), Commit);

            // Then
            Assert.Single(CronJobs(result));
        }

        [Fact]
        public void Should_Render_A_Network_Policy_For_The_Batch_Pods_When_The_Environment_Asks_For_Them()
        {
            // Given
            var specs = Examples.Value;

            // When
            var result = Renderer.Render(specs, "prod", Served(specs, "prod"), Commit);

            // Then: nothing may connect to the batch pods; they reach DNS and the egress endpoints
            var policy = result.Objects.Single(o => o["kind"]!.ToString() == ManagedKinds.NetworkPolicy.Kind && o["metadata"]!["name"]!.ToString() == "fraud-detector-batch");
            Assert.Equal(ModelRenderer.TrackBatch, policy["spec"]!["podSelector"]!["matchLabels"]![ManagedLabels.Track]!.ToString());
            Assert.Null(policy["spec"]!["ingress"]);
            Assert.NotEmpty(policy["spec"]!["egress"]!.AsArray());
        }
    }

    public sealed class ThePlan
    {
        [Fact]
        public void Should_Prune_The_CronJob_When_Batch_Is_Removed_From_The_Model()
        {
            // Given: the cluster holds what prod rendered with spec.batch
            var specs = Examples.Value;
            var facts = Served(specs, "prod");
            var applied = Renderer.Render(specs, "prod", facts, Commit).Objects;
            var withoutBatch = WithBatch(_ => null);

            // When
            var plan = Planner.Plan("prod", Renderer.Render(withoutBatch, "prod", Served(withoutBatch, "prod"), Commit).Objects, applied);

            // Then
            var deletes = plan.Actions.Where(a => a.Action == ActionKind.Delete).Select(a => $"{a.Key.Kind}/{a.Key.Name}").Order(StringComparer.Ordinal);
            Assert.Equal(["CronJob/fraud-detector-batch", "NetworkPolicy/fraud-detector-batch"], deletes);
        }
    }
}
