using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Testing.FakeKubernetes;
using k8s;
using k8s.Models;

namespace GitOps.Benchmarks.Kubernetes;

/// <summary>
/// <c>dotnet run -c Release --project tests/GitOps.Benchmarks -- kube-client [objects] [rounds]</c>: the driver's raw
/// JSON access (<see cref="KubernetesApiConnection"/>) against KubernetesClient's typed client, on the fake API server
/// over HTTP. One round = list the managed Deployments of a namespace by label (N objects, default 200) and
/// server-side apply one Deployment, which is what a reconcile pass does per kind and per changed object. The typed
/// client is measured as it returns (<c>V1DeploymentList</c>) and with the conversion to the JSON trees the planner
/// diffs (every kind, CRDs included, is a <c>JsonObject</c> there). Figures: median wall time per round and bytes
/// allocated per round in the whole process (the in-process fake server's share is the same for every client).
/// </summary>
public static class KubernetesClientBenchmark
{
    private const string Namespace = "ml";
    private const string Selector = "ml.gitops/managed-by=gitops";

    public static async Task<int> RunAsync(string[] args)
    {
        var objects = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        await using var server = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = "bench" });
        var work = Directory.CreateTempSubdirectory("gitops-bench-kube-client-");
        try
        {
            var kubeconfig = server.WriteKubeconfig(Path.Combine(work.FullName, "kubeconfig"), contextName: "bench", token: "bench", @namespace: Namespace);
            using var raw = KubernetesApiConnection.FromKubeconfig(kubeconfig, "bench");
            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, "bench");
            using var typed = new k8s.Kubernetes(config);
            for (var i = 0; i < objects; i++)
            {
                var seeded = await raw.SendAsync(HttpMethod.Patch, $"/apis/apps/v1/namespaces/{Namespace}/deployments/model-{i:0000}?fieldManager=gitops&force=true",
                    Deployment(i, replicas: 1), "application/apply-patch+yaml", CancellationToken.None);
                Require(seeded.IsSuccess, $"seeding answered {seeded.StatusCode}");
            }

            Console.WriteLine($"list {objects:N0} Deployments by label + apply one, fake API server over HTTP, {rounds} rounds, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
            Console.WriteLine($"{"client",-44} {"median ms",10} {"KiB/round",10}");
            await MeasureAsync("raw JSON (KubernetesApiConnection)", rounds, async i =>
            {
                var list = await raw.SendAsync(HttpMethod.Get, $"/apis/apps/v1/namespaces/{Namespace}/deployments?labelSelector={Uri.EscapeDataString(Selector)}", null, null, CancellationToken.None);
                Require(list.Body?["items"]?.AsArray().Count == objects, "raw list");
                var applied = await raw.SendAsync(HttpMethod.Patch, $"/apis/apps/v1/namespaces/{Namespace}/deployments/model-0000?fieldManager=gitops&force=true",
                    Deployment(0, replicas: 1 + (i % 3)), "application/apply-patch+yaml", CancellationToken.None);
                Require(applied.IsSuccess, "raw apply");
            });
            await MeasureAsync("typed (AppsV1, V1Patch apply)", rounds, async i =>
            {
                var list = await typed.AppsV1.ListNamespacedDeploymentAsync(Namespace, labelSelector: Selector);
                Require(list.Items.Count == objects, "typed list");
                var applied = await typed.AppsV1.PatchNamespacedDeploymentAsync(
                    new V1Patch(Deployment(0, replicas: 1 + (i % 3)).ToJsonString(), V1Patch.PatchType.ApplyPatch), "model-0000", Namespace, fieldManager: "gitops", force: true);
                Require(applied.Spec.Replicas == 1 + (i % 3), "typed apply");
            });
            await MeasureAsync("typed, converted to JsonObject for the planner", rounds, async i =>
            {
                var list = await typed.AppsV1.ListNamespacedDeploymentAsync(Namespace, labelSelector: Selector);
                var trees = list.Items.Select(d => JsonNode.Parse(KubernetesJson.Serialize(d))!.AsObject()).ToList();
                Require(trees.Count == objects, "typed list");
                var applied = await typed.AppsV1.PatchNamespacedDeploymentAsync(
                    new V1Patch(Deployment(0, replicas: 1 + (i % 3)).ToJsonString(), V1Patch.PatchType.ApplyPatch), "model-0000", Namespace, fieldManager: "gitops", force: true);
                Require(JsonNode.Parse(KubernetesJson.Serialize(applied)) is JsonObject, "typed apply");
            });
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task MeasureAsync(string name, int rounds, Func<int, Task> round)
    {
        for (var i = 0; i < 20; i++)
        {
            await round(i);
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var times = new List<double>(rounds);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < rounds; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await round(i);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        times.Sort();
        Console.WriteLine($"{name,-44} {times[times.Count / 2],10:F2} {allocated / 1024.0 / rounds,10:N0}");
    }

    private static JsonObject Deployment(int i, int replicas) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject
        {
            ["name"] = $"model-{i:0000}",
            ["namespace"] = Namespace,
            ["labels"] = new JsonObject { ["ml.gitops/managed-by"] = "gitops", ["ml.gitops/model"] = $"model-{i:0000}" },
            ["annotations"] = new JsonObject { ["ml.gitops/spec-hash"] = "0123456789abcdef" },
        },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["ml.gitops/model"] = $"model-{i:0000}" } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["ml.gitops/model"] = $"model-{i:0000}" } },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray
                    {
                        new JsonObject
                        {
                            ["name"] = "server",
                            ["image"] = "gitops-serving:0.1.0",
                            ["args"] = new JsonArray { "serve", "--model", "/models/model.onnx" },
                            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "500m", ["memory"] = "512Mi" } },
                        },
                    },
                },
            },
        },
    };

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"benchmark check failed: {what}");
        }
    }
}
