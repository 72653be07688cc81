using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;
using k8s;
using k8s.Models;

namespace GitOps.Planning.Tests.Rendering;

public sealed class CanonicalJsonTests
{
    private static readonly JsonSerializerOptions KubernetesOptions = Capture();

    private static JsonSerializerOptions Capture()
    {
        JsonSerializerOptions? captured = null;
        KubernetesJson.AddJsonOptions(o => captured = o);
        return captured!;
    }

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

    public sealed class TheSerializeSortedMethod
    {
        [Fact]
        public void Should_Give_The_Canonical_Text_Of_The_Serialized_Object_With_Keys_Sorted_At_Every_Level()
        {
            // Given
            var deployment = Deployment();
            var reference = JsonSerializer.SerializeToNode(deployment, KubernetesOptions);

            // When
            var sorted = CanonicalJson.SerializeSorted(deployment, KubernetesOptions);

            // Then
            AssertSortedEverywhere(sorted);
            Assert.Equal(CanonicalJson.ToText(reference), CanonicalJson.ToText(sorted));
            Assert.Equal(CanonicalJson.ToText(reference), sorted.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        }

        [Fact]
        public void Should_Keep_Numbers_Readable_As_Any_Numeric_Type_Like_A_Parsed_Tree()
        {
            // Given
            var deployment = Deployment();

            // When
            var first = CanonicalJson.SerializeSorted(deployment, KubernetesOptions);
            var second = CanonicalJson.SerializeSorted(deployment, KubernetesOptions);

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

    public sealed class TheSpecHash
    {
        [Fact]
        public void Should_Be_The_Same_For_A_Tree_Built_Sorted_As_For_Any_Key_Order()
        {
            // Given
            var sorted = CanonicalJson.SerializeSorted(Deployment(), KubernetesOptions);
            var unsorted = JsonSerializer.SerializeToNode(Deployment(), KubernetesOptions)!.AsObject();

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
            var plain = CanonicalJson.SerializeSorted(Deployment(), KubernetesOptions);
            var annotated = CanonicalJson.SerializeSorted(Deployment(), KubernetesOptions);
            annotated["metadata"]!.AsObject().Insert(0, "annotations", new JsonObject { ["note"] = "x" });

            // When / Then
            Assert.Equal(SpecHash.Of(plain), SpecHash.Of(annotated));
        }
    }
}
