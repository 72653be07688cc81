using Xunit;

namespace GitOps.Specs.Tests;

public sealed class SymbolicLinksTests
{
    public sealed class TheFollowMethod
    {
        /// <summary>A repository of folders, files and links: a path maps to its link's target, or to null for a file or folder.</summary>
        private static readonly Dictionary<string, string?> Repository = new()
        {
            ["shared"] = null,
            ["shared/fraud.yaml"] = null,
            ["shared/gates"] = null,
            ["shared-link"] = "shared",
            ["gates-link"] = "shared/gates",
            ["absolute-link"] = "/srv/repository/shared",
            ["a.yaml"] = "b.yaml",
            ["b.yaml"] = "a.yaml",
            ["models"] = null,
            ["models/fraud"] = null,
        };

        private static (bool Exists, string? Link) At(string path) =>
            Repository.TryGetValue(path, out var link) ? (true, link) : (false, null);

        [Theory]
        [InlineData("../../shared/fraud.yaml", "shared/fraud.yaml", null)]
        [InlineData("../../shared-link/fraud.yaml", "shared/fraud.yaml", null)]
        [InlineData("../../gates-link/../fraud.yaml", "shared/fraud.yaml", null)]
        [InlineData("../../shared-link/nowhere.yaml", null, "Missing")]
        [InlineData("../../shared-link/../../model.yaml", null, "Outside")]
        [InlineData("/etc/model.yaml", null, "Absolute")]
        [InlineData("../../absolute-link/fraud.yaml", null, "Absolute")]
        [InlineData("../../a.yaml", null, "Loop")]
        public void Should_Follow_Each_Link_On_The_Way_As_The_File_System_Does(string link, string? expected, string? reason)
        {
            // Given a link at models/fraud/model.yaml
            // When
            var (path, why) = SymbolicLinks.Follow("models/fraud/model.yaml", link, At);

            // Then
            Assert.Equal(expected, path);
            var because = reason switch
            {
                "Missing" => SymbolicLinks.Missing(link),
                "Outside" => SymbolicLinks.Outside(link),
                "Absolute" => SymbolicLinks.Absolute(link),
                "Loop" => SymbolicLinks.Loop(link),
                _ => null,
            };
            Assert.Equal(because, why);
        }
    }
}
