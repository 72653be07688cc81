using System.Text.Json;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class VersionCommandTests
{
    public sealed class TheVersionCommand
    {
        [Fact]
        public async Task Should_Report_Version_Runtime_And_Onnx_Runtime_As_Json()
        {
            // Given / When
            var result = await CliRunner.RunAsync("version", "-o", "json");

            // Then
            Assert.Equal(0, result.ExitCode);
            using var json = JsonDocument.Parse(result.Stdout);
            var root = json.RootElement;
            Assert.Matches(@"^\d+\.\d+\.\d+", root.GetProperty("version").GetString());
            Assert.Contains(".NET", root.GetProperty("runtime").GetString());
            Assert.Matches(@"^\d+\.\d+", root.GetProperty("onnxRuntime").GetString());
            Assert.Contains("CPUExecutionProvider", root.GetProperty("executionProviders").EnumerateArray().Select(p => p.GetString()));
        }

        [Fact]
        public async Task Should_Print_The_Same_Facts_As_Text()
        {
            // Given / When
            var text = await CliRunner.RunAsync("version");
            var json = await CliRunner.RunAsync("version", "-o", "json");

            // Then
            using var doc = JsonDocument.Parse(json.Stdout);
            Assert.StartsWith($"gitops {doc.RootElement.GetProperty("version").GetString()}", text.Stdout);
            Assert.Contains(doc.RootElement.GetProperty("onnxRuntime").GetString()!, text.Stdout);
        }
    }
}
