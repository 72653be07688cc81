using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class RenderCommandTests
{
    public sealed class TheOutOption : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("gitops-render-out-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        [Fact]
        public async Task Should_Mirror_The_Render_Removing_Stale_Manifests_And_Keeping_Every_Other_File()
        {
            // Given a first render, then a stale manifest of an object that no longer renders and a file of the user's
            var first = await CliRunner.RunAsync("render", RepositoryPaths.Root, "--env", "dev", "--out", _dir);
            Assert.True(first.ExitCode == 0, first.Stderr);
            var folder = Path.Combine(_dir, "dev");
            var manifests = Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal).ToArray();
            Assert.NotEmpty(manifests);
            var stale = Path.Combine(folder, "service-retired-model.yaml");
            File.Copy(manifests[0], stale);
            var notes = Path.Combine(folder, "notes.yaml");
            await File.WriteAllTextAsync(notes, "owner: payments\n");

            // When
            var again = await CliRunner.RunAsync("render", RepositoryPaths.Root, "--env", "dev", "--out", _dir);

            // Then
            Assert.True(again.ExitCode == 0, again.Stderr);
            Assert.False(File.Exists(stale));
            Assert.Contains($"removed {stale}", again.Stdout);
            Assert.Equal("owner: payments\n", await File.ReadAllTextAsync(notes));
            Assert.Contains($"kept {notes}: not a manifest rendered by gitops", again.Stdout);
            Assert.Equal(manifests, Directory.GetFiles(folder, "*.yaml").Where(f => f != notes).Order(StringComparer.Ordinal));
        }

        [Theory]
        [InlineData("environments")]
        [InlineData("models/fraud-detector")]
        [InlineData("policies/gates/..")]
        public async Task Should_Refuse_A_Folder_Inside_The_Spec_Folders_And_Touch_Nothing(string under)
        {
            // Given a copy of the example repository
            var repo = Path.Combine(_dir, "repo");
            foreach (var folder in new[] { "environments", "models", "policies" })
            {
                CopyTree(Path.Combine(RepositoryPaths.Root, folder), Path.Combine(repo, folder));
            }
            var before = Snapshot(repo);

            // When
            var result = await CliRunner.RunAsync("render", repo, "--env", "dev", "--out", Path.Combine(repo, under));

            // Then
            Assert.True(result.ExitCode == 2, result.Stdout + result.Stderr);
            Assert.Contains("inside the spec folder", result.Stderr);
            Assert.Contains("Pass a folder outside environments/, models/ and policies/", result.Stderr);
            Assert.Equal(before, Snapshot(repo));
        }

        private static void CopyTree(string from, string to)
        {
            foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(to, Path.GetRelativePath(from, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }

        private static Dictionary<string, string> Snapshot(string root) =>
            Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText);
    }
}
