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
}
