using System.Text;
using CsCheck;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Tests.Support;
using GitOps.Specs.Yaml;
using Xunit;

namespace GitOps.Specs.Tests;

/// <summary>
/// The common-shape YAML parser builds exactly the nodes and spans the general (YamlDotNet) path builds, and parses
/// only text the general path reads without a diagnostic; everything else it leaves to the general path.
/// </summary>
public sealed class CommonYamlParserTests
{
    private static readonly string[] Folders = ["environments", "models", "policies", "docs", "examples", "tests"];

    private static IEnumerable<string> RepositoryYamlFiles() =>
        Folders.Select(f => Path.Combine(TestPaths.RepoRoot, f)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    // Pieces of lines that steer both parsers into their interesting states.
    private static readonly string[] Keys = ["a", "b", "f *x", "f &x", "f !x", "a.b/c-d_e", "a|b", "a{b}", "a,b", "a]", "é", "key", "k-1", "x.y", "'q'", "\"d\"", "'it''s'", "true", "1", "a b", "a#b", "<<", "-k", "?", "[k]", "k:v", "~"];

    private static readonly string[] Values =
    [
        "", "x", "x  ", "x # c", "x#c", "-1", "0x1F", "1.5", "1e3", ".inf", "~", "null", "True", "yes", "'s'", "'it''s'", "\"d\"",
        "\"e\\\"f\"", "\"g\\n\"", "\"h\\x41\"", "\"unterminated", "'unterminated", "[]", "{}", "[a, b]", "[a,b]", "[ a , b ]", "[a, ]",
        "[a,, b]", "{a: 1}", "{a: 1, b: [2, 3]}", "{a:1}", "{a}", "{a: }", "[{a: 1}, {b: 2}]", "[a: 1]", "[a", "{a: 1", "[a] x",
        "x: y", "x:y", "b *c", "a &b", "x !y", "u/{d}.csv", "p|q", "c > d", "a, b", "a ? b", "a - b", "a -b", "x'y", "x\"y", "a %b", "a @b", "a `b", "a]b", "a}b", "a{b", "a[b", "http://h:1/p", "- x", "? x", ": x", "&a x", "*a", "!!str x", "|", ">-", "|-", ">", "|+", ">2", "| # c", "|x", "'a' # c", "\"a\"x", "[a] # c",
        "a [b] {c}", "é", "%x", "@x", "`x", "x,y", "#", " # only", "{\"k\": 1}", "[-1, 1]", "[-, 1]", "-", "--", "a:", "a: ",
    ];

    // Mostly even indentation, so that many texts are well-formed and the comparison is not vacuous.
    private static readonly Gen<int> Indent = Gen.Frequency((8, Gen.Int[0, 2].Select(i => i * 2)), (1, Gen.Int[0, 6]));

    private static readonly Gen<string> Line = Gen.Frequency(
        (4, Gen.Select(Indent, Gen.OneOf(Keys), Gen.OneOf(Values), (i, k, v) => new string(' ', i) + k + ":" + (v.Length > 0 ? " " + v : ""))),
        (2, Gen.Select(Indent, Gen.OneOf(Values), (i, v) => new string(' ', i) + "-" + (v.Length > 0 ? " " + v : ""))),
        (2, Gen.Select(Indent, Gen.OneOf(Keys), Gen.OneOf(Values), (i, k, v) => new string(' ', i) + "- " + k + ": " + v)),
        (1, Gen.Select(Indent, Gen.OneOf(new[] { "# comment", "", "---", "...", "%YAML 1.2", "\t", "a\r", "x" }), (i, s) => new string(' ', i) + s)));

    private static readonly Gen<string> Text = Gen.Select(Line.Array[0, 14], Gen.Bool, (lines, newline) => string.Join('\n', lines) + (newline ? "\n" : ""));

    public sealed class TheTryParseMethod
    {
        [Fact]
        public void Should_Build_The_General_Paths_Nodes_For_Every_Yaml_File_Of_The_Repository()
        {
            // Given
            var files = RepositoryYamlFiles().ToList();

            // When
            var parsed = files.Count(f => Agrees(f[(TestPaths.RepoRoot.Length + 1)..], File.ReadAllText(f)));

            // Then: most files have the common shape, so the comparison is not vacuous.
            Assert.True(files.Count > 100, $"only {files.Count} YAML files found");
            Assert.True(parsed > files.Count / 2, $"the common parser took only {parsed} of {files.Count} files");
        }

        [Fact]
        public void Should_Parse_Every_Example_Spec_File()
        {
            // Given: the examples, block scalars of the policies included, need no YamlDotNet at all.
            var files = new[] { "models", "environments", "policies" }
                .SelectMany(f => Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, f), "*.yaml", SearchOption.AllDirectories)).ToList();

            // When / Then
            Assert.NotEmpty(files);
            Assert.All(files, f => Assert.NotNull(CommonYamlParser.TryParse(f, File.ReadAllText(f), LoaderLimits.Default)));
        }

        [Theory]
        [InlineData("- |-\n  \n    x\n")]
        [InlineData("key: |\n\n  text\n")]
        public void Should_Leave_A_Block_Scalar_With_Empty_Lines_Before_Its_Text_To_The_General_Path(string text)
        {
            // When (a generated text once found the common parser taking what YamlDotNet refuses)
            var common = CommonYamlParser.TryParse("models/x/model.yaml", text, LoaderLimits.Default);

            // Then
            Assert.Null(common);
            Agrees("models/x/model.yaml", text);
        }

