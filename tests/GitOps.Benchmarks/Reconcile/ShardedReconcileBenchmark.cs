using System.Diagnostics;
using System.Globalization;
using GitOps.Benchmarks.Harness;
using GitOps.Planning.Cluster;
using GitOps.Testing.FakeKubernetes;
using GitOps.Testing.Git;

namespace GitOps.Benchmarks.Reconcile;

/// <summary>
/// <c>dotnet run -c Release --project tests/GitOps.Benchmarks -- reconcile-shards [MODELS:SHARDS...] [--gitops EXECUTABLE]</c>
/// (default <c>2000:1 4000:2 8000:4</c>): for each size, one environment with MODELS models in a real Git repository
/// and an empty fake Kubernetes API server over HTTP; every shard runs <c>gitops reconcile --once --shard K/SHARDS</c>
/// as a fresh process under the reconciler image's settings, one after the other: first passes (each creates its
/// models' objects), then passes on the converged cluster. Reports each process's peak RSS, the largest and the median
/// over the shards, and checks that the shards together created every object.
/// </summary>
public static class ShardedReconcileBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var shipped = Array.IndexOf(args, "--gitops") is var at and >= 0 && at + 1 < args.Length ? Path.GetFullPath(args[at + 1]) : null;
        var sizes = args.Where((a, i) => a.Contains(':', StringComparison.Ordinal) && (i == 0 || args[i - 1] != "--gitops"))
            .Select(a => a.Split(':'))
            .Select(p => (Models: int.Parse(p[0], CultureInfo.InvariantCulture), Shards: int.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();
        if (sizes.Count == 0)
        {
            sizes = [(2000, 1), (4000, 2), (8000, 4)];
        }
        var (file, prefix) = shipped is null ? ("dotnet", new[] { Path.Combine(AppContext.BaseDirectory, "gitops.dll") }) : (shipped, Array.Empty<string>());
        Console.WriteLine($"gitops reconcile --once --shard K/N, fresh processes one after the other ({(shipped ?? "dotnet gitops.dll")}, the reconciler image's settings), "
            + $"fake API server over HTTP, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine();
        Console.WriteLine("| models | shards | models per shard | first pass: largest peak RSS | median | converged pass: largest peak RSS | median | slowest shard (first pass) | exit |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var failed = false;
        var work = Directory.CreateTempSubdirectory("gitops-bench-shards-");
        try
        {
            foreach (var (models, shards) in sizes)
            {
                using var repo = FakeGitRepo.Create();
                repo.Commit("initial", ReconcileBenchmark.Repository(models));
                await using var server = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = "bench" });
                var directory = Directory.CreateDirectory(Path.Combine(work.FullName, $"{models}-{shards}")).FullName;
                var kubeconfig = server.WriteKubeconfig(Path.Combine(directory, "kubeconfig"), contextName: "bench", token: "bench", @namespace: ReconcileBenchmark.Namespace);
                var parts = Enumerable.Range(1, shards).Select(k => new Shard(k, shards)).ToList();
                var names = Enumerable.Range(0, models).Select(i => $"m{i:00000}").ToList();
                var perShard = parts.Select(p => names.Count(p.OwnsModel)).ToList();
                ProcessProbe.Measurement Pass(Shard shard) => ReconcileBenchmark.ProbeAndReport(file, [
                    .. prefix, "reconcile", "--once", "--repo", repo.Path, "--branch", "main", "--env", ReconcileBenchmark.Environment,
                    "--kubeconfig", kubeconfig, "--context", "bench", "--namespace", "gitops-system",
                    "--workdir", Path.Combine(directory, $"shard-{shard.Number}"), "--shard", shard.ToString(),
                ], ReconcileBenchmark.ImageVariables);
                var first = parts.Select(Pass).ToList();
                var created = server.ListObjects("batch/v1", "Job", ReconcileBenchmark.Namespace).Count
                              + server.ListObjects("v1", "ConfigMap", ReconcileBenchmark.Namespace).Count;
                if (created != ReconcileBenchmark.ObjectsPerModel * models)
                {
                    throw new InvalidOperationException($"the shards' first passes created {created} objects, not {ReconcileBenchmark.ObjectsPerModel * models}");
                }
                var converged = parts.Select(Pass).ToList();
                var exit = first.Concat(converged).Max(m => m.ExitCode);
                failed |= exit != 0;
                Console.WriteLine($"| {models:N0} | {shards} | {perShard.Min():N0}–{perShard.Max():N0} | {Largest(first)} | {Median(first)} | {Largest(converged)} | {Median(converged)} "
                    + $"| {first.Max(m => m.Wall).TotalSeconds:F2} s | {exit} |");
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
        Console.WriteLine();
        Console.WriteLine($"load average: {ReconcileBenchmark.LoadAverage()}");
        return failed ? 1 : 0;
    }

    private static string Largest(List<ProcessProbe.Measurement> runs) => $"{runs.Max(m => m.PeakRssBytes) / 1048576.0:F0} MiB";

    private static string Median(List<ProcessProbe.Measurement> runs) =>
        $"{runs.Select(m => m.PeakRssBytes / 1048576.0).Order().ElementAt(runs.Count / 2):F0} MiB";
}
