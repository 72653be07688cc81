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
        [InlineData("models/fraud/model.YAML")]
        [InlineData("models/fraud/model.Yml")]
        [InlineData("policies/org/owners.yAmL")]
        public void Should_Accept_Yaml_Under_A_Spec_Folder_When_At_Any_Depth(string path)
        {
            // Given a YAML file below environments/, models/ or policies/, its extension in any case
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
        [InlineData("models/fraud/model.json")]
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

    public sealed class TheIsCollectedMethod
    {
        [Theory]
        [InlineData("models/fraud/model.yaml", true)]
        [InlineData("models/fraud/model.YML", true)]
        [InlineData("models/fraud/model.json", true)]
        [InlineData("environments/prod/environment.JSON", true)]
        [InlineData("models/fraud/README.md", false)]
        [InlineData("models/fraud/train.py", false)]
        [InlineData("models/fraud/Dockerfile", false)]
        [InlineData("policies/.github/workflows/ci.yml.disabled", false)]
        [InlineData("docs/schemas/model.schema.json", false)]
        public void Should_Collect_Specs_And_Json_A_Spec_May_Be_Written_In_But_Not_Prose_Code_Or_CI_Files(string path, bool expected)
        {
            // Given a path under the repository
            // When
            var collected = RepositoryFiles.IsCollected(path);

            // Then
            Assert.Equal(expected, collected);
        }
    }
}
