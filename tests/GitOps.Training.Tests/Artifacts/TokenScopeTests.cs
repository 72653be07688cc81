using GitOps.Training.Artifacts;

namespace GitOps.Training.Tests.Artifacts;

public sealed class TokenScopeTests
{
    public sealed class TheAllowsMethod
    {
        [Theory]
        [InlineData("https://store.example/models/fraud/1/model.onnx", true)]
        [InlineData("https://STORE.example:443/data/rows.csv", true)]
        [InlineData("http://store.example/models/fraud/1/model.onnx", false)]
        [InlineData("https://store.example:8443/models/x", false)]
        [InlineData("https://data.example/rows.csv", false)]
        [InlineData("https://store.example.evil.test/rows.csv", false)]
        [InlineData("s3://store.example/rows.csv", false)]
        [InlineData("/tmp/rows.csv", false)]
        [InlineData("not a uri", false)]
        public void Should_Allow_Only_The_Origin_Of_The_Store(string uri, bool allowed)
        {
            // Given
            var scope = TokenScope.Store("https://store.example/models");

            // When
            var result = scope.Allows(uri);

            // Then
            Assert.Equal(allowed, result);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("s3://bucket/models")]
        [InlineData("/var/lib/gitops/store")]
        [InlineData("file:///var/lib/gitops/store")]
        public void Should_Allow_Nowhere_When_The_Store_Is_Not_An_Http_Store(string? store)
        {
            // Given
            var scope = TokenScope.Store(store);

            // When
            var result = scope.Allows("https://store.example/rows.csv");

            // Then
            Assert.False(result);
        }

        [Fact]
        public void Should_Allow_Every_Uri_When_The_Command_Names_The_Store_Itself()
        {
            // When
            var result = TokenScope.AnyUri.Allows("https://anywhere.example/x");

            // Then
            Assert.True(result);
        }
    }
}
