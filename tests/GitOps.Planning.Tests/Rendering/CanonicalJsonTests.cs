using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;
using k8s.Models;

namespace GitOps.Planning.Tests.Rendering;

public sealed class CanonicalJsonTests
{
    private static V1Deployment Deployment() => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta
        {
            Name = "fraud-stable",
            NamespaceProperty = "ml",
            Labels = new Dictionary<string, string> { ["z"] = "last", ["ml.gitops/model"] = "fraud", ["a"] = "first" },
        },
        Spec = new V1DeploymentSpec
        {
            Replicas = 3,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "fraud" } },
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec
                {
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "server",
                            Image = "gitops/server:0.1.0 <é>",
                            Ports = [new V1ContainerPort { ContainerPort = 8080, Name = "http" }],
                            Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m") } },
                            ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/ready", Port = "http" } },
                        },
                    ],
                    TerminationGracePeriodSeconds = 3_000_000_000L,
                },
            },
        },
    };

    /// <summary>The deployment as KubernetesClient writes it: keys in its declaration order, not sorted.</summary>
    private static JsonObject Built() => JsonSerializer.SerializeToNode(Deployment(), KubernetesClientJson.Options)!.AsObject();

    private static void AssertSortedEverywhere(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var keys = obj.Select(p => p.Key).ToList();
                Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
                foreach (var (_, value) in obj)
                {
                    AssertSortedEverywhere(value);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    AssertSortedEverywhere(item);
                }
                break;
        }
    }

    public sealed class TheSortedMethod
    {
        [Fact]
        public void Should_Give_The_Same_Canonical_Text_With_Keys_Sorted_At_Every_Level()
        {
            // Given
            var built = Built();

            // When
            var sorted = CanonicalJson.Sorted(built);

            // Then
            AssertSortedEverywhere(sorted);
            Assert.Equal(CanonicalJson.ToText(built), CanonicalJson.ToText(sorted));
            Assert.Equal(CanonicalJson.ToText(built), sorted.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        }

        [Fact]
        public void Should_Leave_Out_Properties_Whose_Value_Is_Null_Without_Changing_The_Built_Object()
        {
            // Given: an unset field, as an object built in code has it
            var built = Built();
            built["spec"]!["paused"] = null;
            built["spec"]!["template"]!["spec"]!["containers"]![0]!["command"] = null;

            // When
            var sorted = CanonicalJson.Sorted(built);

            // Then
            Assert.False(sorted["spec"]!.AsObject().ContainsKey("paused"));
            Assert.False(sorted["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject().ContainsKey("command"));
            Assert.Equal(CanonicalJson.ToText(Built()), CanonicalJson.ToText(sorted));
            Assert.True(built["spec"]!.AsObject().ContainsKey("paused"));
        }

        [Fact]
        public void Should_Keep_Numbers_Readable_As_Any_Numeric_Type_Like_A_Parsed_Tree()
        {
            // Given
            var built = Built();

            // When
            var first = CanonicalJson.Sorted(built);
            var second = CanonicalJson.Sorted(built);

            // Then: shared number elements still give every tree its own nodes
            var replicas = first["spec"]!["replicas"]!;
            Assert.Equal(3, replicas.GetValue<int>());
            Assert.Equal(3L, replicas.GetValue<long>());
            Assert.Equal(3.0, replicas.GetValue<double>());
            Assert.Equal(3_000_000_000L, first["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"]!.GetValue<long>());
            Assert.NotSame(replicas, second["spec"]!["replicas"]);
            second["spec"]!["replicas"] = 5;
            Assert.Equal(3, first["spec"]!["replicas"]!.GetValue<int>());
        }
    }

    public sealed class TheSortedMethodOnValuesBuiltInCode
    {
        [Fact]
        public void Should_Give_The_Tree_That_Reading_Its_Canonical_Text_Gives()
        {
            // Given: values of every kind as code builds them, keys out of order, nulls in objects and arrays
            var long64 = new string('x', 65);
            var built = new JsonObject
            {
                ["z"] = JsonValue.Create(7),
                ["a"] = new JsonObject { ["text"] = "quote \" and <é>", ["long"] = long64, ["unset"] = null },
                ["m"] = new JsonArray(JsonValue.Create(true), null, JsonValue.Create(false), JsonValue.Create(1.5), JsonValue.Create(3_000_000_000L)),
                ["when"] = JsonValue.Create(new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc)),
                ["parsed"] = JsonNode.Parse("""{"b": 2, "a": "one", "c": [1, "two"]}"""),
            };

            // When
            var sorted = CanonicalJson.Sorted(built);
            var reread = JsonNode.Parse(CanonicalJson.ToText(sorted))!;

            // Then: same content as the tree read from its own text, and numbers read as any numeric type
            Assert.True(JsonNode.DeepEquals(reread, sorted));
            Assert.Equal("""{"a":{"long":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","text":"quote \u0022 and \u003C\u00E9\u003E"},"m":[true,null,false,1.5,3000000000],"parsed":{"a":"one","b":2,"c":[1,"two"]},"when":"2026-12-01T00:00:00Z","z":7}""", CanonicalJson.ToText(sorted));
            Assert.Equal(7L, sorted["z"]!.GetValue<long>());
            Assert.Equal(7.0, sorted["z"]!.GetValue<double>());
            Assert.Equal(3_000_000_000.0, sorted["m"]![4]!.GetValue<double>());
            Assert.Equal(2L, sorted["parsed"]!["b"]!.GetValue<long>());
            Assert.Equal("quote \" and <é>", sorted["a"]!["text"]!.GetValue<string>());
            Assert.Equal(JsonValueKind.String, sorted["when"]!.GetValueKind());
            Assert.False(sorted["a"]!.AsObject().ContainsKey("unset"));
            Assert.Null(sorted["m"]![1]);
            Assert.True(built["a"]!.AsObject().ContainsKey("unset"));
        }

        [Fact]
        public void Should_Hash_As_The_Sorted_Copy_Hashes_Without_Building_It()
        {
            // Given: a built object, keys out of order, nulls in objects and arrays, a parsed part
            var built = new JsonObject
            {
                ["z"] = JsonValue.Create(7),
                ["a"] = new JsonObject { ["y"] = "why", ["unset"] = null, ["b"] = JsonValue.Create(false) },
                ["list"] = new JsonArray(null, JsonValue.Create(2.5)),
                ["parsed"] = JsonNode.Parse("""{"b": {"d": 1, "c": null}, "a": [3]}"""),
            };

            // When / Then
            Assert.Equal(CanonicalJson.Hash(CanonicalJson.Sorted(built)), CanonicalJson.SortedHash(built));
            Assert.NotEqual(CanonicalJson.Hash(built), CanonicalJson.SortedHash(built));
        }
    }

    public sealed class TheSpecHash
    {
        [Fact]
        public void Should_Be_The_Same_For_A_Tree_Built_Sorted_As_For_Any_Key_Order()
        {
            // Given
            var sorted = CanonicalJson.Sorted(Built());
            var unsorted = Built();

            // When
            var fast = SpecHash.Of(sorted);

            // Then
            Assert.Equal(SpecHash.Of(unsorted), fast);
            Assert.Equal(16, fast.Length);
        }

        [Fact]
        public void Should_Ignore_Annotations_Even_When_The_Tree_Already_Has_Them()
        {
            // Given
            var plain = CanonicalJson.Sorted(Built());
            var annotated = CanonicalJson.Sorted(Built());
            annotated["metadata"]!.AsObject().Insert(0, "annotations", new JsonObject { ["note"] = "x" });

            // When / Then
            Assert.Equal(SpecHash.Of(plain), SpecHash.Of(annotated));
        }
    }
}
