using System.Diagnostics;
using System.Globalization;
using GitOps.Benchmarks.Harness;
using GitOps.Policy;
using GitOps.Testing.Generators;

namespace GitOps.Benchmarks.Validate;

/// <summary>
/// <c>dotnet run -c Release --project tests/GitOps.Benchmarks -- validate [sizes...]</c>: generates repositories of
/// N models × 3 environments with gates, rollout and org policies, then measures <c>gitops validate</c> as a user runs
/// it (a fresh process: wall time and peak RSS, median of 3) and the warm in-process validation time.
/// </summary>
public static class ValidateBenchmark
{
    /// <summary>
    /// <c>validate-phases N|DIR [--warm-runs K]</c>: one cold pass, then the fastest of K warm passes (default 1), over a
    /// generated repository of N models or an existing folder, timing each phase (read, load + schema, semantic,
    /// policy) in this process.
    /// </summary>
    public static int Phases(string[] args)
    {
        var warmRuns = 1;
        var at = Array.IndexOf(args, "--warm-runs");
        if (at >= 0)
        {
            warmRuns = int.Parse(args[at + 1], CultureInfo.InvariantCulture);
            args = [.. args[..at], .. args[(at + 2)..]];
        }
        // An existing folder (such as a repository kept by validate-peer --keep) is measured as it is.
        var existing = args.Length > 0 && Directory.Exists(args[0]) ? new DirectoryInfo(args[0]) : null;
        var n = existing is null && args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var dir = existing ?? Directory.CreateTempSubdirectory($"gitops-bench-{n}-");
        try
        {
            if (existing is null)
            {
                SyntheticRepository.WriteTo(dir.FullName, n);
            }
            Console.WriteLine("| pass | read | load + schema | semantic | policy | total |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            var cold = Pass(dir.FullName);
            var best = Enumerable.Range(0, warmRuns).Select(_ => Pass(dir.FullName)).MinBy(p => p.Cpu[^1])!;
            var warm = warmRuns == 1 ? "warm" : $"warm (least CPU of {warmRuns})";
            Console.WriteLine(Format("cold, wall", cold.Wall));
            Console.WriteLine(Format("cold, CPU", cold.Cpu));
            Console.WriteLine(Format(warm + ", wall", best.Wall));
            Console.WriteLine(Format(warm + ", CPU", best.Cpu));
            Console.WriteLine(Format("allocated", best.Allocated));
        }
        finally
        {
            if (existing is null)
            {
                dir.Delete(true);
            }
        }
        return 0;
    }

    /// <summary>
    /// Elapsed wall time and CPU time of this process (every thread) at the end of each phase: read, load + schema,
    /// semantic, policy. CPU time moves less than wall time when other work shares the machine.
    /// </summary>
    private static (TimeSpan[] Wall, TimeSpan[] Cpu, long[] Allocated) Pass(string root)
    {
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        var wall = new TimeSpan[4];
        var cpu = new TimeSpan[4];
        var allocated = new long[4];
        var sw = Stopwatch.StartNew();
        void Mark(int phase)
        {
            wall[phase] = sw.Elapsed;
            process.Refresh();
            cpu[phase] = process.TotalProcessorTime - cpu0;
            allocated[phase] = GC.GetTotalAllocatedBytes(precise: true) - allocated0;
        }
        var files = GitOps.Specs.SpecFileReader.Read(root);
        Mark(0);
        // As RepositoryValidator loads: policies first, the views they read built at load.
        var load = GitOps.Specs.SpecLoader.Load(files, GitOps.Specs.LoaderLimits.Default with { PolicyViews = GitOps.Policy.Policies.PolicyEvaluator.FieldsRead });
        Mark(1);
        GitOps.Specs.SemanticChecker.Check(load.Specs);
        Mark(2);
        PolicyChecks.Check(load.Specs);
        Mark(3);
        return (wall, cpu, allocated);
    }

    private static string Format(string what, long[] bytes) =>
        $"| {what} | {Mib(bytes[0])} | {Mib(bytes[1] - bytes[0])} | {Mib(bytes[2] - bytes[1])} | {Mib(bytes[3] - bytes[2])} | {Mib(bytes[3])} |";

    private static string Mib(long bytes) => $"{bytes / 1048576.0:F1} MiB";

    private static string Format(string pass, TimeSpan[] t) =>
        $"| {pass} | {t[0].TotalMilliseconds:F0} ms | {(t[1] - t[0]).TotalMilliseconds:F0} ms | {(t[2] - t[1]).TotalMilliseconds:F0} ms | {(t[3] - t[2]).TotalMilliseconds:F0} ms | {t[3].TotalMilliseconds:F0} ms |";

    public static int Run(string[] args)
    {
        var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [100, 1000, 2000, 5000];
        var gitops = Path.Combine(AppContext.BaseDirectory, "gitops.dll");
        Console.WriteLine($"gitops validate, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine("| models × envs | files | process wall (median of 3) | peak RSS | in-process (warm, median of 5) | errors |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var n in sizes)
        {
            var dir = Directory.CreateTempSubdirectory($"gitops-bench-{n}-");
            try
            {
                SyntheticRepository.WriteTo(dir.FullName, n);
                var files = SyntheticRepository.Generate(n);
                var runs = Enumerable.Range(0, 3)
                    .Select(_ => ProcessProbe.Run("dotnet", [gitops, "validate", dir.FullName, "--format", "json"]))
                    .OrderBy(m => m.Wall).ToList();
                var median = runs[1];
                RepositoryValidator.Validate(files);
                var warm = Enumerable.Range(0, 5).Select(_ =>
                {
                    var sw = Stopwatch.StartNew();
                    RepositoryValidator.Validate(files);
                    return sw.Elapsed;
                }).Order().ElementAt(2);
                var errors = RepositoryValidator.Validate(files).Diagnostics.Count(d => d.IsError);
                Console.WriteLine($"| {n:N0} × 3 | {files.Count:N0} | {median.Wall.TotalSeconds:F2} s | {median.PeakRssBytes / 1048576.0:F0} MiB | {warm.TotalMilliseconds:F0} ms | {errors} |");
                if (median.ExitCode != 0)
                {
                    Console.Error.WriteLine($"gitops validate exited {median.ExitCode} for {n} models");
                    return 1;
                }
            }
            finally
            {
                dir.Delete(true);
            }
        }
        return 0;
    }
}
