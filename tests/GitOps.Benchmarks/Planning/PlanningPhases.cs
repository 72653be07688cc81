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
        var specs = PlanningScale.Repository(models);
        var live = PlanningScale.Converged(specs, PlanningScale.AllServed(specs));
        output.WriteLine($"models: {models} × {PlanningScale.Environments.Length} environments; live objects: {live.Count}");
        var phases = new Dictionary<string, List<double>>();
        void Time(string phase, Action action)
        {
            var sw = Stopwatch.StartNew();
            action();
            (phases.TryGetValue(phase, out var list) ? list : phases[phase] = []).Add(sw.Elapsed.TotalMilliseconds);
        }
        for (var run = 0; run <= runs; run++)
        {
            RegistryFacts facts = RegistryFacts.Empty;
            Time("facts from live state", () => facts = ObservedFacts.From(live));
            foreach (var env in PlanningScale.Environments)
            {
                Time($"render {env}", () => Renderer.Render(specs, env, facts, new RenderContext("c1")));
            }
            Time("whole plan (facts + render + diff + summary)", () =>
                EnvironmentPlanner.Plan(specs, PlanningScale.Environments, ObservedFacts.From(live), new RenderContext("c1"), live));
            if (run == 0)
            {
                phases.Clear();
            }
        }
        foreach (var (phase, times) in phases)
        {
            times.Sort();
            output.WriteLine($"{phase,-48} median {times[times.Count / 2],8:F0} ms   min {times[0],8:F0} ms");
        }
        return 0;
    }
}
