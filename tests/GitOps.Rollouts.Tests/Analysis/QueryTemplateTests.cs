using GitOps.Rollouts.Analysis;

namespace GitOps.Rollouts.Tests.Analysis;

public sealed class QueryTemplateTests
{
    private static readonly QueryValues Values = new("fraud", "3f2a9c1e", "ml-prod", "canary", "prod");

    [Fact]
    public void Should_Fill_Every_Placeholder_When_The_Template_Uses_Them()
    {
        // Given / When
        var (query, error) = QueryTemplate.Render(
            "x{model=\"{{model}}\",version=\"{{ version }}\",namespace=\"{{namespace}}\",track=\"{{track}}\",env=\"{{environment}}\"}", Values);

        // Then
        Assert.Null(error);
        Assert.Equal("x{model=\"fraud\",version=\"3f2a9c1e\",namespace=\"ml-prod\",track=\"canary\",env=\"prod\"}", query);
    }

    [Theory]
    [InlineData("x{model=\"{{model}}\"}", "x{model=\"a\\\"b\\\\c\\nd'e\"}")]
    [InlineData("x{model='{{model}}'}", "x{model='a\"b\\\\c\\nd\\'e'}")]
    [InlineData("x{model=`{{model}}`}", "x{model=`a\"b\\c\nd'e`}")]
    public void Should_Escape_The_Value_For_Its_String_When_It_Holds_Quotes(string template, string expected)
    {
        // Given a value that tries to end the string
        var values = Values with { Model = "a\"b\\c\nd'e" };

        // When
        var (query, _) = QueryTemplate.Render(template, values);

        // Then
        Assert.Equal(expected, query);
    }

    [Fact]
    public void Should_Refuse_A_Value_Outside_A_String_When_It_Is_Not_A_Plain_Name()
    {
        // Given
        var values = Values with { Model = "x) or vector(1" };

        // When
        var (query, error) = QueryTemplate.Render("sum by (model) ({{model}})", values);

        // Then
        Assert.Null(query);
        Assert.Contains("not a plain name", error);
    }

    [Fact]
    public void Should_Not_Treat_An_Escaped_Quote_As_The_End_Of_A_String()
    {
        // Given a string holding an escaped quote before the placeholder
        var (query, _) = QueryTemplate.Render("x{a=\"q\\\"{{model}}\"}", Values with { Model = "m\"" });

        // Then the value is still escaped as inside the string
        Assert.Equal("x{a=\"q\\\"m\\\"\"}", query);
    }

    [Fact]
    public void Should_Report_An_Unknown_Placeholder()
    {
        // Given / When
        var (_, error) = QueryTemplate.Render("x{a=\"{{modle}}\"}", Values);

        // Then
        Assert.Equal("unknown placeholder '{{modle}}'", error);
    }
}