        [Fact]
        public void Should_Agree_With_The_General_Path_On_Generated_Text()
        {
            var parsed = 0;
            Text.Sample(text =>
            {
                if (Agrees("models/x/model.yaml", text))
                {
                    parsed++;
                }
            }, iter: 10_000, threads: 1);
            Assert.True(parsed > 400, $"the common parser took only {parsed} of 10,000 generated texts");
        }

        [Fact]
        public void Should_Agree_With_The_General_Path_On_Mutated_Example_Files()
        {
            var examples = RepositoryYamlFiles().Where(f => f.Contains("/models/", StringComparison.Ordinal) || f.Contains("/environments/", StringComparison.Ordinal))
                .Select(File.ReadAllText).ToArray();
            var alphabet = Gen.Char["ab-:,[]{}&*!|>'\"#?%@`\\\n\n   ~.0123456789eEx+é→\u0085\u2028"];
            Gen.Select(Gen.Int[0, examples.Length - 1], Gen.Int[0, 100_000], Gen.Int[0, 6], Gen.String[alphabet, 0, 6]).Sample((index, position, remove, insert) =>
            {
                var text = examples[index];
                var at = position % (text.Length + 1);
                var mutated = text[..at] + insert + text[Math.Min(text.Length, at + remove)..];
                Agrees("models/x/model.yaml", mutated);
            }, iter: 1500, threads: 1);
        }

        [Fact]
        public void Should_Leave_Deep_And_Large_Documents_To_The_General_Path()
        {
            // Given
            var deep = string.Concat(Enumerable.Range(0, 80).Select(i => new string(' ', i * 2) + "k:\n")) + new string(' ', 160) + "k: v\n";
            var wide = "a:\n" + string.Concat(Enumerable.Range(0, 60).Select(i => $"  k{i}: v\n"));

            // When / Then
            Assert.Null(CommonYamlParser.TryParse("x.yaml", deep, LoaderLimits.Default));
            Assert.Null(CommonYamlParser.TryParse("x.yaml", wide, LoaderLimits.Default with { MaxNodesPerDocument = 50 }));
            Assert.NotNull(CommonYamlParser.TryParse("x.yaml", wide, LoaderLimits.Default));
        }
    }

    /// <summary>True when the common parser took the text; then its documents equal the general path's, which found no problem.</summary>
    private static bool Agrees(string path, string text)
    {
        var file = SourceFile.FromText(path, text);
        var generalDiagnostics = new List<Diagnostic>();
        var general = YamlReader.Read(file, LoaderLimits.Default, generalDiagnostics, common: false);
        var common = CommonYamlParser.TryParse(path, text.StartsWith('\uFEFF') ? text[1..] : text, LoaderLimits.Default);
        if (common is null)
        {
            return false;
        }
        Assert.True(generalDiagnostics.Count == 0, $"common parser took text the general path reports ({generalDiagnostics.FirstOrDefault()}):\n{text}");
        Assert.True(general.Count == common.Count, $"{general.Count} vs {common.Count} documents:\n{text}");
        for (var i = 0; i < general.Count; i++)
        {
            Assert.Equal(general[i].Index, common[i].Index);
            Assert.Equal(general[i].Span, common[i].Span);
            Assert.Equal(general[i].Failed, common[i].Failed);
            AssertSame(general[i].Root, common[i].Root, "", text);
        }
        return true;
    }

    private static void AssertSame(YNode expected, YNode actual, string at, string text)
    {
        var where = $"at '{at}' of {System.Text.Json.JsonSerializer.Serialize(text)}:\n{text}";
        Assert.True(expected.GetType() == actual.GetType(), $"{expected.GetType().Name} vs {actual.GetType().Name} {where}");
        Assert.True(expected.Span == actual.Span, $"span {expected.Span.Line}:{expected.Span.Column}-{expected.Span.EndLine}:{expected.Span.EndColumn} vs {actual.Span.Line}:{actual.Span.Column}-{actual.Span.EndLine}:{actual.Span.EndColumn} {where}");
        Assert.True(expected.ExpandedSize == actual.ExpandedSize && expected.ExpandedHeight == actual.ExpandedHeight, $"size/height {where}");
        switch (expected)
        {
            case YScalar s:
                var a = (YScalar)actual;
                Assert.True(s.Text == a.Text && Equals(s.Value, a.Value) && s.IsPlain == a.IsPlain,
                    $"scalar '{s.Text}' ({s.Value?.GetType().Name}, plain {s.IsPlain}) vs '{a.Text}' ({a.Value?.GetType().Name}, plain {a.IsPlain}) {where}");
                break;
            case YMapping m:
                var am = (YMapping)actual;
                Assert.True(m.Entries.Count == am.Entries.Count, $"entries {where}");
                for (var i = 0; i < m.Entries.Count; i++)
                {
                    AssertSame(m.Entries[i].Key, am.Entries[i].Key, at + "." + m.Entries[i].Key.Text, text);
                    AssertSame(m.Entries[i].Value, am.Entries[i].Value, at + "." + m.Entries[i].Key.Text, text);
                }
                break;
            case YSequence q:
                var aq = (YSequence)actual;
                Assert.True(q.Items.Count == aq.Items.Count, $"items {where}");
                for (var i = 0; i < q.Items.Count; i++)
                {
                    AssertSame(q.Items[i], aq.Items[i], $"{at}[{i}]", text);
                }
                break;
        }
    }
}
