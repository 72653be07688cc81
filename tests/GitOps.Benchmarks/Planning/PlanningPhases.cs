using System.Diagnostics;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;

namespace GitOps.Benchmarks.Planning;

/// <summary>
/// <c>dotnet run -c Release --project tests/GitOps.Benchmarks -- plan-phases [models] [runs]</c>: where the time of a
/// cold full plan goes — facts derived from the live state, render of each environment, and the whole plan — so a
/// change to one phase can be judged on its own. Prints the median of the runs after a warm-up.
/// </summary>
public static class PlanningPhases
{
    public static int Run(TextWriter output, int models = 2000, int runs = 5)
    {
        if (Environment.GetEnvironmentVariable("GITOPS_BENCH_BATCH") == "1")
        {
            System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.Batch;
        }
        var specs = PlanningScale.Repository(models);
        var live = PlanningScale.Converged(specs, PlanningScale.AllServed(specs));
        output.WriteLine($"models: {models} × {PlanningScale.Environments.Length} environments; live objects: {live.Count}");
        var phases = new Dictionary<string, List<double>>();
        var liveYaml = GitOps.Planning.Formatting.YamlWriter.WriteStream(live);
        var liveJson = new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "List",
            ["items"] = new System.Text.Json.Nodes.JsonArray([.. live.Select(o => o.DeepClone())]),
        }.ToJsonString();
        output.WriteLine($"live state (what `gitops plan --live FILE` reads) as YAML: {liveYaml.Length / (1024 * 1024)} MiB, " +
                         $"as JSON: {liveJson.Length / (1024 * 1024)} MiB");
        void Time(string phase, Action action)
        {
            var sw = Stopwatch.StartNew();
            action();
            (phases.TryGetValue(phase, out var list) ? list : phases[phase] = []).Add(sw.Elapsed.TotalMilliseconds);
        }
        using var sampler = Environment.GetEnvironmentVariable("GITOPS_BENCH_ALLOCATIONS") == "1" ? new AllocationSampler() : null;
        for (var run = 0; run <= runs; run++)
        {
            if (sampler is not null)
            {
                sampler.Enabled = run > 0;
            }
            Time("parse the live-state YAML", () => GitOps.Planning.Diff.LiveState.Parse(liveYaml));
            Time("parse the live-state JSON", () => GitOps.Planning.Diff.LiveState.Parse(liveJson));
            RegistryFacts facts = RegistryFacts.Empty;
            Time("facts from live state", () => facts = ObservedFacts.From(live));
            foreach (var env in PlanningScale.Environments)
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                RenderResult? render = null;
                Time($"render {env}", () => render = Renderer.Render(specs, env, facts, new RenderContext("c1")));
                var rendered = GC.GetTotalAllocatedBytes(precise: true);
                Time($"diff {env}", () => Planner.Plan(env, render!.Objects, live));
                if (run == runs)
                {
                    output.WriteLine($"{env}: render allocated {(rendered - before) / (1024 * 1024)} MiB for {render!.Objects.Length} objects, " +
                                     $"diff allocated {(GC.GetTotalAllocatedBytes(precise: true) - rendered) / (1024 * 1024)} MiB");
                }
            }
            var pause = GC.GetTotalPauseDuration();
            var gen0 = GC.CollectionCount(0);
            var gen2 = GC.CollectionCount(2);
            var allocated = GC.GetTotalAllocatedBytes();
            Time("whole plan (facts + render + diff + summary)", () =>
                EnvironmentPlanner.Plan(specs, PlanningScale.Environments, ObservedFacts.From(live), new RenderContext("c1"), live));
            (phases.TryGetValue("  of which GC pauses", out var pauses) ? pauses : phases["  of which GC pauses"] = [])
                .Add((GC.GetTotalPauseDuration() - pause).TotalMilliseconds);
            if (run == runs)
            {
                output.WriteLine($"last run: {GC.CollectionCount(0) - gen0} gen0 / {GC.CollectionCount(2) - gen2} gen2 collections, " +
                                 $"{(GC.GetTotalAllocatedBytes() - allocated) / (1024 * 1024)} MiB allocated, GC server={System.Runtime.GCSettings.IsServerGC} latency={System.Runtime.GCSettings.LatencyMode}");
            }
            if (run == 0)
            {
                phases.Clear();
            }
        }
        foreach (var (type, bytes) in sampler?.Top(25) ?? [])
        {
            output.WriteLine($"allocated (sampled) {bytes / runs / (1024 * 1024),6} MiB per run  {type}");
        }
        foreach (var (phase, times) in phases)
        {
            times.Sort();
            output.WriteLine($"{phase,-48} median {times[times.Count / 2],8:F0} ms   min {times[0],8:F0} ms");
        }
        return 0;
    }
}
