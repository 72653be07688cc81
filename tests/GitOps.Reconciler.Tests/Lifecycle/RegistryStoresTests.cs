using GitOps.Reconciler.Lifecycle;

namespace GitOps.Reconciler.Tests.Lifecycle;

public sealed class RegistryStoresTests
{
    public sealed class TheWithTokensMethod : IDisposable
    {
        private readonly HttpClient _http = new();

        public void Dispose() => _http.Dispose();

        [Fact]
        public void Should_Hand_Out_The_Store_It_Opened_Until_The_Token_Changes()
        {
            // Given an opener whose token for the store is rotated after two passes
            var token = "first-token";
            var open = RegistryStores.WithTokens(_http, _ => (token, null));

            // When
            var first = open("https://artifacts.example.com/prod");
            var again = open("https://artifacts.example.com/prod");
            var other = open("https://artifacts.example.com/staging");
            token = "rotated-token";
            var rotated = open("https://artifacts.example.com/prod");

            // Then
            Assert.Same(first, again);
            Assert.NotSame(first, other);
            Assert.NotSame(first, rotated);
            Assert.Same(rotated, open("https://artifacts.example.com/prod"));
        }

        [Fact]
        public void Should_Fail_With_The_Problem_When_The_Token_Cannot_Be_Had()
        {
            // Given
            var open = RegistryStores.WithTokens(_http, _ => (null, "the Secret ml/artifact-store-token does not exist"));

            // When
            var error = Assert.Throws<GitOps.Registry.Stores.ArtifactStoreException>(() => open("https://artifacts.example.com/prod"));

            // Then
            Assert.Equal("the Secret ml/artifact-store-token does not exist", error.Message);
        }
    }
}
