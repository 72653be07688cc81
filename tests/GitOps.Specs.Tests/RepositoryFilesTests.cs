using Xunit;

namespace GitOps.Specs.Tests;

public sealed class RepositoryFilesTests
{
    public sealed class TheIsSpecFileMethod
    {
        [Theory]
        [InlineData("environments/prod/environment.yaml")]
        [InlineData("models/fraud/model.yml")]
        [InlineData("policies/org.yaml")]
        [InlineData("models/a/b/c/deep.yaml")]
        public void Should_Accept_Yaml_Under_A_Spec_Folder_When_At_Any_Depth(string path)
        {
            // Given a YAML file below environments/, models/ or policies/
            // When
            var isSpec = RepositoryFiles.IsSpecFile(path);

            // Then
            Assert.True(isSpec);
        }

        [Theory]
        [InlineData("README.md")]
        [InlineData("policies/README.md")]
        [InlineData(".github/workflows/ci.yml")]
        [InlineData("docs/schemas/model.schema.json")]
        [InlineData("tests/GitOps.Specs.Tests/testdata/valid/models/fraud/model.yaml")]
        [InlineData("model.yaml")]
        [InlineData("models.yaml")]
        [InlineData("Models/fraud/model.yaml")]
        [InlineData("models/fraud/model.YAML")]
        [InlineData("modelsx/fraud/model.yaml")]
        public void Should_Reject_A_Path_When_It_Is_Not_A_Yaml_File_Under_A_Spec_Folder(string path)
        {
            // Given prose, CI files, JSON, fixtures elsewhere, or names that only look alike
            // When
            var isSpec = RepositoryFiles.IsSpecFile(path);

            // Then
            Assert.False(isSpec);
        }
    }
}
