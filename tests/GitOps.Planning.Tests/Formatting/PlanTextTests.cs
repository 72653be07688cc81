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
        public void Should_Mark_Styles_Only_Through_The_Painter_When_One_Is_Given()
        {
            // Given
            var plan = EnvironmentPlanner.Plan(TestSpecs.Repository(), ["staging"], RegistryFacts.Empty, new RenderContext("abc1234"), []);

            // When
            var plain = PlanText.Format(plan);
            var marked = PlanText.Format(plan, (style, text) => $"\u0001{style}\u0002{text}\u0003");

            // Then
            Assert.DoesNotContain("\u0001", plain);
            Assert.Contains("\u0001Added\u0002create", marked);
            Assert.Contains("\u0001Heading\u0002Environment staging\u0003", marked);
            Assert.Equal(plain, System.Text.RegularExpressions.Regex.Replace(marked, "\u0001[A-Za-z]+\u0002|\u0003", ""));
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
