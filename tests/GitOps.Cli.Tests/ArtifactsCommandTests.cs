using System.Security.Cryptography;
using GitOps.Specs.Contracts;
using GitOps.Testing.Artifacts;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class ArtifactsCommandTests
{
    public sealed class TheArtifactsCommand : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("gitops-artifacts-cli-").FullName;

        public void Dispose() => Directory.Delete(_root, recursive: true);

        [Fact]
        public async Task Should_Push_A_Directory_And_Fetch_The_Model_Back_With_Its_Digest()
        {
            // Given
            var output = Path.Combine(_root, "output");
            Directory.CreateDirectory(output);
            File.WriteAllText(Path.Combine(output, "model.onnx"), "model");
            File.WriteAllText(Path.Combine(output, "metrics.json"), "{}");
            var store = new Uri(Path.Combine(_root, "store")).AbsoluteUri + "/fraud/abc";
            var sha = Convert.ToHexStringLower(SHA256.HashData("model"u8));

            // When
            var push = await CliRunner.RunAsync("artifacts", "push", "--from", output, "--uri", store);
            var fetch = await CliRunner.RunAsync("artifacts", "fetch", "--uri", store + "/model.onnx",
                "--out", Path.Combine(_root, "models", "model.onnx"), "--sha256", sha);

            // Then
            Assert.Equal(0, push.ExitCode);
            Assert.Equal(2, push.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Equal(0, fetch.ExitCode);
            Assert.Contains(sha, fetch.Stdout);
            Assert.Equal("model", File.ReadAllText(Path.Combine(_root, "models", "model.onnx")));
        }

        [Fact]
        public async Task Should_Send_The_Token_Read_From_The_Mounted_File_When_The_Token_File_Variable_Names_One()
        {
            // Given a store that requires a token, the token in a file (as a Secret volume mounts it) and a stale variable
            const string token = "artifact-store-token-0123456789";
            using var server = new ArtifactHttpServer(token);
            var tokenFile = Path.Combine(_root, "token");
            File.WriteAllText(tokenFile, token + "\n");
            var output = Path.Combine(_root, "output");
            Directory.CreateDirectory(output);
            File.WriteAllText(Path.Combine(output, "model.onnx"), "model");
            var variables = new Dictionary<string, string>
            {
                [TrainingContract.ArtifactsTokenFile] = tokenFile,
                [TrainingContract.ArtifactsToken] = "an-older-token",
            };

            // When
            var push = await CliRunner.RunWithVariablesAsync(variables, "artifacts", "push", "--from", output, "--uri", server.BaseUri + "/fraud/abc");
            var fetch = await CliRunner.RunWithVariablesAsync(variables, "artifacts", "fetch", "--uri", server.BaseUri + "/fraud/abc/model.onnx",
                "--out", Path.Combine(_root, "fetched.onnx"));
            var refused = await CliRunner.RunWithVariablesAsync(new Dictionary<string, string> { [TrainingContract.ArtifactsToken] = "an-older-token" },
                "artifacts", "fetch", "--uri", server.BaseUri + "/fraud/abc/model.onnx", "--out", Path.Combine(_root, "refused.onnx"));

            // Then
            Assert.True(push.ExitCode == 0, push.Stderr);
            Assert.True(fetch.ExitCode == 0, fetch.Stderr);
            Assert.Equal("model", File.ReadAllText(Path.Combine(_root, "fetched.onnx")));
            Assert.NotEqual(0, refused.ExitCode);
            Assert.DoesNotContain(token, push.Stdout + push.Stderr + fetch.Stdout + fetch.Stderr + refused.Stdout + refused.Stderr);
        }

        [Fact]
        public async Task Should_Exit_2_Naming_The_File_When_The_Token_File_Cannot_Be_Read()
        {
            // Given
            var missing = Path.Combine(_root, "no-such-token");

            // When
            var result = await CliRunner.RunWithVariablesAsync(new Dictionary<string, string> { [TrainingContract.ArtifactsTokenFile] = missing },
                "artifacts", "fetch", "--uri", "http://127.0.0.1:9/fraud/abc/model.onnx", "--out", Path.Combine(_root, "m.onnx"));

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"cannot read the artifact store token file {missing} ({TrainingContract.ArtifactsTokenFile})", result.Stderr);
        }

        [Fact]
        public async Task Should_Exit_2_And_Name_The_Supported_Schemes_For_A_Gcs_Uri()
        {
            // When
            var result = await CliRunner.RunAsync("artifacts", "fetch", "--uri", "gs://bucket/fraud/abc/model.onnx", "--out", Path.Combine(_root, "m.onnx"));

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("scheme 'gs' is not supported", result.Stderr);
            Assert.Contains("https://", result.Stderr);
        }

        [Fact]
        public async Task Should_Exit_1_When_The_Version_Was_Not_Published()
        {
            // When
            var result = await CliRunner.RunAsync("artifacts", "fetch", "--uri", Path.Combine(_root, "store", "model.onnx"), "--out", Path.Combine(_root, "m.onnx"));

            // Then
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("was the version trained?", result.Stderr);
        }
    }
}
