using System.Text.Json;
using GitOps.Specs.Loading;
using GitOps.Specs.Model;
using GitOps.Specs.Tests.Support;
using Xunit;

namespace GitOps.Specs.Tests;

public sealed class SpecSetTests
{
    public sealed class TheLookupMethods
    {
        [Fact]
        public void Should_Find_Each_Kind_By_Name_And_Prefer_The_First_Of_Duplicates()
        {
            // Given
            var specs = SpecLoader.Load(SpecText.Files(
                ("models/a/model.yaml", SpecText.Model("fraud")),
                ("models/b/model.yaml", SpecText.Model("fraud", "description: second")),
                ("environments/prod.yaml", SpecText.Environment("prod")))).Specs;

            // When
            var model = specs.Model("fraud");

            // Then
            Assert.NotNull(model);
            Assert.Equal("models/a/model.yaml", model.Origin.File);
            Assert.Equal("ml-prod", specs.Environment("prod")!.Spec.Namespace);
            Assert.Null(specs.Model("missing"));
            Assert.Null(specs.QualityGate("fraud"));
            Assert.Null(SpecSet.Empty.Environment("prod"));
        }
    }

    public sealed class TheReleaseParseTreesMethod
    {
        private static readonly string[] Paths =
        [
            "", "metadata.name", "spec", "spec.training.resources.gpus", "spec.serving.autoscaling.maxReplicas",
            "spec.environments[1]", "spec.gpuPools[0].pricePerGpuHour", "spec.search.method", "spec.no.such.key",
        ];

        [Fact]
        public void Should_Give_The_Same_Spans_And_Plain_Data_After_The_Trees_Are_Released()
        {
            // Given two loads of the same repository (spans are kept once asked for, so each load is asked once)
            var files = SpecFileReader.Read(Fixtures.Valid);
            var kept = SpecLoader.Load(files).Specs;
            var released = SpecLoader.Load(files).Specs;

            // When
            released.ReleaseParseTrees();

            // Then every document of every kind points at the same places and reads as the same data
            var pairs = kept.All.Zip(released.All).ToList();
            Assert.True(pairs.Count >= 5);
            Assert.Contains(pairs, p => p.First.Origin.DocumentIndex > 0);
            foreach (var (before, after) in pairs)
            {
                Assert.Equal((before.Kind, before.Name), (after.Kind, after.Name));
                Assert.Equal(Paths.Select(before.Origin.Key), Paths.Select(after.Origin.Key));
                Assert.Equal(Paths.Select(before.Origin.Value), Paths.Select(after.Origin.Value));
                Assert.Equal(JsonSerializer.Serialize(before.Origin.Raw), JsonSerializer.Serialize(after.Origin.Raw));
                Assert.NotEmpty(after.Origin.Raw);
            }
        }

        [Fact]
        public void Should_Leave_Specs_Built_In_Memory_As_They_Are()
        {
            // Given
            var specs = SpecSet.From([new ModelSpec(Metadata.Named("m"), SpecOrigin.InMemory("models/m.yaml"), null!)]);

            // When
            specs.ReleaseParseTrees();

            // Then
            Assert.Equal("models/m.yaml:1:1", specs.Models[0].Origin.Key("spec.training").ToString());
        }
    }
}
