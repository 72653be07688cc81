using System.Diagnostics;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Formatting;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;

namespace GitOps.Benchmarks.Planning;

/// <summary>
/// <c>dotnet run -c Release --project tests/GitOps.Benchmarks -- planning [models]</c>: times the full plan of
/// 2,000 models × 3 environments against the live cluster, and the plan after one model changes with a warm
/// render cache. Prints the median of 5 runs after a warm-up, and how many models were rendered vs reused.
/// </summary>
public static class PlanningBench
{
    public static int Run(TextWriter output, int models = 2000)
    {
        var specs = PlanningScale.Repository(models);
        var facts = PlanningScale.AllServed(specs);
        var live = PlanningScale.Converged(specs, facts);
        var deploymentsOnly = live.Where(o => o["kind"]!.ToString() == "Deployment").ToList();
        var changed = PlanningScale.WithOneModelChanged(models);
        output.WriteLine($"models: {models} × {PlanningScale.Environments.Length} environments; live objects: {live.Count} (Deployments only: {deploymentsOnly.Count})");
        output.WriteLine($"processors: {Environment.ProcessorCount}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");

        RepositoryPlan PlanWith(RenderCache? cache, GitOps.Specs.Model.SpecSet s, IReadOnlyList<JsonObject> observed, string commit) =>
            EnvironmentPlanner.Plan(s, PlanningScale.Environments, ObservedFacts.From(observed), new RenderContext(commit), observed, cache);

        Report(output, "full plan, cold (render all + diff all), cluster up to date",
            Measure(_ => PlanWith(null, specs, live, "c1")));
        Report(output, "full plan, cold, live state = the 6,000 Deployments only",
            Measure(_ => PlanWith(null, specs, deploymentsOnly, "c1")));

        // Every run is a new commit that changes one model relative to the previous one (the change is applied,
        // then reverted), so each run re-renders exactly that model in the three environments.
        var warm = new RenderCache();
        PlanWith(warm, specs, live, "c0");
        var oneChange = Measure(i => PlanWith(warm, i % 2 == 0 ? changed : specs, live, $"c{i + 1}"), evenOnly: true);
        Report(output, "one model changed, warm render cache, new commit", oneChange);

        Report(output, "formatting that plan as text + json + markdown", Measure(_ =>
        {
            PlanText.Format(oneChange.Result);
            PlanJson.Format(oneChange.Result);
            PlanMarkdown.Format(oneChange.Result);
            return oneChange.Result;
        }));
        return 0;
    }

    /// <summary>
    /// <c>plan-process [models]</c>: <c>gitops plan --all --format json</c> as a user runs it, in a fresh process, on a
    /// generated repository of N models × 3 environments (read, validate, render, diff, format): against an empty
    /// cluster, and against the converged cluster given as a live-state file in JSON and in YAML. Median of 3: wall
    /// time and peak RSS.
    /// </summary>
    public static int RunProcess(TextWriter output, int models = 2000)
    {
        var gitops = Path.Combine(AppContext.BaseDirectory, "gitops.dll");
        var dir = Directory.CreateTempSubdirectory($"gitops-plan-{models}-");
        try
        {
            var repo = Path.Combine(dir.FullName, "repo");
            GitOps.Testing.Generators.SyntheticRepository.WriteTo(repo, models);
            var specs = GitOps.Specs.SpecLoader.Load(GitOps.Testing.Generators.SyntheticRepository.Generate(models)).Specs;
            var live = PlanningScale.Converged(specs, PlanningScale.AllServed(specs));
            var yaml = Path.Combine(dir.FullName, "live.yaml");
            var json = Path.Combine(dir.FullName, "live.json");
            File.WriteAllText(yaml, YamlWriter.WriteStream(live));
            File.WriteAllText(json, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "List",
                ["items"] = new JsonArray([.. live.Select(o => o.DeepClone())]),
            }.ToJsonString());
            output.WriteLine($"gitops plan --all --format json, {models} models × 3 environments, fresh process, median of 3:");
            var failed = false;
            foreach (var (name, extra) in new (string, string[])[]
                     {
                         ("empty cluster", []),
                         ($"--live live.json ({live.Count} objects, {new FileInfo(json).Length / 1048576} MiB)", ["--live", json]),
                         ($"--live live.yaml ({live.Count} objects, {new FileInfo(yaml).Length / 1048576} MiB)", ["--live", yaml]),
                     })
            {
                var runs = Enumerable.Range(0, 3)
                    .Select(_ => Harness.ProcessProbe.Run("dotnet", [gitops, "plan", "--all", "--repo", repo, "--format", "json", "--commit", "c1", .. extra]))
                    .OrderBy(m => m.Wall).ToList();
                var median = runs[1];
                var plan = JsonNode.Parse(median.Stdout);
                output.WriteLine($"  {name}: wall {median.Wall.TotalSeconds:F2} s (min {runs[0].Wall.TotalSeconds:F2} s), " +
                                 $"peak RSS {median.PeakRssBytes / 1048576.0:F0} MiB, exit {median.ExitCode}, {median.Stdout.Length / 1024} KiB of JSON, " +
                                 $"changes: {plan?["hasChanges"]}");
                failed |= median.ExitCode != 0;
            }
            return failed ? 1 : 0;
        }
        finally
        {
            // GITOPS_BENCH_KEEP=1 leaves the repository and live-state files for a closer look (a profiler, say).
            if (Environment.GetEnvironmentVariable("GITOPS_BENCH_KEEP") == "1")
            {
                output.WriteLine($"kept: {dir.FullName}");
            }
            else
            {
                dir.Delete(true);
            }
        }
    }

    private sealed record Timing(TimeSpan Median, TimeSpan Min, TimeSpan CpuMedian, RepositoryPlan Result);

    /// <summary>One warm-up, then 5 measured runs (10 when only even runs count); median and minimum wall time, median CPU time.</summary>
    private static Timing Measure(Func<int, RepositoryPlan> run, bool evenOnly = false)
    {
        var i = 0;
        var result = run(i++);
        if (evenOnly)
        {
            run(i++);
        }
        var wall = new List<TimeSpan>();
        var cpu = new List<TimeSpan>();
        while (wall.Count < 5)
        {
            var counted = !evenOnly || i % 2 == 0;
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var r = run(i++);
            if (counted)
            {
                wall.Add(sw.Elapsed);
                cpu.Add(Process.GetCurrentProcess().TotalProcessorTime - before);
                result = r;
            }
        }
        wall.Sort();
        cpu.Sort();
        return new Timing(wall[2], wall[0], cpu[2], result);
    }

    private static void Report(TextWriter output, string name, Timing t)
    {
        var r = t.Result;
        var changes = r.Environments.Sum(e => e.Plan.Changes.Count());
        var rendered = r.Environments.Sum(e => e.Stats.Rendered);
        var reused = r.Environments.Sum(e => e.Stats.Reused);
        var objects = r.Environments.Sum(e => e.Plan.Actions.Length);
        output.WriteLine($"{name}: wall median {t.Median.TotalMilliseconds:F0} ms (min {t.Min.TotalMilliseconds:F0} ms), " +
                         $"CPU median {t.CpuMedian.TotalMilliseconds:F0} ms; {objects} desired objects, {changes} changes; " +
                         $"model renders: {rendered} rendered, {reused} reused");
    }
}
