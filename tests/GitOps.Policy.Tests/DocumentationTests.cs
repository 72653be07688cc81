using System.Text.RegularExpressions;
using GitOps.Policy.Tests.Support;

namespace GitOps.Policy.Tests;

public sealed partial class DocumentationTests
{
    private static IReadOnlyList<string> DocumentedIds()
    {
        var rules = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "rules.md"));
        var start = rules.IndexOf("## Policy rules", StringComparison.Ordinal);
        var end = rules.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        var section = end < 0 ? rules[start..] : rules[start..end];
        return [.. RowId().Matches(section).Select(m => m.Groups["id"].Value)];
    }

    public sealed class TheRulesDocument
    {
        [Fact]
        public void Should_List_Every_Policy_Diagnostic_Id_Once()
        {
            // When
            var documented = DocumentedIds();

            // Then
            Assert.Equal(PolicyRuleIds.All.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
        }

        [Fact]
        public void Should_Have_A_Golden_Fixture_For_Every_Documented_Id()
        {
            // Given
            var expected = Directory.GetFiles(Path.Combine(RepositoryRoot.TestData, "invalid"), "expected.txt", SearchOption.AllDirectories)
                .SelectMany(File.ReadAllLines)
                .ToList();

            // When
            var missing = DocumentedIds().Where(id => !expected.Any(line => line.Contains($" {id}: ", StringComparison.Ordinal))).ToList();

            // Then
            Assert.Empty(missing);
        }
    }

    [GeneratedRegex(@"^\| (?<id>GITOPS0[345]\d\d) \|", RegexOptions.Multiline)]
    private static partial Regex RowId();
}
