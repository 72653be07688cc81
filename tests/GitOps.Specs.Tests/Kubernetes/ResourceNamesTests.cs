using GitOps.Specs.Kubernetes;
using Xunit;

namespace GitOps.Specs.Tests.Kubernetes;

public sealed class ResourceNamesTests
{
    public sealed class TheOfMethod
    {
        [Fact]
        public void Should_Keep_Short_Valid_Names_As_They_Are()
        {
            Assert.Equal("fraud-detector-stable", ResourceNames.Of("fraud-detector", "stable"));
        }

        [Fact]
        public void Should_Truncate_Long_Names_With_A_Hash_That_Keeps_Them_Apart()
        {
            // Given
            var a = new string('m', 70) + "-a";
            var b = new string('m', 70) + "-b";

            // When
            var na = ResourceNames.Of(a, "stable");
            var nb = ResourceNames.Of(b, "stable");

            // Then
            Assert.True(ResourceNames.IsValid(na));
            Assert.True(ResourceNames.IsValid(nb));
            Assert.Equal(63, na.Length);
            Assert.NotEqual(na, nb);
            Assert.Equal(na, ResourceNames.Of(a, "stable"));
        }

        [Fact]
        public void Should_Replace_Invalid_Characters_And_Keep_Distinct_Inputs_Distinct()
        {
            // When
            var dotted = ResourceNames.Of("Fraud.Detector");
            var underscored = ResourceNames.Of("Fraud_Detector");

            // Then
            Assert.True(ResourceNames.IsValid(dotted), dotted);
            Assert.StartsWith("fraud-detector-", dotted);
            Assert.NotEqual(dotted, underscored);
        }
    }
}
