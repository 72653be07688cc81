using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class SchemaCommandTests
{
    public sealed class TheSchemaCommand
    {
        [Fact]
        public async Task Should_Write_The_Schemas_Shipped_In_Docs()
        {
            // Given
            var dir = Directory.CreateTempSubdirectory("gitops-schemas-");
            try
            {
                // When
                var result = await CliRunner.RunAsync("schema", "--out", dir.FullName);

                // Then the copies the example specs point their editors at are current
                Assert.Equal(0, result.ExitCode);
                var written = Directory.GetFiles(dir.FullName, "*.schema.json").Select(Path.GetFileName).Order().ToList();
                Assert.Equal(6, written.Count);
                foreach (var name in written)
                {
                    GoldenFile.AssertMatches(Path.Combine("docs", "schemas", name!), File.ReadAllText(Path.Combine(dir.FullName, name!)));
                }
            }
            finally
            {
                dir.Delete(true);
            }
        }

        [Fact]
        public async Task Should_Exit_2_When_The_Folder_Cannot_Be_Written()
        {
            // Given a path below a regular file
            var file = Path.GetTempFileName();
            try
            {
                // When
                var result = await CliRunner.RunAsync("schema", "--out", Path.Combine(file, "schemas"));

                // Then
                Assert.Equal(2, result.ExitCode);
                Assert.DoesNotContain("   at ", result.Stderr);
            }
            finally
            {
                File.Delete(file);
            }
        }

        [Fact]
        public async Task Should_Point_Every_Example_Spec_At_An_Existing_Schema()
        {
            // Given every example spec with an editor schema line
            var specs = new[] { "environments", "models", "policies" }
                .SelectMany(d => Directory.GetFiles(RepositoryPaths.Combine(d), "*.yaml", SearchOption.AllDirectories));

            // When / Then
            foreach (var spec in specs)
            {
                var first = File.ReadLines(spec).First();
                if (!first.StartsWith("# yaml-language-server: $schema=", StringComparison.Ordinal))
                {
                    continue;
                }
                var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(spec)!, first["# yaml-language-server: $schema=".Length..]));
                Assert.True(File.Exists(target), $"{spec} points at {target}, which does not exist");
            }
            await Task.CompletedTask;
        }
    }
}
