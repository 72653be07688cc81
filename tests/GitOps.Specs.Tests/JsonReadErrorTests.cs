using System.Text.Json;
using GitOps.Specs.Loading;
using Xunit;

namespace GitOps.Specs.Tests;

public sealed class JsonReadErrorTests
{
    private sealed record Entry(string Model);

    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web) { RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true };

    private static JsonException Failure(string json) => Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Entry>(json, Strict));

    [Theory]
    [InlineData("garbage", "'g' is an invalid start of a value (line 1, column 1)")]
    [InlineData("{\n  \"model\": tru\n}", "is an invalid JSON literal. Expected the literal 'true' (at $.model, line 2, column ")]
    [InlineData("{}", "required field(s) missing: 'model' (line 1, column ")]
    [InlineData("""{"model":null}""", "a required field is null (at $.model, line 1, column 14)")]
    [InlineData("""{"model":1}""", "a value has the wrong JSON type (at $.model, line 1, column ")]
    public void Should_Say_What_Is_Wrong_And_Where_From_Line_1_When_Json_Cannot_Be_Read(string json, string expected)
    {
        // When
        var text = JsonReadError.Describe(Failure(json));

        // Then
        Assert.Contains(expected, text);
        Assert.DoesNotContain("LineNumber", text);
        Assert.DoesNotContain("GitOps.", text);
    }
}
