using GitOps.Policy;
using GitOps.Specs;
using GitOps.Testing.Generators;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed class GeneratedRepositoryTests
{
    public sealed class TheGenerator
    {
        [Fact]
        public void Should_Produce_A_Repository_That_Validates_Clean()
        {
            // Given the repository the benchmarks measure
            var files = SyntheticRepository.Generate(models: 120, environments: 3);

            // When
            var result = RepositoryValidator.Validate(files);

            // Then
            Assert.True(result.Diagnostics.IsEmpty, string.Join("\n", result.Diagnostics.Take(10)));
            Assert.Equal(120, result.Specs.Models.Length);
            Assert.Equal(3, result.Specs.Environments.Length);
        }

        [Fact]
        public void Should_Be_Deterministic_And_Change_Only_The_Chosen_Model()
        {
            // Given
            var a = SyntheticRepository.Generate(models: 20);
            var b = SyntheticRepository.Generate(models: 20, changedModel: 7);

            // When
            var differing = a.Zip(b).Where(p => !p.First.Content.SequenceEqual(p.Second.Content)).Select(p => p.First.Path).ToList();

            // Then
            Assert.Equal(["models/model-00007/model.yaml"], differing);
            Assert.True(a.Zip(SyntheticRepository.Generate(models: 20)).All(p => p.First.Content.SequenceEqual(p.Second.Content)));
        }
    }
    public sealed class TheExampleModelClones
    {
        [Fact]
        public void Should_Validate_Clean_With_Every_Model_Unique_And_Served_In_Three_Environments_When_Built_From_The_Examples()
        {
            // Given the 2,000-model repository the validate and plan benchmarks measure against their peer
            var files = ExampleModelClones.Generate(RepositoryPaths.Root, models: 2000);

            // When
            var result = RepositoryValidator.Validate(RepositoryFiles.Select(files));

            // Then
            Assert.True(result.Diagnostics.IsEmpty, string.Join("\n", result.Diagnostics.Take(10)));
            Assert.Equal(2000, result.Specs.Models.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(ExampleModelClones.Environments.Order(StringComparer.Ordinal), result.Specs.Environments.Select(e => e.Name));
            Assert.All(result.Specs.Models, m => Assert.Equal(ExampleModelClones.Environments, m.Spec.Environments));
            Assert.Contains(files, f => f.Path == "README.md");
            Assert.Contains(files, f => f.Path == ".github/workflows/gitops.yaml");
        }

        [Fact]
        public void Should_Read_Every_Spec_File_From_Disk_In_Path_Order_When_There_Are_Hundreds()
        {
            // Given the clones written to a folder, beside the README and CI files a repository has
            var files = ExampleModelClones.Generate(RepositoryPaths.Root, models: 300);
            var dir = Directory.CreateTempSubdirectory("gitops-clones-");
            try
            {
                foreach (var file in files)
                {
                    var path = Path.Combine(dir.FullName, file.Path);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllBytes(path, file.Content);
                }

                // When they are read back
                var read = SpecFileReader.Read(dir.FullName);

                // Then every spec file comes back whole, in path order, and validates as the files in memory do
                var expected = RepositoryFiles.Select(files).OrderBy(f => f.Path, Comparer<string>.Create(RepositoryFiles.ComparePaths)).ToList();
                Assert.True(expected.Count > 300);
                Assert.Equal(expected.Select(f => f.Path), read.Select(f => f.Path));
                Assert.All(expected.Zip(read), p => Assert.Equal(p.First.Content, p.Second.Content));
                Assert.Equal(RepositoryValidator.Validate(expected).Specs.Models.Length, RepositoryValidator.Validate(read).Specs.Models.Length);
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }

        [Fact]
        public void Should_Refuse_To_Clone_When_The_Example_No_Longer_Has_The_Expected_Shape()
        {
            // Given an example whose environments line was reworded
            var text = File.ReadAllText(RepositoryPaths.Combine("models", "fraud-detector", "model.yaml"))
                .Replace("environments: [dev, staging, prod, local]", "environments: [dev, prod]", StringComparison.Ordinal);

            // When
            var error = Assert.Throws<InvalidOperationException>(() => ExampleModelClones.Clone("fraud-detector", text, "fraud-detector-0000"));

            // Then
            Assert.Contains("environments: [dev, staging, prod, local]", error.Message, StringComparison.Ordinal);
        }
    }
}
