using GitOps.Specs.Diagnostics;
using Xunit;

namespace GitOps.Specs.Tests;

public sealed class TerminalTextTests
{
    public sealed class TheEscapedMethod
    {
        [Theory]
        [InlineData("plain text, ünïcode and 模型", "plain text, ünïcode and 模型")]
        [InlineData("\u001b[31mred\u001b]0;title\u0007", "\\x1b[31mred\\x1b]0;title\\x07")]
        [InlineData("two\nlines\r\tand a tab", "two\\nlines\\r\\tand a tab")]
        [InlineData("c1 \u009b control", "c1 \\x9b control")]
        public void Should_Write_Every_Control_Character_As_An_Escape(string text, string expected) =>
            Assert.Equal(expected, TerminalText.Escaped(text));
    }

    public sealed class TheSameWidthMethod
    {
        [Fact]
        public void Should_Keep_Every_Column_Where_It_Was()
        {
            // Given a source line with a tab, an escape sequence and a bell before the value a caret points at
            const string line = "\ttask: \u001b[31mx\u0007 value";

            // When
            var shown = TerminalText.SameWidth(line);

            // Then
            Assert.Equal(" task: \uFFFD[31mx\uFFFD value", shown);
            Assert.Equal(line.IndexOf("value", StringComparison.Ordinal), shown.IndexOf("value", StringComparison.Ordinal));
        }
    }

    public sealed class TheWidthMethod
    {
        [Theory]
        [InlineData("task: nope", 10)]
        [InlineData("说明: 模型分类", 14)]
        [InlineData("ｆｕｌｌ", 8)]
        [InlineData("모델 ok", 7)]
        [InlineData("e\u0301te\u0301", 3)]
        [InlineData("🚀 go", 5)]
        [InlineData("𝐀", 1)]
        public void Should_Count_The_Columns_A_Terminal_Gives_The_Text(string text, int expected) =>
            Assert.Equal(expected, TerminalText.Width(text));
    }

    public sealed class TheDiagnosticToString
    {
        [Fact]
        public void Should_Stay_On_One_Line_Whatever_The_Spec_Held()
        {
            // Given
            var diagnostic = new Diagnostic("GITOPS0104", Severity.Error, new SourceSpan("models/a/model.yaml", 3, 9, 3, 12),
                "'spec.task' is 'a\nb\u001b[2J'", "use one of the listed values");

            // When / Then
            Assert.Equal("models/a/model.yaml:3:9: error GITOPS0104: 'spec.task' is 'a\\nb\\x1b[2J' (use one of the listed values)", diagnostic.ToString());
        }
    }
}
