using System.Diagnostics;
using System.Globalization;
using System.Text;
using GitOps.Benchmarks.Harness;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Git;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.Registry;
using GitOps.Testing.FakeKubernetes;
using GitOps.Testing.Generators;
using GitOps.Testing.Git;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Benchmarks.Reconcile;

/// <summary>
/// <c>dotnet run -c Release --project tests/GitOps.Benchmarks -- reconcile [models]</c>: one environment with N
/// models (default 2,000) in a real Git repository, reconciled against the fake Kubernetes API server over HTTP with
/// the real driver. Measures a warm reconciler's pass with no change and with a single-model change (median of 5),
/// then the reconciler as a process: <c>gitops reconcile --once</c> wall time and peak RSS on the converged cluster.
/// </summary>
public static class ReconcileBenchmark
{
    private const string Environment = "prod";
    private const string Namespace = "ml";

    public static async Task<int> RunAsync(string[] args)
    {
        var models = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        await using var server = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = "bench" });
        var work = Directory.CreateTempSubdirectory("gitops-bench-reconcile-");
        try
        {
            using var repo = FakeGitRepo.Create();
            repo.Commit("initial", Repository(models));
            var kubeconfig = server.WriteKubeconfig(Path.Combine(work.FullName, "kubeconfig"), contextName: "bench", token: "bench", @namespace: Namespace);
            using var connection = KubernetesApiConnection.FromKubeconfig(kubeconfig, "bench");
            var metrics = new ReconcilerMetrics(includeProcessMetrics: false);
            var pass = new ReconcilePass(
                new GitSource(new GitSourceOptions { Url = repo.Path, Branch = "main", CacheDirectory = Path.Combine(work.FullName, "cache") }),
                new KubernetesClusterDriver(connection), new ConfigMapStatusStore(connection, "gitops-system"), new ClusterRegistry(new ConfigMapRegistryFactStore(connection, "gitops-system")),
                metrics, TimeProvider.System, new ReconcilePassSettings { Validate = RepositoryValidator.Validate },
                NullLogger<ReconcilePass>.Instance);

            Console.WriteLine($"gitops reconcile, {models:N0} models in one environment, fake API server over HTTP, {System.Environment.ProcessorCount} cores, .NET {System.Environment.Version}");
            var (initial, initialOutcome) = await TimeAsync(pass);
            Require(initialOutcome, "Applied");
            var objects = server.CurrentResourceVersion;

            var noChange = new List<TimeSpan>();
            for (var i = 0; i < 5; i++)
            {
                var (t, o) = await TimeAsync(pass);
                Require(o, "NoChange");
                noChange.Add(t);
            }

            var oneChange = new List<TimeSpan>();
            for (var i = 1; i <= 5; i++)
            {
                var changed = i * 37 % models;
                repo.Commit($"change model {changed}", SingleEnvironmentRepository.Files(Namespace, [($"m{changed:00000}", 100 + i)]));
                var (t, o) = await TimeAsync(pass);
                Require(o, "Applied");
                oneChange.Add(t);
            }

            // The reconciler as a process: a fresh `gitops reconcile --once` on the converged cluster.
            var gitops = Path.Combine(AppContext.BaseDirectory, "gitops.dll");
            var process = Enumerable.Range(0, 3).Select(_ => ProbeAndReport("dotnet",
                [gitops, "reconcile", "--once", "--repo", repo.Path, "--branch", "main", "--env", Environment,
                 "--kubeconfig", kubeconfig, "--context", "bench", "--namespace", "gitops-system",
                 "--workdir", Path.Combine(work.FullName, "once")])).OrderBy(m => m.Wall).ToList();
            var median = process[1];

            Console.WriteLine();
            Console.WriteLine("| pass | median of 5 | min | max |");
            Console.WriteLine("|---|---:|---:|---:|");
            Console.WriteLine($"| first pass (create everything, {initialOutcome}) | {Ms(initial)} | | |");
            Console.WriteLine($"| no change | {Ms(Median(noChange))} | {Ms(noChange.Min())} | {Ms(noChange.Max())} |");
            Console.WriteLine($"| one model changed | {Ms(Median(oneChange))} | {Ms(oneChange.Min())} | {Ms(oneChange.Max())} |");
            Console.WriteLine();
            Console.WriteLine("| reconciler process (`gitops reconcile --once`, converged cluster, median of 3) | wall | peak RSS | exit |");
            Console.WriteLine("|---|---:|---:|---:|");
            Console.WriteLine($"| fresh process: clone, validate, render, list, plan | {median.Wall.TotalSeconds:F2} s | {median.PeakRssBytes / 1048576.0:F0} MiB | {median.ExitCode} |");
            Console.WriteLine();
            Console.WriteLine($"objects in the cluster after the first pass: {server.ListObjects("batch/v1", "Job", Namespace).Count + server.ListObjects("v1", "ConfigMap", Namespace).Count:N0} (resource version {objects:N0})");
            Console.WriteLine($"benchmark process: peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB (reconciler, fake API server and Git repository together)");
            return median.ExitCode == 0 ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<(TimeSpan, string)> TimeAsync(ReconcilePass pass)
    {
        var sw = Stopwatch.StartNew();
        var outcome = (await pass.RunAsync([Environment], CancellationToken.None)).Single();
        return (sw.Elapsed, outcome is ReconcileOutcome.Retry r ? $"Retry: {r.Reason}" : outcome.Name);
    }

    private static void Require(string outcome, string expected)
    {
        if (outcome != expected)
        {
            throw new InvalidOperationException($"expected {expected}, got {outcome}");
        }
    }

    private static TimeSpan Median(List<TimeSpan> values) => values.Order().ElementAt(values.Count / 2);

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:N0} ms";

    private static Dictionary<string, string?> Repository(int models) =>
        SingleEnvironmentRepository.Files(Namespace, Enumerable.Range(0, models).Select(i => ($"m{i:00000}", 100)));

    private static ProcessProbe.Measurement ProbeAndReport(string fileName, IEnumerable<string> args)
    {
        var m = ProcessProbe.Run(fileName, args);
        if (m.ExitCode != 0)
        {
            Console.Error.WriteLine(m.Stdout);
            Console.Error.WriteLine(m.Stderr);
        }
        return m;
    }
}
