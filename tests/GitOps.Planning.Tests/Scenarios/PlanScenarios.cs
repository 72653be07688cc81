using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Tests.Support;
using GitOps.Specs.Model;

namespace GitOps.Planning.Tests.Scenarios;

/// <summary>
/// One golden case. The commit's specs live as YAML in <c>testdata/plan/&lt;case&gt;/repo/</c>; <see cref="Specs"/> is
/// the same repository in code, and <see cref="Live"/> says how <c>live.yaml</c> was produced (regenerated only with
/// <c>GITOPS_UPDATE_GOLDEN=1</c>). A test checks that the YAML and the code agree.
/// </summary>
internal sealed record PlanScenario(string Name, SpecSet Specs, Func<IReadOnlyList<JsonObject>> Live);

internal static class PlanScenarios
{
    private static IReadOnlyList<JsonObject> Served(SpecSet before) => Clusters.Converge(before, Clusters.AllServed(before), commit: "8d2e0f1");

    private static ModelSpec Fraud(ModelSpec m, Func<ModelBody, ModelBody> edit) => m.Name == "fraud-detector" ? m with { Spec = edit(m.Spec) } : m;

    private static JsonObject Find(IEnumerable<JsonObject> objects, string kind, string ns, string name) =>
        objects.Single(o => o["kind"]!.ToString() == kind && o["metadata"]!["namespace"]!.ToString() == ns && o["metadata"]!["name"]!.ToString() == name);

    public static readonly ImmutableArray<PlanScenario> All =
    [
        new("first-deploy", TestSpecs.Repository(), () => []),

        new("unchanged", TestSpecs.Repository(), () => Served(TestSpecs.Repository())),

        new("hyperparameter-change",
            TestSpecs.Repository(m => Fraud(m, b => b with { Training = b.Training with { Hyperparameters = b.Training.Hyperparameters.SetItem("learningRate", "0.05") } })),
            () => Served(TestSpecs.Repository())),

        new("model-removed",
            SpecSet.From(TestSpecs.Repository().All.Where(s => s.Name != "churn-predictor")),
            () => Served(TestSpecs.Repository())),

        new("environment-override",
            TestSpecs.Repository(m => Fraud(m, b => b with
            {
                Overrides = b.Overrides.Add("prod", new ModelOverride
                {
                    Serving = new ServingSpec { Autoscaling = new Autoscaling(3, 12, 65), Resources = new ResourceRequest { Cpu = "2", Memory = "4Gi" } },
                }),
            })),
            () => Served(TestSpecs.Repository())),

        new("gpu-pool-change",
            TestSpecs.Repository(m => Fraud(m, b => b with { Serving = b.Serving with { Resources = new ResourceRequest { Cpu = "1", Memory = "2Gi", Gpus = 1, Pool = "a100" } } })),
            () => Served(TestSpecs.Repository(m => Fraud(m, b => b with { Serving = b.Serving with { Resources = new ResourceRequest { Cpu = "1", Memory = "2Gi", Gpus = 1, Pool = "l4" } } })))),

        new("drift-edited-by-hand", TestSpecs.Repository(), () =>
        {
            var live = Served(TestSpecs.Repository()).Select(o => (JsonObject)o.DeepClone()).ToList();
            var deployment = Find(live, "Deployment", "ml-prod", "fraud-detector-stable");
            deployment["spec"]!["replicas"] = 6;
            deployment["spec"]!["template"]!["spec"]!["containers"]![1 - 1]!["image"] = "gitops/server:debug";
            deployment["metadata"]!["annotations"]!["kubectl.kubernetes.io/restartedAt"] = "2026-01-02T10:00:00Z";
            deployment["status"] = new JsonObject { ["replicas"] = 6, ["readyReplicas"] = 6 };
            Find(live, "VirtualService", "ml-prod", "fraud-detector")["spec"]!["http"]![0]!["route"]![0]!["weight"] = 50;
            return live;
        }),

        new("foreign-object-same-name", TestSpecs.Repository(), () =>
        {
            var live = Served(SpecSet.From(TestSpecs.Repository().All.Where(s => s.Name != "churn-predictor"))).ToList();
            live.Add(JsonNode.Parse("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"churn-predictor-model","namespace":"ml-staging",
                 "labels":{"app":"churn-dashboard"},"uid":"5d1c","resourceVersion":"77"},"data":{"owner":"analytics"}}
                """)!.AsObject());
            return live;
        }),
    ];
}
