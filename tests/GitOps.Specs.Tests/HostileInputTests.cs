using System.Text;
using GitOps.Specs.Diagnostics;
using Xunit;

namespace GitOps.Specs.Tests;

/// <summary>Inputs built to exhaust the loader are stopped by <see cref="LoaderLimits"/> and reported.</summary>
public sealed class HostileInputTests
{
    public sealed class TheLoadMethod
    {
        private static Diagnostic Single(string text, LoaderLimits? limits = null)
        {
            var result = SpecLoader.Load([SourceFile.FromText("models/x.yaml", text)], limits);
            return Assert.Single(result.Diagnostics);
        }

        [Fact]
        public void Should_Bound_The_Depth_Of_Nested_Alias_Expansions()
        {
            // Given
            var text = new StringBuilder("x:\n  a0: &a0 " + new string('[', 40) + new string(']', 40) + "\n");
            for (var k = 1; k < 50; k++)
            {
                text.Append($"  a{k}: &a{k} {new string('[', 40)}*a{k - 1}{new string(']', 40)}\n");
            }

            // When
            var d = Single(text.ToString());

            // Then
            Assert.Equal(DiagnosticIds.TooDeep, d.Id);
            Assert.Contains("once alias '*a0' is expanded", d.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Should_Reject_A_Recursive_Alias()
        {
            // Given
            var text = "a: &a [1, *a]\n";

            // When
            var d = Single(text);

            // Then
            Assert.Equal(DiagnosticIds.UndefinedAlias, d.Id);
            Assert.Equal("models/x.yaml:1:11", d.Span.ToString());
        }

        [Fact]
        public void Should_Stop_After_A_Hundred_Duplicate_Keys()
        {
            // Given
            var text = new StringBuilder();
            for (var i = 0; i < 500; i++)
            {
                text.Append("a: 1\n");
            }

            // When
            var result = SpecLoader.Load([SourceFile.FromText("models/x.yaml", text.ToString())]);

            // Then
            Assert.Equal(101, result.Diagnostics.Length);
            Assert.All(result.Diagnostics, d => Assert.Equal(DiagnosticIds.DuplicateKey, d.Id));
            Assert.Contains("the rest of the file was not read", result.Diagnostics[^1].Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Should_Count_Every_Alias_As_A_Copy_Of_Its_Anchor()
        {
            // Given
            var text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n";

            // When
            var d = Single(text, LoaderLimits.Default with { MaxNodesPerDocument = 100 });

            // Then
            Assert.Equal(DiagnosticIds.TooManyNodes, d.Id);
            Assert.Equal(2, d.Span.Line);
        }

        [Fact]
        public void Should_Report_The_First_Invalid_Utf8_Byte_With_Its_Position()
        {
            // Given
            var bytes = Encoding.UTF8.GetBytes("a: 1\nb: é\nc: ").Concat(new byte[] { 0xC3, 0x28 }).ToArray();

            // When
            var result = SpecLoader.Load([new SourceFile("models/x.yaml", bytes)]);

            // Then
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal(DiagnosticIds.NotUtf8, d.Id);
            Assert.Equal("models/x.yaml:3:4", d.Span.ToString());
        }
    }
}

public sealed class NonFiniteNumberTests
{
    public sealed class TheLoadMethod
    {
        [Theory]
        [InlineData(".inf")]
        [InlineData(".nan")]
        public void Should_Reject_Non_Finite_Numbers_In_Numeric_Fields(string value)
        {
            // Given
            var text = Support.SpecText.Environment("prod", $"gpuPools: [{{name: a100, quota: 1, pricePerGpuHour: {value}}}]");

            // When
            var result = SpecLoader.Load([SourceFile.FromText("environments/prod.yaml", text)]);

            // Then
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal(Diagnostics.DiagnosticIds.OutOfRange, d.Id);
            Assert.Contains("must be a finite number", d.Message, StringComparison.Ordinal);
        }
    }
}
