using System.Text.RegularExpressions;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Tests.Support;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Specs.Tests;

public sealed class SpecValidatorTests
{
    public sealed class TheValidateMethod
    {
        public static TheoryData<string> InvalidCases => [.. Fixtures.InvalidCases()];

        [Theory]
        [MemberData(nameof(InvalidCases))]
        public void Should_Report_The_Golden_Diagnostics_For_Each_Invalid_Case(string name)
        {
            // Given
            var dir = Path.Combine(Fixtures.Invalid, name);

            // When
            var actual = Fixtures.Render(dir);

            // Then
            Assert.NotEqual("", actual);
            GoldenFile.AssertMatches(Path.Combine(dir, "expected.txt"), actual);
        }

        [Fact]
        public void Should_Load_The_Valid_Repo_Without_Diagnostics()
        {
            // Given
            var files = SpecFileReader.Read(Fixtures.Valid);

            // When
            var result = SpecValidator.Validate(files);

            // Then
            Assert.Empty(result.Diagnostics);
            Assert.Equal(2, result.Specs.Environments.Length);
            Assert.Equal(2, result.Specs.Models.Length);
            Assert.Single(result.Specs.Experiments);
            Assert.Single(result.Specs.QualityGates);
            Assert.Single(result.Specs.RolloutPolicies);
            Assert.Single(result.Specs.Policies);
        }

        [Fact]
        public void Should_Have_A_Fixture_For_Every_Rule_In_The_Docs()
        {
            // Given
            var ids = RulesDoc.Ids();
            var covered = Fixtures.InvalidCases()
                .Select(c => Path.Combine(Fixtures.Invalid, c, "expected.txt"))
                .Where(File.Exists)
                .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"GITOPS\d{4}").Select(m => m.Value))
                .ToHashSet(StringComparer.Ordinal);

            // When
            var missing = ids.Where(id => !covered.Contains(id)).ToList();

            // Then
            Assert.NotEmpty(ids);
            Assert.Empty(missing);
        }

        [Fact]
        public void Should_Document_Every_Diagnostic_Id()
        {
            // Given
            var constants = typeof(DiagnosticIds).GetFields()
                .Where(f => f.IsLiteral)
                .Select(f => (string)f.GetRawConstantValue()!)
                .ToList();

            // When
            var documented = RulesDoc.Ids();

            // Then
            Assert.Equal(constants.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
            Assert.Equal(constants.Count, constants.Distinct().Count());
        }
    }

    /// <summary>The ids in the loader/schema/semantic section of <c>docs/rules.md</c>.</summary>
    private static class RulesDoc
    {
        public static List<string> Ids()
        {
            var text = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "rules.md"));
            var start = text.IndexOf("## Loader, schema and semantic rules", StringComparison.Ordinal);
            Assert.True(start >= 0, "docs/rules.md has no '## Loader, schema and semantic rules' section");
            var end = text.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
            var section = end < 0 ? text[start..] : text[start..end];
            return [.. Regex.Matches(section, @"^\|\s*(GITOPS\d{4})\s*\|", RegexOptions.Multiline).Select(m => m.Groups[1].Value)];
        }
    }
}
