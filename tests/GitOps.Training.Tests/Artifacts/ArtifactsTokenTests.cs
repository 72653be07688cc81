using GitOps.Specs.Contracts;
using GitOps.Training.Artifacts;

namespace GitOps.Training.Tests.Artifacts;

public sealed class ArtifactsTokenTests
{
    private static Func<string, string?> Variables(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    public sealed class TheReadMethod : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("gitops-artifacts-token-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        [Fact]
        public void Should_Read_The_File_Without_Its_Trailing_Newline_And_Prefer_It_When_Both_Are_Set()
        {
            // Given a Secret's key as kubectl writes it, and an older token in the variable
            var file = Path.Combine(_dir, "token");
            File.WriteAllText(file, "from-the-secret\n");

            // When
            var (token, error) = ArtifactsToken.Read(Variables((TrainingContract.ArtifactsTokenFile, file), (TrainingContract.ArtifactsToken, "from-the-variable")));

            // Then
            Assert.Null(error);
            Assert.Equal("from-the-secret", token);
        }

        [Fact]
        public void Should_Use_The_Variable_Or_Nothing_When_No_File_Is_Named()
        {
            // Given / When
            var fromVariable = ArtifactsToken.Read(Variables((TrainingContract.ArtifactsToken, "from-the-variable")));
            var none = ArtifactsToken.Read(Variables());

            // Then
            Assert.Equal(("from-the-variable", (string?)null), fromVariable);
            Assert.Equal(((string?)null, (string?)null), none);
        }

        [Fact]
        public void Should_Say_What_To_Fix_When_The_File_Is_Empty()
        {
            // Given a Secret whose key holds nothing
            var file = Path.Combine(_dir, "empty");
            File.WriteAllText(file, "\n");

            // When
            var (token, error) = ArtifactsToken.Read(Variables((TrainingContract.ArtifactsTokenFile, file)));

            // Then
            Assert.Null(token);
            Assert.Equal($"the artifact store token file {file} ({TrainingContract.ArtifactsTokenFile}) is empty; put the token in the Secret named by spec.artifacts.tokenSecretRef", error);
        }
    }
}
