using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using GitOps.Planning.Cluster;

namespace GitOps.Planning.Tests.Cluster;

/// <summary><see cref="DetachedJson"/> reads what <see cref="JsonNode.Parse(string, JsonNodeOptions?, JsonDocumentOptions)"/>
/// reads, into nodes that do not hold the parsed text.</summary>
public sealed class DetachedJsonTests
{
    private const string Job = """
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"fraud-train","namespace":"ml","uid":"0b6c","resourceVersion":"41",
         "generation":3,"labels":{"ml.gitops/managed-by":"gitops","ml.gitops/model":"fraud"},"annotations":{"note":"a \"quoted\" \u00e9 \ud83d\ude00 <tag> & more"}},
         "spec":{"backoffLimit":2,"activeDeadlineSeconds":3600,"parallelism":1,"ratio":0.25,"big":12345678901234,"exp":1e3,"neg":-7,
         "template":{"spec":{"containers":[{"name":"train","args":["--epochs","10"],"resources":{"limits":{"nvidia.com/gpu":"1"}}}],"hostNetwork":false}}},
         "status":{"succeeded":1,"active":null,"conditions":[{"type":"Complete","status":"True"}],"ready":true,"empty":{},"none":[]}}
        """;

    public sealed class TheParseMethod
    {
        [Fact]
        public void Should_Read_What_JsonNode_Parse_Reads_When_Given_A_Kubernetes_Object()
        {
            // Given a Job as an API server sends it
            // When it is parsed both ways
            var detached = DetachedJson.Parse(Encoding.UTF8.GetBytes(Job));
            var parsed = JsonNode.Parse(Job);

            // Then the trees are equal and write out the same text
            Assert.True(JsonNode.DeepEquals(parsed, detached));
            Assert.Equal(parsed!.ToJsonString(), detached!.ToJsonString());
        }

        [Fact]
        public void Should_Read_Numbers_As_Any_Numeric_Type_When_Code_Asks_For_Int_Long_Or_Double()
        {
            // Given a Job parsed into detached nodes
            var job = (JsonObject)DetachedJson.Parse(Job)!;

            // When its numbers are read as the callers read them
            // Then each reads as int, long and double, as a JsonNode.Parse node does, with its exact text
            Assert.Equal(3, job["metadata"]!["generation"]!.GetValue<int>());
            Assert.Equal(3L, job["metadata"]!["generation"]!.GetValue<long>());
            Assert.True(job["status"]!["succeeded"]!.AsValue().TryGetValue<long>(out var succeeded) && succeeded == 1);
            Assert.True(job["status"]!["succeeded"]!.AsValue().TryGetValue<int>(out var asInt) && asInt == 1);
            Assert.Equal(0.25, job["spec"]!["ratio"]!.GetValue<double>());
            Assert.Equal(12345678901234L, job["spec"]!["big"]!.GetValue<long>());
            Assert.Equal("1e3", job["spec"]!["exp"]!.ToJsonString());
            Assert.Equal(JsonValueKind.Number, job["spec"]!["neg"]!.GetValueKind());
            Assert.True(job["status"]!["ready"]!.GetValue<bool>());
            Assert.Null(job["status"]!["active"]);
            Assert.True(job["status"]!.AsObject().ContainsKey("active"));
        }

        [Fact]
        public void Should_Give_Every_Node_Its_Own_Parent_When_Numbers_And_Strings_Repeat()
        {
            // Given a list whose items repeat the same numbers and strings
            var list = (JsonObject)DetachedJson.Parse("""{"items":[{"n":1,"s":"x"},{"n":1,"s":"x"}]}""")!;
            var items = list["items"]!.AsArray();

            // When one item's values are changed and an item is moved to another tree
            items[0]!["n"] = 2;
            var moved = items[1]!;
            items.RemoveAt(1);
            var other = new JsonObject { ["item"] = moved };

            // Then the other item is untouched, and the moved one belongs to its new parent alone
            Assert.Equal("""{"n":1,"s":"x"}""", other["item"]!.ToJsonString());
            Assert.Equal("""{"items":[{"n":2,"s":"x"}]}""", list.ToJsonString());
        }

