using System.Text;
using CsCheck;
using GitOps.Specs.Tests.Support;
using Xunit;

namespace GitOps.Specs.Tests;

/// <summary>The loader and checker are total: any input gives diagnostics, never an exception or a hang.</summary>
public sealed class LoaderPropertyTests
{
    private static readonly IReadOnlyList<SourceFile> ValidFiles = SpecFileReader.Read(Fixtures.Valid);

    // Characters that steer the YAML scanner into its interesting states.
    private const string YamlAlphabet = "ab-:,[]{}&*!|>'\"#?%@`\\\n\n  \t~.0123456789eEx+";

    public sealed class TheValidateMethod
    {
        [Fact]
        public void Should_Never_Throw_On_Arbitrary_Bytes()
        {
            Gen.Byte.Array[0, 600].Sample(bytes =>
            {
                // Given
                var file = new SourceFile("models/x/model.yaml", bytes);

                // When
                var result = SpecValidator.Validate([file]);

                // Then
                AssertWellFormed(result, file);
            }, iter: 300);
        }

        [Fact]
        public void Should_Never_Throw_On_Yaml_Like_Text()
        {
            Gen.String[Gen.Char[YamlAlphabet], 0, 400].Sample(text =>
            {
                // Given
                var file = SourceFile.FromText("models/x/model.yaml", text);

                // When
                var result = SpecValidator.Validate([file]);

                // Then
                AssertWellFormed(result, file);
            }, iter: 400);
        }

        [Fact]
        public void Should_Never_Throw_On_Mutated_Valid_Specs()
        {
            var mutation = Gen.Select(Gen.Int[0, ValidFiles.Count - 1], Gen.Int[0, 4], Gen.Int[0, 100_000], Gen.Int[1, 40], Gen.String[Gen.Char[YamlAlphabet], 1, 8]);
            mutation.Array[1, 6].Sample(mutations =>
            {
                // Given
                var files = ValidFiles.ToDictionary(f => f.Path, f => Encoding.UTF8.GetString(f.Content));
                foreach (var (index, kind, position, length, text) in mutations)
                {
                    var path = ValidFiles[index].Path;
                    files[path] = Mutate(files[path], kind, position, length, text);
                }
                var sources = files.Select(kv => SourceFile.FromText(kv.Key, kv.Value)).ToList();

                // When
                var result = SpecValidator.Validate(sources);

                // Then
                foreach (var d in result.Diagnostics)
                {
                    Assert.Contains(d.Span.File, files.Keys);
                    Assert.True(d.Span.Line >= 1 && d.Span.Column >= 1, d.ToString());
                }
                Assert.Equal(result.Diagnostics.ToArray(), SpecValidator.Validate(sources).Diagnostics.ToArray());
            }, iter: 200);
        }
    }

    private static string Mutate(string text, int kind, int position, int length, string insert)
    {
        if (text.Length == 0)
        {
            return insert;
        }
        var at = position % text.Length;
        var len = Math.Min(length, text.Length - at);
        var lines = text.Split('\n');
        return kind switch
        {
            0 => text.Remove(at, len),
            1 => text.Insert(at, insert),
            2 => text.Remove(at, len).Insert(at, insert),
            // Duplicate a line: duplicate keys, repeated list items.
            3 => string.Join('\n', lines.Take(at % lines.Length + 1).Append(lines[at % lines.Length]).Concat(lines.Skip(at % lines.Length + 1))),
            // Re-indent a line.
            _ => string.Join('\n', lines.Select((l, i) => i == at % lines.Length ? new string(' ', length % 6) + l.TrimStart() : l)),
        };
    }

    private static void AssertWellFormed(LoadResult result, SourceFile file)
    {
        foreach (var d in result.Diagnostics)
        {
            Assert.Equal(file.Path, d.Span.File);
            Assert.True(d.Span.Line >= 1 && d.Span.Column >= 1, d.ToString());
            Assert.Matches(@"^GITOPS\d{4}$", d.Id);
        }
        Assert.All(result.Specs.All, spec => Assert.Equal(file.Path, spec.Origin.File));
    }
}
