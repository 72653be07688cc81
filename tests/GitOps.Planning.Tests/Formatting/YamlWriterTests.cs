using System.Text.Json.Nodes;
using GitOps.Planning.Diff;
using GitOps.Planning.Formatting;

namespace GitOps.Planning.Tests.Formatting;

public sealed class YamlWriterTests
{
    public sealed class TheScalarMethod
    {
        [Theory]
        [InlineData("0x1F")]
        [InlineData("0o17")]
        [InlineData(".inf")]
        [InlineData(".NaN")]
        [InlineData("1e3")]
        [InlineData("~")]
        [InlineData("True")]
        [InlineData("NULL")]
        [InlineData("yes")]
        [InlineData("off")]
        [InlineData("")]
        public void Should_Quote_A_String_When_A_Yaml_Reader_Would_Take_It_For_Another_Type(string text)
        {
            // Given a string value that reads as a number, boolean or null when plain
            var value = JsonValue.Create(text);

            // When
            var yaml = YamlWriter.Scalar(value);

            // Then it is quoted, and reads back as the same string
            Assert.StartsWith("\"", yaml);
            var back = LiveState.Parse($"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata: {{k: {yaml}}}\n");
            Assert.Equal(text, back.Objects[0]["data"]!["k"]!.GetValue<string>());
        }

        [Theory]
        [InlineData("fraud-detector")]
        [InlineData("nan")]
        [InlineData("ml.gitops/model")]
        public void Should_Write_A_String_Plain_When_It_Reads_Back_As_A_String(string text)
        {
            // When
            var yaml = YamlWriter.Scalar(JsonValue.Create(text));

            // Then
            Assert.Equal(text, yaml);
        }

        [Fact]
        public void Should_Write_Numbers_As_Their_Text_And_Give_The_Same_Answer_For_A_String_Every_Time()
        {
            // Given numbers as read from text and as built in code, and strings used as keys and values again and again
            var parsed = JsonNode.Parse("""{"on": "on", "port": 8080, "ratio": 1.50, "big": 3e2, "ok": true, "list": ["on", "fraud", -0.0]}""")!;
            var built = new JsonObject { ["on"] = "fraud", ["port"] = 8080, ["ratio"] = 1.5, ["ok"] = false };

            // When
            var first = YamlWriter.Write(parsed);
            var second = YamlWriter.Write(parsed);

            // Then
            Assert.Equal("\"on\": \"on\"\nport: 8080\nratio: 1.50\nbig: 3e2\nok: true\nlist:\n  - \"on\"\n  - fraud\n  - -0.0\n", first);
            Assert.Equal(first, second);
            Assert.Equal("\"on\": fraud\nport: 8080\nratio: 1.5\nok: false\n", YamlWriter.Write(built));
        }
    }

    public sealed class TheAppendLinesMethod
    {
        [Theory]
        [InlineData("""{"a":{"b":[1,{"c":"x","d":[[],["y",{"e":null}]]}],"f":{}},"g":"two\nlines"}""")]
        [InlineData("""[["a"],{"b":1}]""")]
        [InlineData("\"plain\"")]
        [InlineData("{}")]
        public void Should_Write_The_Lines_Of_Write_Each_Behind_The_Prefix(string json)
        {
            // Given
            var node = JsonNode.Parse(json);
            var sb = new System.Text.StringBuilder();

            // When
            YamlWriter.AppendLines(sb, node, "  + ");

            // Then
            var expected = string.Concat(YamlWriter.Write(node).TrimEnd('\n').Split('\n').Select(l => $"  + {l}\n"));
            Assert.Equal(expected, sb.ToString());
        }
    }
}
