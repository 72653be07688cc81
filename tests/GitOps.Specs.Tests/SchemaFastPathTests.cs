using System.Text;
using CsCheck;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;
using GitOps.Specs.Schemas;
using GitOps.Specs.Tests.Support;
using GitOps.Specs.Yaml;
using Xunit;

namespace GitOps.Specs.Tests;

/// <summary>The schema fast path never accepts a document the full validator would report.</summary>
public sealed class SchemaFastPathTests
{
    private static readonly IReadOnlyList<SourceFile> ValidFiles = SpecFileReader.Read(Fixtures.Valid);

    // Replacement values that sit on the edges of the schemas: types, bounds, lengths, patterns, enums, nulls.
    private static readonly string[] Values =
    [
        "", "~", "null", "true", "False", "0", "-1", "1", "2", "100", "101", "2147483647", "2147483648", "-2147483649",
        "9223372036854775807", "99999999999999999999", "0.5", "1.0", "1.5", "-0.0", "1e3", "1e400", ".inf", "-.inf", ".nan",
        "0x10", "0o17", "'42'", "\"\"", "a", "A", "-a", "a-", "a--b", "UPPER", "with space", "ünïcode", "é", "x\\n",
        "\"x\\n\"", "'fraud-detector'", "fraud-detector", "churn", "canary", "blueGreen", "standard", "gatewayApi", "none",
        "http://p:9090", "https://p", "ftp://p", "30s", "1h", "5m", "-5m", "500m", "4Gi", "[]", "[a, a]", "[a, b]", "[1, 1]",
        "{}", "{a: 1}", "[{}]", "*nope", "!!str 5", "!!int 5", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", new string('a', 63), new string('a', 64),
    ];

    public sealed class TheIsValidMethod
    {
        [Fact]
        public void Should_Accept_Every_Document_Of_The_Valid_Fixture()
        {
            // Given
            var documents = ValidFiles.SelectMany(Documents).ToList();

            // When
            var accepted = documents.Count(d => SchemaFastPath.IsValid(d.Kind, d.Map));

            // Then
            Assert.NotEmpty(documents);
            Assert.Equal(documents.Count, accepted);
        }

        [Fact]
        public void Should_Accept_Only_Documents_The_Full_Validator_Accepts_In_Invalid_Fixtures()
        {
            // Given
            var documents = Fixtures.InvalidCases()
                .SelectMany(c => SpecFileReader.Read(Path.Combine(Fixtures.Invalid, c), Fixtures.Limits(Path.Combine(Fixtures.Invalid, c)) ?? LoaderLimits.Default))
                .SelectMany(Documents).ToList();

            // When / Then
            Assert.NotEmpty(documents);
            Assert.All(documents, AssertAgrees);
        }

        [Fact]
        public void Should_Accept_Only_Documents_The_Full_Validator_Accepts_When_Values_And_Keys_Change()
        {
            var edit = Gen.Select(Gen.Int[0, ValidFiles.Count - 1], Gen.Int[0, 10_000], Gen.Int[0, Values.Length - 1], Gen.Int[0, 3]);
            edit.Array[1, 4].Sample(edits =>
            {
                // Given
                var texts = ValidFiles.ToDictionary(f => f.Path, f => Encoding.UTF8.GetString(f.Content));
                foreach (var (file, line, value, how) in edits)
                {
                    var path = ValidFiles[file].Path;
                    texts[path] = Edit(texts[path], line, Values[value], how);
                }
                var documents = texts.Select(kv => SourceFile.FromText(kv.Key, kv.Value)).SelectMany(Documents).ToList();

                // When / Then
                Assert.All(documents, AssertAgrees);
            }, iter: 400);
        }
    }

    private static void AssertAgrees((string Kind, YMapping Map, SourceSpan Span) document)
    {
        if (!SchemaFastPath.IsValid(document.Kind, document.Map))
        {
            return;
        }
        var json = DocumentWalker.Walk(document.Map).Json!;
        var errors = SchemaValidation.Validate(document.Kind, json, document.Span);
        Assert.True(errors.Count == 0, "fast path accepted a document with schema errors: " + string.Join("; ", errors) + "\n" + json);
    }

    /// <summary>Replaces the value of a <c>key: value</c> line, renames its key, or the value of a list item.</summary>
    private static string Edit(string text, int line, string value, int how)
    {
        var lines = text.Split('\n');
        var candidates = Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains(':', StringComparison.Ordinal) || lines[i].TrimStart().StartsWith("- ", StringComparison.Ordinal)).ToList();
        if (candidates.Count == 0)
        {
            return text;
        }
        var i = candidates[line % candidates.Count];
        var l = lines[i];
        var colon = l.IndexOf(": ", StringComparison.Ordinal);
        var dash = l.IndexOf("- ", StringComparison.Ordinal);
        lines[i] = how switch
        {
            // Rename the key: unknown and missing fields.
            0 when colon > 0 => new string(' ', l.Length - l.TrimStart().Length) + (dash >= 0 && dash < colon ? "- " : "") + value.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal) + "x" + l[colon..],
            _ when colon > 0 => l[..(colon + 2)] + value,
            _ when l.EndsWith(':') => l + " " + value,
            _ when dash >= 0 => l[..(dash + 2)] + value,
            _ => l,
        };
        return string.Join('\n', lines);
    }

    private static IEnumerable<(string Kind, YMapping Map, SourceSpan Span)> Documents(SourceFile file)
    {
        var diagnostics = new List<Diagnostic>();
        foreach (var document in YamlReader.Read(file, LoaderLimits.Default, diagnostics))
        {
            if (document.Root.Resolved is YMapping map && map.Get("kind") is YScalar { Value: string kind } && SpecKinds.All.Contains(kind))
            {
                yield return (kind, map, document.Span);
            }
        }
    }
}
