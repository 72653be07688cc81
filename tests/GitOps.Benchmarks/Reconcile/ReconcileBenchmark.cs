using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using GitOps.Benchmarks.Harness;
using GitOps.Planning.Cluster;
using GitOps.Policy;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Git;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.Registry;
using GitOps.Specs;
using GitOps.Testing.FakeKubernetes;
using GitOps.Testing.Generators;
using GitOps.Testing.Git;
using GitOps.Testing.Golden;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Benchmarks.Reconcile;

/// <summary>
/// <c>dotnet run -c Release --project tests/GitOps.Benchmarks -- reconcile [models] [--quick] [--gitops EXECUTABLE]</c>: one environment with N
/// models (default 2,000) in a real Git repository, reconciled against the fake Kubernetes API server over HTTP with
/// the real driver. Measures first passes on empty clusters at several apply parallelisms (with a per-write latency,
/// and against a server that throttles writes with 429 Retry-After), a warm reconciler's pass with no change (listing
/// every kind, then reading what the drift watch saw) and with a single-model change (median of 5), then the reconciler as a process: <c>gitops reconcile --once</c> wall time and
/// peak RSS on the converged cluster under each garbage collector setting. With <c>--quick</c>: only the warm
/// reconciler's no-change passes and the process under the reconciler image's settings. With <c>--gitops EXECUTABLE</c>
/// the process is measured as that executable too (the published single file the reconciler image runs).
/// </summary>
public static class ReconcileBenchmark
{
    internal const string Environment = "prod";
    internal const string Namespace = "ml";

    /// <summary>First passes measured, each against a new, empty API server: the apply parallelism, and how the
    /// server answers writes (latency per write; writes it admits at once before answering 429 with Retry-After).</summary>
    private static readonly (int Parallelism, TimeSpan WriteLatency, int? ServerLimit)[] FirstPasses =
    [
        (1, TimeSpan.FromMilliseconds(5), null),
        (8, TimeSpan.FromMilliseconds(5), null),
        (32, TimeSpan.FromMilliseconds(5), null),
        (32, TimeSpan.FromMilliseconds(5), 8),
    ];

    /// <summary>The reconciler process under the garbage collectors it may run with: the <c>gitops</c> default, the
    /// workstation collector alone, and the settings the reconciler image ships with (read from its Dockerfile, so
    /// that this measures what ships).</summary>
    private static readonly (string Name, Dictionary<string, string> Variables)[] Collectors =
    [
        ("server GC (the `gitops` default)", new() { ["DOTNET_gcServer"] = "1" }),
        ("workstation GC (`DOTNET_gcServer=0`), the runtime's own gen0 budget", new() { ["DOTNET_gcServer"] = "0" }),
        ImageCollector(),
        ("workstation GC, `DOTNET_GCConserveMemory=5`", new() { ["DOTNET_gcServer"] = "0", ["DOTNET_GCConserveMemory"] = "5" }),
    ];

    /// <summary>The reconciler image's <c>DOTNET_</c> settings (<see cref="ImageCollector"/>).</summary>
    internal static readonly Dictionary<string, string> ImageVariables = Collectors[2].Variables;

