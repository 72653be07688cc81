using System.Text;
using GitOps.Reconciler.Webhooks;

namespace GitOps.Reconciler.Tests.Webhooks;

public sealed class GitHubWebhookSignatureTests
{
    private const string Secret = "It's a Secret to Everybody";

    public sealed class TheVerifyMethod
    {
        [Fact]
        public void Should_Accept_The_Signature_From_GitHubs_Documentation()
        {
            // Given: the example published in GitHub's "Validating webhook deliveries" guide
            var body = Encoding.UTF8.GetBytes("Hello, World!");
            const string header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

            // When
            var result = GitHubWebhookSignature.Verify(body, header, Secret);

            // Then
            Assert.Equal(WebhookSignatureResult.Valid, result);
        }

        [Fact]
        public void Should_Reject_A_Signature_Made_With_Another_Secret()
        {
            // Given
            var body = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\"}");
            var header = GitHubWebhookSignature.Compute(body, "another secret");

            // When
            var result = GitHubWebhookSignature.Verify(body, header, Secret);

            // Then
            Assert.Equal(WebhookSignatureResult.Mismatch, result);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("   ")]
        public void Should_Report_Missing_When_The_Header_Is_Absent(string? header)
        {
            // Given
            var body = Encoding.UTF8.GetBytes("{}");

            // When
            var result = GitHubWebhookSignature.Verify(body, header, Secret);

            // Then
            Assert.Equal(WebhookSignatureResult.Missing, result);
        }

        [Theory]
        [InlineData("sha1=0123456789abcdef0123456789abcdef01234567")]
        [InlineData("sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
        [InlineData("sha256=757107ea")]
        public void Should_Report_Malformed_Headers(string header)
        {
            // Given
            var body = Encoding.UTF8.GetBytes("Hello, World!");

            // When
            var result = GitHubWebhookSignature.Verify(body, header, Secret);

            // Then
            Assert.Equal(WebhookSignatureResult.Malformed, result);
        }

        [Fact]
        public void Should_Reject_When_The_Body_Was_Altered_After_Signing()
        {
            // Given
            var signed = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\",\"after\":\"abc\"}");
            var header = GitHubWebhookSignature.Compute(signed, Secret);
            var altered = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\",\"after\":\"abd\"}");

            // When
            var result = GitHubWebhookSignature.Verify(altered, header, Secret);

            // Then
            Assert.Equal(WebhookSignatureResult.Mismatch, result);
            Assert.True(GitHubWebhookSignature.IsValid(signed, header, Secret));
        }

        [Fact]
        public void Should_Accept_Uppercase_Hex_Digits()
        {
            // Given
            var body = Encoding.UTF8.GetBytes("payload");
            var header = "sha256=" + GitHubWebhookSignature.Compute(body, Secret)["sha256=".Length..].ToUpperInvariant();

            // When
            var result = GitHubWebhookSignature.Verify(body, header, Secret);

            // Then
            Assert.Equal(WebhookSignatureResult.Valid, result);
        }
    }
}
