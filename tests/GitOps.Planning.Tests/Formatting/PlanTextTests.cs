using GitOps.Planning.Formatting;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;

namespace GitOps.Planning.Tests.Formatting;

public sealed class PlanTextTests
{
    public sealed class TheFormatMethod
    {
        [Fact]
        public void Should_Colour_Only_When_Asked()
        {
            // Given
            var plan = EnvironmentPlanner.Plan(TestSpecs.Repository(), ["staging"], RegistryFacts.Empty, new RenderContext("abc1234"), []);

            // When
            var plain = PlanText.Format(plan);
            var coloured = PlanText.Format(plan, colour: true);

            // Then
            Assert.DoesNotContain("\u001b[", plain);
            Assert.Contains("\u001b[32m", coloured);
            Assert.Equal(plain, System.Text.RegularExpressions.Regex.Replace(coloured, "\u001b\\[[0-9]+m", ""));
        }

        [Fact]
        public void Should_Print_Errors_Instead_Of_A_Plan_When_Render_Fails()
        {
            // Given
            var plan = EnvironmentPlanner.Plan(TestSpecs.Repository(), ["qa"], RegistryFacts.Empty, new RenderContext("abc1234"), []);

            // When
            var text = PlanText.Format(plan);

            // Then
            Assert.True(plan.HasErrors);
            Assert.Contains("GITOPS0601", text);
            Assert.Contains("not planned", text);
        }
    }
}
