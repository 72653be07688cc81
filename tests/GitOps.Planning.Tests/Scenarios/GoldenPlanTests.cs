using GitOps.Planning.Diff;
using GitOps.Planning.Formatting;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;
using GitOps.Specs;
using GitOps.Specs.Model;
using GitOps.Testing;
using GitOps.Testing.Golden;

namespace GitOps.Planning.Tests.Scenarios;

public sealed class GoldenPlanTests
{
    private static string TestData => RepositoryPaths.Combine("tests", "GitOps.Planning.Tests", "testdata");

    public static TheoryData<string> Cases() => [.. PlanScenarios.All.Select(s => s.Name)];

    private static (RepositoryPlan Plan, string Dir) PlanCase(string name)
    {
        var scenario = PlanScenarios.All.Single(s => s.Name == name);
        var dir = Path.Combine(TestData, "plan", name);
        var livePath = Path.Combine(dir, "live.yaml");
        if (GoldenFile.Updating)
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(livePath, YamlWriter.WriteStream(scenario.Live()));
        }
        var live = LiveState.Parse(File.ReadAllText(livePath), livePath);
        Assert.Empty(live.Diagnostics);
        var specs = LoadRepository(dir);
        var facts = ObservedFacts.From(live.Objects);
        var plan = EnvironmentPlanner.Plan(specs, specs.Environments.Select(e => e.Name), facts,
            new RenderContext("4b7e9c2"), live.Objects);
        return (plan, dir);
    }

    /// <summary>The case's specs, read and validated from its <c>repo/</c> tree exactly as <c>gitops plan</c> reads them.</summary>
    private static SpecSet LoadRepository(string dir)
    {
        var load = SpecValidator.Validate(SpecFileReader.Read(Path.Combine(dir, "repo")));
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        return load.Specs;
    }

    public sealed class ThePlanFormats
    {
        [Theory]
        [MemberData(nameof(Cases), MemberType = typeof(GoldenPlanTests))]
        public void Should_Match_The_Expected_Plan_In_Every_Format(string name)
        {
            // Given / When
            var (plan, dir) = PlanCase(name);

            // Then
            GoldenFile.AssertMatches(Path.Combine(dir, "plan.txt"), PlanText.Format(plan));
            GoldenFile.AssertMatches(Path.Combine(dir, "plan.md"), PlanMarkdown.Format(plan));
            GoldenFile.AssertMatches(Path.Combine(dir, "plan.json"), PlanJson.Format(plan));
        }

        [Theory]
        [MemberData(nameof(Cases), MemberType = typeof(GoldenPlanTests))]
        public void Should_Write_The_Expected_Text_One_Environment_At_A_Time(string name)
        {
            // Given
            var dir = Path.Combine(TestData, "plan", name);
            var live = LiveState.Parse(File.ReadAllText(Path.Combine(dir, "live.yaml"))).Objects;
            var specs = LoadRepository(dir);
            var writer = new StringWriter();

            // When: as `gitops plan` writes its text, each environment planned only when the previous one is written
            PlanText.WriteHeader(writer, "4b7e9c2");
            var hasChanges = false;
            foreach (var environment in EnvironmentPlanner.InPlanOrder(specs.Environments.Select(e => e.Name).Reverse()))
            {
                var env = EnvironmentPlanner.PlanEnvironment(specs, environment, ObservedFacts.From(live), new RenderContext("4b7e9c2"), live);
                PlanText.WriteEnvironment(writer, env);
                hasChanges |= env.Plan.HasChanges;
            }
            PlanText.WriteFooter(writer, hasChanges);

            // Then
            Assert.Equal(File.ReadAllText(Path.Combine(dir, "plan.txt")).ReplaceLineEndings("\n"), writer.ToString());
        }

        [Theory]
        [MemberData(nameof(Cases), MemberType = typeof(GoldenPlanTests))]
        public void Should_Converge_After_Applying_The_Plan(string name)
        {
            // Given
            var (plan, dir) = PlanCase(name);
            var live = LiveState.Parse(File.ReadAllText(Path.Combine(dir, "live.yaml"))).Objects;
            var specs = LoadRepository(dir);

            // When
            IReadOnlyList<System.Text.Json.Nodes.JsonObject> state = live;
            foreach (var env in plan.Environments)
            {
                state = InMemoryApply.Apply(env.Plan, state, Clusters.Now);
            }
            var second = EnvironmentPlanner.Plan(specs, specs.Environments.Select(e => e.Name),
                ObservedFacts.From(live), new RenderContext("4b7e9c2"), state);

            // Then
            Assert.False(second.HasChanges);
        }
    }

    public sealed class TheScenarios
    {
        [Theory]
        [MemberData(nameof(Cases), MemberType = typeof(GoldenPlanTests))]
        public void Should_Describe_The_Same_Repository_In_Yaml_And_In_Code(string name)
        {
            // Given
            var scenario = PlanScenarios.All.Single(s => s.Name == name);
            var yaml = LoadRepository(Path.Combine(TestData, "plan", name));

            // When
            var fromYaml = EnvironmentPlanner.Plan(yaml, ["staging", "prod"], Clusters.AllServed(scenario.Specs), new RenderContext("c"), []);
            var fromCode = EnvironmentPlanner.Plan(scenario.Specs, ["staging", "prod"], Clusters.AllServed(scenario.Specs), new RenderContext("c"), []);

            // Then
            Assert.Equal(PlanJson.Format(fromCode), PlanJson.Format(fromYaml));
            Assert.Equal(PlanText.Format(fromCode), PlanText.Format(fromYaml));
        }

        [Theory]
        [MemberData(nameof(Cases), MemberType = typeof(GoldenPlanTests))]
        public void Should_Plan_The_Same_When_Files_And_Live_Documents_Come_In_Another_Order(string name)
        {
            // Given
            var dir = Path.Combine(TestData, "plan", name);
            var files = SpecFileReader.Read(Path.Combine(dir, "repo"));
            var live = LiveState.Parse(File.ReadAllText(Path.Combine(dir, "live.yaml"))).Objects;
            var reversedSpecs = SpecValidator.Validate(files.Reverse()).Specs;
            var reversedLive = LiveState.Parse(YamlWriter.WriteStream(live.Reverse())).Objects;

            // When
            var expected = PlanCase(name).Plan;
            var actual = EnvironmentPlanner.Plan(reversedSpecs, reversedSpecs.Environments.Select(e => e.Name),
                ObservedFacts.From(reversedLive), new RenderContext("4b7e9c2"), reversedLive);

            // Then
            Assert.Equal(PlanText.Format(expected), PlanText.Format(actual));
            Assert.Equal(PlanJson.Format(expected), PlanJson.Format(actual));
            Assert.Equal(PlanMarkdown.Format(expected), PlanMarkdown.Format(actual));
        }

        [Fact]
        public void Should_Have_An_Empty_Plan_When_Nothing_Changed()
        {
            Assert.False(PlanCase("unchanged").Plan.HasChanges);
        }

        [Fact]
        public void Should_Train_In_Staging_Only_And_Fail_Prod_Until_Staging_Serves_The_Version_When_A_Hyperparameter_Changes()
        {
            // When
            var (plan, _) = PlanCase("hyperparameter-change");

            // Then staging trains the new version and rolls it out
            var staging = plan.Environments.Single(e => e.Environment == "staging");
            var create = Assert.Single(staging.Plan.Changes);
            Assert.Equal(("Job", ActionKind.Create), (create.Key.Kind, create.Action));
            var training = Assert.Single(staging.Summary.Training);
            Assert.Equal((1, "a100", 7.34m), (training.Gpus, training.Pool, training.EstimatedCost));
            Assert.Single(staging.Summary.Rollouts);

            // and prod, which promotes from staging, trains nothing: the plan is an error while staging serves another version
            var prod = plan.Environments.Single(e => e.Environment == "prod");
            Assert.Empty(prod.Plan.Changes);
            Assert.Empty(prod.Summary.Training);
            var error = Assert.Single(prod.Diagnostics, d => d.Id == PlanningDiagnostics.PromotionNotReady);
            Assert.True(error.IsError);
            Assert.Contains("but staging does not serve it as stable", error.Message, StringComparison.Ordinal);
            Assert.Equal("environments/prod/environment.yaml", error.Span.File);
        }

        [Fact]
        public void Should_Prune_Every_Object_Of_A_Removed_Model()
        {
            // When
            var (plan, _) = PlanCase("model-removed");

            // Then
            var staging = plan.Environments.Single(e => e.Environment == "staging");
            Assert.All(staging.Plan.Changes, a => Assert.Equal(ActionKind.Delete, a.Action));
            Assert.NotEmpty(staging.Plan.Changes);
            Assert.Contains(staging.Summary.Models, m => m is { Model: "churn-predictor", Change: "removed" });
        }

        [Fact]
        public void Should_Leave_A_Foreign_Object_With_The_Same_Name_Untouched()
        {
            // When
            var (plan, _) = PlanCase("foreign-object-same-name");

            // Then
            var staging = plan.Environments.Single(e => e.Environment == "staging");
            Assert.Equal("churn-predictor-model", Assert.Single(staging.Plan.Conflicts).Key.Name);
            Assert.DoesNotContain(staging.Plan.Actions, a => a.Key.Name == "churn-predictor-model");
        }

        [Fact]
        public void Should_Show_Hand_Edits_As_Updates()
        {
            // When
            var (plan, _) = PlanCase("drift-edited-by-hand");

            // Then
            var prod = plan.Environments.Single(e => e.Environment == "prod");
            Assert.Equal(2, prod.Plan.Changes.Count());
            Assert.All(prod.Plan.Changes, a => Assert.StartsWith("drift", a.Reason));
        }
    }
}
