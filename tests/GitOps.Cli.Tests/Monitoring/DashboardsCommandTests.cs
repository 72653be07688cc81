using System.Text.Json.Nodes;
using GitOps.Cli.Commands;
using GitOps.Planning.Monitoring.Dashboards;
using GitOps.Policy;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests.Monitoring;

public sealed class DashboardsCommandTests
{
    /// <summary>Where the repository ships the example environments' dashboards as files.</summary>
    private const string Shipped = "platform/deploy/monitoring/dashboards";

    [Fact]
    public async Task Should_Write_One_File_Per_Dashboard_When_Given_An_Out_Folder()
    {
        // Given
        var folder = Directory.CreateTempSubdirectory("gitops-dashboards-cli-").FullName;
        try
        {
            // When
            var result = await CliRunner.RunAsync(["dashboards", "--env", "prod", "--out", folder, RepositoryPaths.Root]);

            // Then the platform's dashboard and one per model served in prod, each valid JSON named by its uid
            Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
            var files = Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(["gitops-platform-prod.json", "gitops-prod-fraud-detector.json", "gitops-prod-ticket-classifier.json"], files);
            foreach (var file in files)
            {
                var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, file!)))!;
                Assert.Equal(file, json["uid"]!.GetValue<string>() + ".json");
                Assert.Contains($"{Path.Combine(folder, file!)}: {json["title"]}\n", result.Stdout, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Should_Print_A_Json_Array_When_No_Folder_Is_Given()
    {
        // When
        var result = await CliRunner.RunAsync(["dashboards", "--env", "staging", RepositoryPaths.Root]);

        // Then
        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
        var titles = JsonNode.Parse(result.Stdout)!.AsArray().Select(d => d!["title"]!.GetValue<string>()).ToList();
        Assert.Equal("GitOps platform (staging)", titles[0]);
        Assert.Contains("Model fraud-detector (staging)", titles);
    }

    [Fact]
    public async Task Should_Suggest_The_Closest_Environment_When_The_Name_Is_Mistyped()
    {
        // When
        var result = await CliRunner.RunAsync(["dashboards", "--env", "prdo", RepositoryPaths.Root]);

        // Then
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("prod", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Should_Match_The_Shipped_Files_When_The_Example_Environments_Are_Generated()
    {
        // Given
        var specs = RepositoryValidator.Validate(RepositoryReader.Read(RepositoryPaths.Root)).Specs;

        // When
        var dashboards = specs.Environments.SelectMany(e => DashboardSet.For(specs, e, leaderElection: e.Spec.Cluster.Local is null)).ToList();

        // Then each is shipped as it is generated (GITOPS_UPDATE_GOLDEN=1 rewrites them), and nothing else is
        foreach (var dashboard in dashboards)
        {
            GoldenFile.AssertMatches($"{Shipped}/{dashboard.FileName}", dashboard.Text);
        }
        var shipped = Directory.GetFiles(RepositoryPaths.Combine(Shipped)).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(dashboards.Select(d => d.FileName).Order(StringComparer.Ordinal), shipped);
    }
}
