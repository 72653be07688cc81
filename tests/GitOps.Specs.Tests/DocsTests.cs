using System.Text.RegularExpressions;
using GitOps.Specs.Model;
using GitOps.Specs.Schemas;
using GitOps.Specs.Tests.Support;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Specs.Tests;

public sealed class DocsTests
{
    private static string SpecsDoc => Path.Combine(TestPaths.RepoRoot, "docs", "specs.md");

    public sealed class TheSpecReference
    {
        [Fact]
        public void Should_Have_Field_Tables_Generated_From_The_Schemas()
        {
            // Given
            var text = File.ReadAllText(SpecsDoc);

            // When
            var regenerated = text;
            foreach (var kind in SpecKinds.All)
            {
                var begin = $"<!-- BEGIN FIELDS {kind} -->\n";
                var end = $"<!-- END FIELDS {kind} -->";
                var i = regenerated.IndexOf(begin, StringComparison.Ordinal);
                var j = regenerated.IndexOf(end, StringComparison.Ordinal);
                Assert.True(i >= 0 && j > i, $"docs/specs.md lacks the field markers of {kind}");
                regenerated = regenerated[..(i + begin.Length)] + SchemaReference.FieldTable(kind) + regenerated[j..];
            }

            // Then
            GoldenFile.AssertMatches(SpecsDoc, regenerated);
        }

        [Fact]
        public void Should_Have_Examples_That_Pass_The_Loader_And_Schema()
        {
            // Given
            var text = File.ReadAllText(SpecsDoc);
            var examples = Regex.Matches(text, "```yaml\n(.*?)```", RegexOptions.Singleline)
                .Select(m => m.Groups[1].Value)
                .Where(e => e.Contains("kind: ", StringComparison.Ordinal) && !e.Contains("...", StringComparison.Ordinal))
                .ToList();

            // When
            var results = examples.Select((e, i) => SpecLoader.Load([SourceFile.FromText($"example{i}.yaml", e)])).ToList();

            // Then
            Assert.True(examples.Count >= 7, "expected an example per kind");
            Assert.All(results, r => Assert.Empty(r.Diagnostics));
            Assert.Equal(SpecKinds.All.Order(StringComparer.Ordinal), results.SelectMany(r => r.Specs.All).Select(s => s.Kind).Distinct().Order(StringComparer.Ordinal));
        }
    }
}
