using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Diff;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;
using GitOps.Testing;

namespace GitOps.Planning.Tests.Plans;

public sealed class PlannerTests
{
    private static (IReadOnlyList<JsonObject> Desired, IReadOnlyList<JsonObject> Live) Converged()
    {
        var specs = TestSpecs.Repository();
        var facts = Clusters.AllServed(specs);
        var live = Clusters.Converge(specs, facts);
        var desired = Renderer.Render(specs, "staging", facts, new RenderContext("1111111")).Objects;
        return (desired, live);
    }

    private static JsonObject Named(IReadOnlyList<JsonObject> objects, string kind, string name) =>
        objects.Single(o => o["kind"]!.ToString() == kind && o["metadata"]!["name"]!.ToString() == name
                            && o["metadata"]!["namespace"]!.ToString() == "ml-staging");

    public sealed class ThePlanMethod
    {
        [Fact]
        public void Should_Ignore_Server_Populated_Fields_And_The_Commit_Annotation()
        {
            // Given
            var (desired, live) = Converged();
            var deployment = Named(live, "Deployment", "fraud-detector-stable");
            deployment["status"] = new JsonObject { ["readyReplicas"] = 2 };
            deployment["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"] = "3";
            deployment["spec"]!["strategy"] = new JsonObject { ["type"] = "RollingUpdate" };

            // When
            var plan = Planner.Plan("staging", desired, live);

            // Then
            Assert.False(plan.HasChanges, string.Join("\n", plan.Changes.Select(a => a.Reason)));
            Assert.All(plan.Actions, a => Assert.Equal(ActionKind.Unchanged, a.Action));
        }

        [Fact]
        public void Should_Show_Hand_Edits_As_Drift_Updates()
        {
            // Given
            var (desired, live) = Converged();
            var deployment = Named(live, "Deployment", "fraud-detector-stable");
            deployment["spec"]!["replicas"] = 5;
            deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "gitops/server:debug";

            // When
            var plan = Planner.Plan("staging", desired, live);

            // Then
            var update = Assert.Single(plan.Changes);
            Assert.Equal(ActionKind.Update, update.Action);
            Assert.Equal(Wave.Serving, update.Wave);
            Assert.StartsWith("drift", update.Reason);
            Assert.Equal(["spec.replicas", "spec.template.spec.containers[name=server].image"], update.Diff.Select(c => c.Path));
            Assert.Equal(5, update.Diff[0].Before!.GetValue<int>());
        }

        [Fact]
        public void Should_Leave_Drift_Alone_When_Self_Heal_Is_Off()
        {
            // Given
            var (desired, live) = Converged();
            Named(live, "Deployment", "fraud-detector-stable")["spec"]!["replicas"] = 5;

            // When
            var plan = Planner.Plan("staging", desired, live, new PlanOptions(SelfHeal: false));

            // Then
            Assert.False(plan.HasChanges);
            Assert.Contains(plan.Actions, a => a.Reason.Contains("selfHeal is off", StringComparison.Ordinal));
        }

        [Fact]
        public void Should_Delete_Managed_Objects_No_Longer_Desired_Routes_First()
        {
            // Given
            var (desired, live) = Converged();
            var withoutFraud = desired.Where(o => ObjectKeys.Label(o, ManagedLabels.Model) != "fraud-detector").ToList();

            // When
            var plan = Planner.Plan("staging", withoutFraud, live);

            // Then
            var deletes = plan.Changes.ToList();
            Assert.All(deletes, a => Assert.Equal(ActionKind.Delete, a.Action));
            Assert.Equal(6, deletes.Count);
            Assert.Equal("HTTPRoute", deletes[0].Key.Kind);
            Assert.Equal("ConfigMap", deletes[^1].Key.Kind);
            Assert.DoesNotContain(deletes, a => a.Key.Namespace == "ml-prod");
        }

        [Fact]
        public void Should_Never_Touch_Objects_Without_The_Managed_By_Label()
        {
            // Given
            var (desired, live) = Converged();
            var foreign = Named(live, "Service", "fraud-detector");
            ((JsonObject)foreign["metadata"]!).Remove("labels");
            foreign["spec"]!["ports"]![0]!["port"] = 9999;
            var unrelated = JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"team-notes","namespace":"ml-staging"}}""")!.AsObject();

            // When
            var plan = Planner.Plan("staging", desired, [.. live, unrelated]);

            // Then
            Assert.False(plan.HasChanges);
            var conflict = Assert.Single(plan.Conflicts);
            Assert.Equal("fraud-detector", conflict.Key.Name);
            Assert.Contains("left untouched", conflict.Reason);
        }

        [Fact]
        public void Should_Not_Prune_Pods_And_ReplicaSets_That_Inherit_Our_Labels()
        {
            // Given: kubectl get all -l ml.gitops/managed-by=gitops also returns the Deployment's pods
            var (desired, live) = Converged();
            var labels = Named(live, "Deployment", "fraud-detector-stable")["spec"]!["template"]!["metadata"]!["labels"]!.ToJsonString();
            var pod = JsonNode.Parse($$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fraud-detector-stable-7d9f-abcde","namespace":"ml-staging","labels":{{{labels}}}}}""")!.AsObject();
            var replicaSet = JsonNode.Parse($$$"""{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"fraud-detector-stable-7d9f","namespace":"ml-staging","labels":{{{labels}}}}}""")!.AsObject();

            // When
            var plan = Planner.Plan("staging", desired, [.. live, pod, replicaSet]);

            // Then
            Assert.False(plan.HasChanges, string.Join("\n", plan.Changes.Select(a => a.Key.ToString())));
        }

        [Fact]
        public void Should_Order_Creates_By_Wave()
        {
            // Given
            var (desired, _) = Converged();

            // When
            var plan = Planner.Plan("staging", desired, []);

            // Then
            var waves = plan.Actions.Select(a => a.Wave).ToList();
            Assert.Equal(waves.Order(), waves);
            Assert.Equal(Wave.Config, waves[0]);
            Assert.Equal(Wave.Routing, waves[^1]);
            Assert.All(plan.Actions, a => Assert.Equal(ActionKind.Create, a.Action));
        }

        [Fact]
        public void Should_Plan_Removal_Of_Owned_Fields_No_Longer_Set()
        {
            // Given
            var (desired, live) = Converged();
            Named(live, "Deployment", "fraud-detector-stable")["spec"]!["template"]!["spec"]!["nodeSelector"] =
                new JsonObject { ["pool"] = "old" };

            // When
            var plan = Planner.Plan("staging", desired, live);
            var applied = InMemoryApply.Apply(plan, live, Clusters.Now);

            // Then
            var change = Assert.Single(Assert.Single(plan.Changes).Diff);
            Assert.Equal("spec.template.spec.nodeSelector", change.Path);
            Assert.Null(change.After);
            Assert.False(Planner.Plan("staging", desired, applied).HasChanges);
        }

        [Fact]
        public void Should_Read_Numbers_And_Their_Text_Form_As_Equal()
        {
            // Given
            var desired = JsonNode.Parse("""{"a":"1","b":2,"c":{"d":"http"}}""")!.AsObject();
            var observed = JsonNode.Parse("""{"a":1,"b":"2","c":{"d":"http","e":"x"}}""")!.AsObject();

            // When
            var diff = ObjectDiff.Compare(desired, observed);

            // Then
            Assert.Empty(diff);
        }
    }
}
