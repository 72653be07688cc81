using System.Text;
using System.Text.Json;
using GitOps.Reconciler.Webhooks;
using GitOps.Testing.FakeGitHub;
using Octokit.Webhooks.Events;

namespace GitOps.Reconciler.Tests.Webhooks;

public sealed class WebhookPayloadsTests
{
    public sealed class TheReadPushMethod
    {
        [Fact]
        public void Should_Read_The_Ref_And_Head_Commit_When_GitHub_Sends_A_Complete_Push()
        {
            // Given a payload complete enough for Octokit.Webhooks' own strict reading
            var body = Encoding.UTF8.GetBytes(GitHubPushPayload.Create("main", after: "6113728f27ae82c7b1a177c8d03f9e96e0adf246"));
            Assert.NotNull(JsonSerializer.Deserialize<PushEvent>(body));

            // When
            var push = WebhookPayloads.ReadPush(body);

            // Then
            Assert.NotNull(push);
            Assert.Equal("refs/heads/main", push.Ref);
            Assert.Equal("6113728f27ae82c7b1a177c8d03f9e96e0adf246", push.After);
            Assert.Equal("acme/ml-platform", push.Repository?.FullName);
            Assert.Equal("models/fraud: raise the AUC gate to 0.86", push.HeadCommit?.Message);
        }

        [Fact]
        public void Should_Read_The_Ref_When_A_Server_Leaves_Out_Fields_GitHub_Always_Sends()
        {
            // Given no compare, commits nor pusher: the strict reading refuses it
            var body = """{"ref":"refs/heads/main","before":"0000000000000000000000000000000000000001","after":"0123456789abcdef0123456789abcdef01234567"}"""u8.ToArray();
            Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PushEvent>(body));

            // When
            var push = WebhookPayloads.ReadPush(body);

            // Then
            Assert.Equal("refs/heads/main", push?.Ref);
        }

        [Theory]
        [InlineData("ref=refs/heads/main")]
        [InlineData("""[{"ref":"refs/heads/main"}]""")]
        [InlineData("""{"ref":42}""")]
        public void Should_Return_Null_When_The_Body_Is_No_Push_Event(string text)
        {
            // When
            var push = WebhookPayloads.ReadPush(Encoding.UTF8.GetBytes(text));

            // Then
            Assert.Null(push);
        }
    }
}
