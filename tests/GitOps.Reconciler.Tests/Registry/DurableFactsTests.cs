using GitOps.Planning.Rendering;
using GitOps.Reconciler.Registry;

namespace GitOps.Reconciler.Tests.Registry;

public sealed class DurableFactsTests
{
    private static readonly RegistryFacts Stored = RegistryFacts.Empty
        .WithTrained("fraud", "v1")
        .WithDeployment("fraud", "prod", new DeploymentFacts("v1", null));

    public sealed class TheCombineMethod
    {
        [Fact]
        public void Should_Keep_The_Stored_Stable_Version_And_Trained_Versions_When_The_Cluster_Shows_None()
        {
            // Given the stable Deployment and the training Job were deleted by hand

            // When
            var facts = DurableFacts.Combine(Stored, RegistryFacts.Empty);

            // Then
            Assert.True(facts.For("fraud").IsTrained("v1"));
            Assert.Equal("v1", facts.For("fraud").In("prod").StableVersion);
        }

        [Fact]
        public void Should_Take_The_Observed_Stable_Version_And_Canary_And_Add_Trained_Versions()
        {
            // Given a rollout finished (v2 stable) and v3 is in canary
            var observed = RegistryFacts.Empty.WithTrained("fraud", "v2").WithTrained("fraud", "v3")
                .WithDeployment("fraud", "prod", new DeploymentFacts("v2", new CanaryFacts("v3", 10)));

            // When
            var facts = DurableFacts.Combine(Stored, observed);

            // Then
            Assert.Equal(["v1", "v2", "v3"], facts.For("fraud").TrainedVersions);
            Assert.Equal(new DeploymentFacts("v2", new CanaryFacts("v3", 10)), facts.For("fraud").In("prod"));
        }

        [Fact]
        public void Should_Not_Bring_Back_A_Canary_That_Is_Gone()
        {
            // Given a canary was stored in the text form (it never is) and the cluster shows only the stable version
            var observed = RegistryFacts.Empty.WithDeployment("fraud", "prod", new DeploymentFacts("v1", null));
            var text = DurableFacts.ToText(Stored.WithDeployment("fraud", "prod", new DeploymentFacts("v1", new CanaryFacts("v2", 50))));

            // When
            var facts = DurableFacts.Combine(DurableFacts.FromText(text), observed);

            // Then
            Assert.Null(facts.For("fraud").In("prod").Canary);
        }
    }

    public sealed class TheTextForm
    {
        [Fact]
        public void Should_Read_Back_What_It_Wrote_With_Sorted_Keys()
        {
            // Given
            var facts = Stored.WithTrained("churn", "c2").WithTrained("churn", "c1");

            // When
            var text = DurableFacts.ToText(facts);

            // Then
            Assert.Equal("""{"models":{"churn":{"trained":["c1","c2"],"stable":{}},"fraud":{"trained":["v1"],"stable":{"prod":"v1"}}}}""", text);
            Assert.Equal(text, DurableFacts.ToText(DurableFacts.FromText(text)));
        }

        [Theory]
        [InlineData("")]
        [InlineData("not json")]
        [InlineData("""{"models":{"fraud":{"trained":[1,{}],"stable":{"prod":2}}}}""")]
        public void Should_Read_Damaged_Text_As_No_Facts_Rather_Than_Fail(string text)
        {
            // Given / When
            var facts = DurableFacts.FromText(text);

            // Then
            Assert.Empty(facts.For("fraud").TrainedVersions);
        }
    }
}