    /// <summary>The <c>DOTNET_</c> settings of the reconciler image's final stage (platform/deploy/reconciler/Dockerfile).</summary>
    private static (string Name, Dictionary<string, string> Variables) ImageCollector()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "platform", "deploy", "reconciler", "Dockerfile"));
        var finalStage = dockerfile[dockerfile.LastIndexOf("\nFROM ", StringComparison.Ordinal)..];
        var variables = Regex.Matches(finalStage, @"\b(DOTNET_\w+)=(\S+)")
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        if (!variables.ContainsKey("DOTNET_gcServer"))
        {
            throw new InvalidOperationException("platform/deploy/reconciler/Dockerfile sets no DOTNET_gcServer in its final stage");
        }
        return ($"the reconciler image's settings (`{string.Join(' ', variables.Select(v => $"{v.Key}={v.Value}"))}`)", variables);
    }

    /// <summary>The synthetic models are untrained: each renders its training Job and its ConfigMap.</summary>
    internal const int ObjectsPerModel = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        var models = args.Length > 0 && !args[0].StartsWith('-') ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        // --quick: the passes of one warm reconciler and the process under the reconciler image's settings only.
        var quick = args.Contains("--quick");
        // --gitops EXECUTABLE: the process rows run this executable too (the published single file), beside the build.
        var shipped = Array.IndexOf(args, "--gitops") is var at and >= 0 && at + 1 < args.Length ? Path.GetFullPath(args[at + 1]) : null;
        var work = Directory.CreateTempSubdirectory("gitops-bench-reconcile-");
        try
        {
            using var repo = FakeGitRepo.Create();
            repo.Commit("initial", Repository(models));
            Console.WriteLine($"gitops reconcile, {models:N0} models in one environment, fake API server over HTTP, {System.Environment.ProcessorCount} cores, .NET {System.Environment.Version}");

            var firstPasses = new List<string>();
            for (var i = 0; i < (quick ? 0 : FirstPasses.Length); i++)
            {
                var (parallelism, latency, limit) = FirstPasses[i];
                await using var empty = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions
                {
                    BearerToken = "bench",
                    WriteLatency = latency,
                    MaxMutatingRequestsInFlight = limit,
                });
                using var rig = Rig.Create(empty, repo, Path.Combine(work.FullName, $"first-{i}"), parallelism);
                firstPasses.Add(await FirstPassAsync(rig, empty, parallelism, latency, limit));
            }

            // The rest continues from a first pass at the default parallelism, on a server that answers at once.
            await using var server = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = "bench" });
            using var main = Rig.Create(server, repo, Path.Combine(work.FullName, "main"), parallelism: 8);
            var pass = main.Pass;
            var kubeconfig = main.Kubeconfig;
            var (initial, initialOutcome) = await TimeAsync(pass);
            Require(initialOutcome, "Applied");
            var objects = server.CurrentResourceVersion;

            // Without a drift watch (as before one runs, or when it broke) every pass lists each kind.
            var listing = new List<TimeSpan>();
            for (var i = 0; i < 5; i++)
            {
                var (t, o) = await TimeAsync(pass);
                Require(o, "NoChange");
                listing.Add(t);
            }

            // A running reconciler watches what it converged for drift (ReconcileLoop follows each environment after
            // its first pass), and its passes read the watched objects instead of listing them.
            // What a running reconciler holds for the objects it watches: the live heap before the watch starts and
            // after its passes (the fake API server's own store is in both).
            var heapBeforeWatch = LiveHeap();
            var drift = new DriftWatch(main.Driver, new ReconcileTrigger(), TimeProvider.System, TimeSpan.FromSeconds(2), NullLogger.Instance);
            drift.Follow(Environment, Namespace);
            while (!main.Driver.ReadsFromWatch(Environment, Namespace))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }

            var noChange = new List<TimeSpan>();
            for (var i = 0; i < 5; i++)
            {
                var (t, o) = await TimeAsync(pass);
                Require(o, "NoChange");
                noChange.Add(t);
            }

            var heapWatching = LiveHeap();
            var oneChange = new List<TimeSpan>();
            for (var i = 1; i <= (quick ? 0 : 5); i++)
            {
                var changed = i * 37 % models;
                repo.Commit($"change model {changed}", SingleEnvironmentRepository.Files(Namespace, [($"m{changed:00000}", 100 + i)]));
                var (t, o) = await TimeAsync(pass);
                Require(o, "Applied");
                oneChange.Add(t);
            }
            await drift.StopAsync();

            // The reconciler as a process: a fresh `gitops reconcile --once` on the converged cluster.
            string[] once = ["reconcile", "--once", "--repo", repo.Path, "--branch", "main", "--env", Environment,
                "--kubeconfig", kubeconfig, "--context", "bench", "--namespace", "gitops-system", "--workdir", Path.Combine(work.FullName, "once")];
            if (args.Contains("--hold"))
            {
                // --hold: leave the converged cluster up for measuring the process by hand, until stdin closes.
                Console.WriteLine($"converged; run: dotnet {Path.Combine(AppContext.BaseDirectory, "gitops.dll")} {string.Join(' ', once)}");
                await Console.In.ReadToEndAsync();
            }
            (string Name, string File, string[] Prefix)[] forms =
            [
                ("`dotnet gitops.dll`", "dotnet", [Path.Combine(AppContext.BaseDirectory, "gitops.dll")]),
                .. shipped is null ? Array.Empty<(string, string, string[])>() : [($"`{shipped}`", shipped, [])],
            ];
            var processes = forms.SelectMany(f => Collectors.Where(c => !quick || c.Variables == ImageVariables)
                .Select(c => (Name: $"{f.Name}, {c.Name}", Runs: Enumerable.Range(0, 3).Select(_ => ProbeAndReport(f.File, [.. f.Prefix, .. once], c.Variables)).ToList()))).ToList();

            // Its first pass as a process: a fresh `gitops reconcile --once` creating every object on an empty cluster,
            // under the reconciler image's settings.
            var firstProcesses = new List<(string Name, List<ProcessProbe.Measurement> Runs)>();
            foreach (var f in forms)
            {
                var runs = new List<ProcessProbe.Measurement>();
                for (var i = 0; i < 3; i++)
                {
                    await using var empty = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = "bench" });
                    var directory = Directory.CreateDirectory(Path.Combine(work.FullName, $"first-process-{firstProcesses.Count}-{i}")).FullName;
                    var emptyKubeconfig = empty.WriteKubeconfig(Path.Combine(directory, "kubeconfig"), contextName: "bench", token: "bench", @namespace: Namespace);
                    string[] first = ["reconcile", "--once", "--repo", repo.Path, "--branch", "main", "--env", Environment,
                        "--kubeconfig", emptyKubeconfig, "--context", "bench", "--namespace", "gitops-system", "--workdir", Path.Combine(directory, "once")];
                    runs.Add(ProbeAndReport(f.File, [.. f.Prefix, .. first], ImageVariables));
                    var created = empty.ListObjects("batch/v1", "Job", Namespace).Count + empty.ListObjects("v1", "ConfigMap", Namespace).Count;
                    if (created != ObjectsPerModel * models)
                    {
                        throw new InvalidOperationException($"the first pass created {created} objects, not {ObjectsPerModel * models}");
                    }
                }
                firstProcesses.Add(($"{f.Name}, the reconciler image's settings", runs));
            }

            Console.WriteLine();
            Console.WriteLine("| first pass (create everything, empty cluster) | wall | 429 answers | peak writes in flight |");
            Console.WriteLine("|---|---:|---:|---:|");
            foreach (var line in firstPasses)
            {
                Console.WriteLine(line);
            }
            Console.WriteLine();
            Console.WriteLine("| pass | median of 5 | min | max |");
            Console.WriteLine("|---|---:|---:|---:|");
            Console.WriteLine($"| first pass (create everything, {initialOutcome}, 8 at once) | {Ms(initial)} | | |");
            Console.WriteLine($"| no change, listing every kind (no drift watch running) | {Ms(Median(listing))} | {Ms(listing.Min())} | {Ms(listing.Max())} |");
            Console.WriteLine($"| no change, reading the drift watch's objects (a running reconciler) | {Ms(Median(noChange))} | {Ms(noChange.Min())} | {Ms(noChange.Max())} |");
            Console.WriteLine();
            Console.WriteLine($"live heap of the benchmark process after a full collection: {heapBeforeWatch / 1048576.0:N1} MiB before the drift watch started, {heapWatching / 1048576.0:N1} MiB after 5 passes reading it: the watch's {ObjectsPerModel * models:N0} objects hold {(heapWatching - heapBeforeWatch) / 1048576.0:N1} MiB");
            if (oneChange.Count > 0)
            {
                Console.WriteLine($"| one model changed | {Ms(Median(oneChange))} | {Ms(oneChange.Min())} | {Ms(oneChange.Max())} |");
            }
            Console.WriteLine();
            Console.WriteLine("| reconciler process (`gitops reconcile --once`, converged cluster, median of 3) | wall | peak RSS | min–max peak RSS | exit |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var (name, runs) in processes)
            {
                Console.WriteLine(ProcessRow($"fresh process, {name}: clone, validate, render, list, plan", runs));
            }
            Console.WriteLine();
            Console.WriteLine("| reconciler process, first pass (`gitops reconcile --once`, empty cluster, median of 3) | wall | peak RSS | min–max peak RSS | exit |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var (name, runs) in firstProcesses)
            {
                Console.WriteLine(ProcessRow($"fresh process, {name}: clone, validate, render, list, create {ObjectsPerModel * models:N0} objects", runs));
            }
            Console.WriteLine();
            Console.WriteLine($"objects in the cluster after the first pass: {server.ListObjects("batch/v1", "Job", Namespace).Count + server.ListObjects("v1", "ConfigMap", Namespace).Count:N0} (resource version {objects:N0})");
            Console.WriteLine($"benchmark process: peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB (reconciler, fake API server and Git repository together)");
            Console.WriteLine($"load average: {LoadAverage()}");
            return processes.Concat(firstProcesses).All(p => p.Runs.All(m => m.ExitCode == 0)) ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>A pass over one fake API server, wired as <c>gitops reconcile</c> wires it (<paramref name="shard"/>
    /// as <c>--shard</c>; validation keeps no parsed tree, as the command's).</summary>
    internal sealed class Rig : IDisposable
    {
        private readonly KubernetesApiConnection _connection;

        private Rig(KubernetesApiConnection connection, KubernetesClusterDriver driver, ReconcilePass pass, string kubeconfig)
        {
            _connection = connection;
            Driver = driver;
            Pass = pass;
            Kubeconfig = kubeconfig;
        }

        public KubernetesClusterDriver Driver { get; }

        public ReconcilePass Pass { get; }

        public string Kubeconfig { get; }

        public long Throttled => _connection.ThrottledAnswers;

        public static Rig Create(FakeKubernetesApiServer server, FakeGitRepo repo, string directory, int parallelism, Shard? shard = null)
        {
            shard ??= Shard.Whole;
            Directory.CreateDirectory(directory);
            var kubeconfig = server.WriteKubeconfig(Path.Combine(directory, "kubeconfig"), contextName: "bench", token: "bench", @namespace: Namespace);
            var connection = KubernetesApiConnection.FromKubeconfig(kubeconfig, "bench");
            var driver = new KubernetesClusterDriver(connection, new KubernetesDriverOptions { Shard = shard });
            var pass = new ReconcilePass(
                new GitSource(new GitSourceOptions { Url = repo.Path, Branch = "main", CacheDirectory = Path.Combine(directory, "cache") }),
                driver, new ConfigMapStatusStore(connection, "gitops-system", shard), new ClusterRegistry(new ConfigMapRegistryFactStore(connection, "gitops-system")),
                new ReconcilerMetrics(includeProcessMetrics: false, shard), TimeProvider.System,
                new ReconcilePassSettings
                {
                    Validate = files => RepositoryValidator.Validate(files, null, shard.ValidationChunks),
                    ApplyParallelism = parallelism,
                    Shard = shard,
                },
                NullLogger<ReconcilePass>.Instance);
            return new Rig(connection, driver, pass, kubeconfig);
        }

        public void Dispose() => _connection.Dispose();
    }

    private static async Task<string> FirstPassAsync(Rig rig, FakeKubernetesApiServer server, int parallelism, TimeSpan latency, int? limit)
    {
        var (time, outcome) = await TimeAsync(rig.Pass);
        Require(outcome, "Applied");
        var setting = $"{parallelism} at once" + (latency > TimeSpan.Zero ? $", {latency.TotalMilliseconds:0} ms per write" : "")
            + (limit is { } l ? $", server admits {l} writes at once" : "");
        return $"| {setting} | {Ms(time)} | {rig.Throttled:N0} | {server.PeakMutatingRequestsInFlight} |";
    }

    internal static string ProcessRow(string name, List<ProcessProbe.Measurement> runs)
    {
        var median = runs.OrderBy(m => m.Wall).ElementAt(runs.Count / 2);
        var rss = runs.Select(m => m.PeakRssBytes / 1048576.0).Order().ToList();
        return $"| {name} | {median.Wall.TotalSeconds:F2} s | {rss[rss.Count / 2]:F0} MiB | {rss[0]:F0}–{rss[^1]:F0} MiB | {median.ExitCode} |";
    }

    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

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

    internal static Dictionary<string, string?> Repository(int models) =>
        SingleEnvironmentRepository.Files(Namespace, Enumerable.Range(0, models).Select(i => ($"m{i:00000}", 100)));

    internal static ProcessProbe.Measurement ProbeAndReport(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var m = ProcessProbe.Run(fileName, args, environment: environment);
        if (m.ExitCode != 0)
        {
            Console.Error.WriteLine(m.Stdout);
            Console.Error.WriteLine(m.Stderr);
        }
        return m;
    }

    internal static long LiveHeap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
