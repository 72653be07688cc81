using GitOps.Policy;
using GitOps.Testing.Generators;
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
}
