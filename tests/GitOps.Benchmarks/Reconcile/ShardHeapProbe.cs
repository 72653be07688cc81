using System.Globalization;
using GitOps.Planning.Cluster;
using GitOps.Testing.FakeKubernetes;
using GitOps.Testing.Git;

namespace GitOps.Benchmarks.Reconcile;

/// <summary>
/// <c>dotnet run -c Release --project tests/GitOps.Benchmarks -- shard-heap MODELS SHARDS</c>: what a running
/// reconciler of shard 1 of SHARDS holds between passes. One environment with MODELS models in a real Git repository
/// is converged by a separate <c>gitops reconcile --once</c> process against the fake API server; then, in this
/// process, a pass wired as <c>gitops reconcile --shard 1/SHARDS</c> wires it runs twice, and the live heap after a
/// full compacting collection is compared with the heap before the pass was built.
/// </summary>
public static class ShardHeapProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        var models = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var shards = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        using var repo = FakeGitRepo.Create();
        repo.Commit("initial", ReconcileBenchmark.Repository(models));
        await using var server = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = "bench" });
        var dir = Directory.CreateTempSubdirectory("gitops-bench-shard-heap-");
        try
        {
            var kubeconfig = server.WriteKubeconfig(Path.Combine(dir.FullName, "kubeconfig"), contextName: "bench", token: "bench", @namespace: ReconcileBenchmark.Namespace);
            var converge = ReconcileBenchmark.ProbeAndReport("dotnet", [
                Path.Combine(AppContext.BaseDirectory, "gitops.dll"), "reconcile", "--once", "--repo", repo.Path, "--branch", "main",
                "--env", ReconcileBenchmark.Environment, "--kubeconfig", kubeconfig, "--context", "bench", "--namespace", "gitops-system",
                "--workdir", Path.Combine(dir.FullName, "converge"),
            ], ReconcileBenchmark.ImageVariables);
            if (converge.ExitCode != 0)
            {
                return 1;
            }
            var before = ReconcileBenchmark.LiveHeap();
            var shard = new Shard(1, shards);
            using var rig = ReconcileBenchmark.Rig.Create(server, repo, Path.Combine(dir.FullName, "shard"), 8, shard);
            var outcomes = new List<string>();
            for (var i = 0; i < 2; i++)
            {
                outcomes.Add((await rig.Pass.RunAsync([ReconcileBenchmark.Environment], CancellationToken.None)).Single().Name);
            }
            var after = ReconcileBenchmark.LiveHeap();
            GC.KeepAlive(rig);
            var owned = Enumerable.Range(0, models).Count(i => shard.OwnsModel($"m{i:00000}"));
            Console.WriteLine($"| {models:N0} | {shards} | {owned:N0} | {(after - before) / 1048576.0:F1} MiB | {string.Join(", ", outcomes)} |");
            return 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
