using GitOps.Planning.Formatting;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;
using GitOps.Specs.Model;

namespace GitOps.Planning.Tests.Formatting;

public sealed class PlanMarkdownTests
{
    public sealed class TheFormatMethod
    {
        [Fact]
        public void Should_Stay_Under_The_Comment_Limit_With_An_Explicit_Truncation_Note()
        {
            // Given: 150 new models, every one of them served and never deployed
            var models = Enumerable.Range(0, 150).Select(i => (SpecObject)TestSpecs.Model($"model-{i:D3}", ["staging", "prod"]));
            var specs = SpecSet.From([.. TestSpecs.Repository().All.Where(s => s is not ModelSpec), .. models]);
            var facts = Clusters.AllServed(specs);
            var plan = EnvironmentPlanner.Plan(specs, ["staging", "prod"], facts, new RenderContext("abc1234"), []);

            // When
            var markdown = PlanMarkdown.Format(plan);

            // Then
            Assert.True(markdown.Length < PlanMarkdown.MaxLength, $"{markdown.Length} characters");
            Assert.Contains("**Truncated:**", markdown);
            Assert.Contains("| staging |", markdown);
            Assert.Contains("| prod |", markdown);
        }

        [Fact]
        public void Should_Not_Mention_Truncation_When_Everything_Fits()
        {
            // Given
            var specs = TestSpecs.Repository();
            var plan = EnvironmentPlanner.Plan(specs, ["staging"], RegistryFacts.Empty, new RenderContext("abc1234"), []);

            // When
            var markdown = PlanMarkdown.Format(plan);

            // Then
            Assert.DoesNotContain("Truncated", markdown);
            Assert.Contains("<details>", markdown);
        }
    }
}