        [Fact]
        public void Should_Keep_The_Last_Value_When_A_Name_Is_Given_Twice()
        {
            // Given an object with a name given twice
            // When it is parsed
            var obj = (JsonObject)DetachedJson.Parse("""{"a":1,"b":2,"a":3}""")!;

            // Then the last value is kept, in the first one's place
            Assert.Equal("""{"a":3,"b":2}""", obj.ToJsonString());
        }

        [Theory]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData("{")]
        [InlineData("{\"a\":}")]
        [InlineData("[1,2")]
        [InlineData("{} {}")]
        [InlineData("{\"a\":1,}")]
        [InlineData("// comment\n{}")]
        [InlineData("nul")]
        public void Should_Throw_A_JsonException_When_The_Text_Is_Not_One_JSON_Value(string text)
        {
            // Given text that JsonNode.Parse refuses
            Assert.ThrowsAny<JsonException>(() => JsonNode.Parse(text));

            // When it is parsed detached
            // Then it is refused the same way
            Assert.ThrowsAny<JsonException>(() => DetachedJson.Parse(text));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(100)]
        public void Should_Refuse_Or_Replace_An_Invalid_UTF8_Sequence_When_A_String_Holds_One(int padding)
        {
            // Given a short or a long string holding an invalid UTF-8 sequence
            byte[] text = [(byte)'"', .. Enumerable.Repeat((byte)'a', padding), 0xC3, 0x28, (byte)'"'];

            // When it is parsed
            JsonNode? node;
            try
            {
                node = DetachedJson.Parse(text);
            }
            catch (Exception e)
            {
                // Then it is refused as invalid JSON, never as another kind of error
                Assert.IsAssignableFrom<JsonException>(e);
                return;
            }

            // Or read with the replacement character in place of the invalid bytes
            Assert.Contains('\uFFFD', node!.GetValue<string>());
        }

        [Fact]
        public void Should_Match_JsonNode_Parse_When_Given_Any_JSON_Document()
        {
            // Given any JSON document (nested objects, arrays, strings with escapes and non-ASCII, numbers, literals)
            var value = Value(0);

            value.Sample(node =>
            {
                var text = node?.ToJsonString() ?? "null";

                // When it is parsed both ways
                var detached = DetachedJson.Parse(text);
                var parsed = JsonNode.Parse(text);

                // Then the trees are equal and write out the same text
                return JsonNode.DeepEquals(parsed, detached) && (parsed?.ToJsonString() ?? "null") == (detached?.ToJsonString() ?? "null");
            }, iter: 2000);
        }

        private static Gen<JsonNode?> Value(int depth)
        {
            var leaves = Gen.OneOf(
                Gen.String[Gen.Char["abc\"\\/\n\té<>&+ "], 0, 12].Select(s => (JsonNode?)JsonValue.Create(s)),
                Gen.Long.Select(n => (JsonNode?)JsonValue.Create(n)),
                Gen.Double[-1e6, 1e6].Select(d => (JsonNode?)JsonValue.Create(d)),
                Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
                Gen.Bool.Select(_ => (JsonNode?)null));
            if (depth >= 3)
            {
                return leaves;
            }
            var inner = Value(depth + 1);
            return Gen.Frequency(
                (3, leaves),
                (1, inner.List[0, 4].Select(items => (JsonNode?)new JsonArray([.. items]))),
                (1, Gen.Select(Gen.String[Gen.Char["abcé\""], 1, 6].List[4], inner.List[4], (names, values) =>
                {
                    var obj = new JsonObject();
                    for (var i = 0; i < names.Count; i++)
                    {
                        obj[names[i]] = values[i];
                    }
                    return (JsonNode?)obj;
                })));
        }
    }
}
