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

    public sealed class TheSanitizeMethod
    {
        [Theory]
        [InlineData("fraud-detector")]
        [InlineData("m0")]
        [InlineData("a-b-c-1")]
        public void Should_Return_A_Name_That_Needs_Nothing_As_It_Is(string name)
        {
            Assert.Same(name, ResourceNames.Sanitize(name));
        }

        [Theory]
        [InlineData("-fraud")]
        [InlineData("fraud-")]
        [InlineData("fraud--detector")]
        [InlineData("Fraud")]
        [InlineData("fraud_detector")]
        [InlineData("")]
        public void Should_Change_A_Name_That_Is_Not_Quite_Valid(string name)
        {
            // When
            var sanitized = ResourceNames.Sanitize(name);

            // Then: valid, and never the input unchanged (each of these needs a change)
            Assert.True(ResourceNames.IsValid(sanitized), sanitized);
            Assert.NotEqual(name, sanitized);
        }

        [Fact]
        public void Should_Shorten_A_Valid_Name_Longer_Than_The_Limit_Asked_For()
        {
            // Given
            var name = new string('a', 30);

            // When
            var sanitized = ResourceNames.Sanitize(name, maxLength: 20);

            // Then
            Assert.Equal(20, sanitized.Length);
            Assert.True(ResourceNames.IsValid(sanitized), sanitized);
        }
    }
}
