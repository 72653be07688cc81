using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;

namespace GitOps.Planning.Tests.Cluster;

public sealed class ObservedObjectsTests
{
    private static JsonObject Object(string kind, string name, string? model = null, string rv = "7")
    {
        var obj = JsonNode.Parse($$$"""
            {"apiVersion":"v1","kind":"{{{kind}}}","metadata":{"name":"{{{name}}}","namespace":"ml","uid":"u-{{{name}}}","resourceVersion":"{{{rv}}}",
             "labels":{"ml.gitops/managed-by":"gitops","ml.gitops/environment":"prod"}},
             "spec":{"z":1,"a":[1,"two",{"three":null}],"text":"ünïcødé \"quoted\""}}
            """)!.AsObject();
        if (model is not null)
        {
            obj["metadata"]!["labels"]!["ml.gitops/model"] = model;
        }
        return obj;
    }

    public sealed class TheCompactObjectType
    {
        [Fact]
        public void Should_Give_Back_An_Equal_Tree_In_The_Same_Key_Order_With_Its_Identity_Read_Once()
        {
            // Given
            var tree = Object("Job", "fraud-train", model: "fraud");

            // When
            var compact = CompactObject.Of(tree);
            var back = compact.Tree();

            // Then
            Assert.True(JsonNode.DeepEquals(tree, back));
            Assert.Equal(tree.ToJsonString(), back.ToJsonString());
            Assert.Equal(new ResourceKey("v1", "Job", "ml", "fraud-train"), compact.Key);
            Assert.Equal(("gitops", "prod", "fraud", "u-fraud-train", "7"), (compact.ManagedBy, compact.Environment, compact.Model, compact.Uid, compact.ResourceVersion));
        }

        [Fact]
        public void Should_Build_A_New_Tree_On_Every_Read_So_That_No_Reader_Changes_What_Is_Kept()
        {
            // Given
            var compact = CompactObject.Of(Object("Job", "fraud-train"));

            // When
            var first = compact.Tree();
            first["spec"]!["z"] = 99;
            var second = compact.Tree();

            // Then
            Assert.NotSame(first, second);
            Assert.Equal(1, second["spec"]!["z"]!.GetValue<int>());
        }
    }

    public sealed class TheReadMethod
    {
        [Fact]
        public void Should_Read_A_Value_Once_Per_Reading_Function_And_Keep_It_With_The_Object()
        {
            // Given
            var compact = CompactObject.Of(Object("Job", "fraud-train", model: "fraud"));
            var calls = 0;
            Func<JsonObject, string?> name = o => { calls++; return o["metadata"]!["name"]!.GetValue<string>(); };
            Func<JsonObject, int> z = o => o["spec"]!["z"]!.GetValue<int>();

            // When
            var first = compact.Read(name);
            var second = compact.Read(name);
            var other = compact.Read(z);

            // Then
            Assert.Equal(("fraud-train", "fraud-train", 1), (first, second, other));
            Assert.Equal(1, calls);
        }
    }

    public sealed class TheObservedObjectsType
    {
        [Fact]
        public void Should_Sort_By_Key_And_Keep_The_First_Of_A_Key_Given_Twice()
        {
            // Given
            var items = new[] { Object("Service", "b"), Object("ConfigMap", "a", rv: "1"), Object("ConfigMap", "a", rv: "2") };

            // When
            var observed = ObservedObjects.Of(items);

            // Then
            Assert.Equal(["ConfigMap/ml/a", "Service/ml/b"], observed.Items.Select(o => o.Key.ToString()));
            Assert.Equal("1", observed[0]["metadata"]!["resourceVersion"]!.GetValue<string>());
            Assert.Equal(2, observed.Count);
            Assert.Equal(2, observed.Count());
        }

        [Fact]
        public void Should_Find_Objects_By_Kind_Name_And_Model_Like_A_List_Of_Trees_Does()
        {
            // Given
            JsonObject[] trees = [Object("Job", "fraud-train", "fraud"), Object("Deployment", "fraud-stable", "fraud"),
                Object("Job", "churn-train", "churn"), Object("Deployment", "churn-stable", "churn")];
            var compact = ObservedObjects.Of(trees);
            IReadOnlyList<JsonObject> plain = trees;

            // When / Then: the compact list and the plain one answer alike
            foreach (var list in new[] { compact, plain })
            {
                Assert.Equal(["churn-train", "fraud-train"], list.OfKind("Job").Select(o => o["metadata"]!["name"]!.GetValue<string>()).Order());
                Assert.Equal("fraud-stable", list.Named("Deployment", "fraud-stable")?["metadata"]!["name"]!.GetValue<string>());
                Assert.Null(list.Named("Deployment", "fraud-train"));
                Assert.Equal(["fraud-train"], list.OfModel("Job", "fraud").Select(o => o["metadata"]!["name"]!.GetValue<string>()));
                Assert.Empty(list.OfModel("Job", "absent"));
            }
            Assert.True(JsonNode.DeepEquals(trees[1], compact.Named("Deployment", "fraud-stable")));
        }

        [Fact]
        public void Should_Be_Empty_When_Nothing_Was_Observed()
        {
            Assert.Empty(ObservedObjects.Of(Array.Empty<JsonObject>()));
            Assert.Empty(ObservedObjects.Of(Array.Empty<JsonObject>()).OfKind("Job"));
        }
    }
}
