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
    /// <c>validate-phases N</c>: one cold then one warm pass over a generated repository of N models, timing each
    /// phase (read, load + schema, semantic, policy) in this process.
    /// </summary>
    public static int Phases(string[] args)
    {
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
            foreach (var pass in new[] { "cold", "warm" })
            {
                var sw = Stopwatch.StartNew();
                var files = GitOps.Specs.SpecFileReader.Read(dir.FullName);
                var read = sw.Elapsed;
                var load = GitOps.Specs.SpecLoader.Load(files);
                var loaded = sw.Elapsed;
                GitOps.Specs.SemanticChecker.Check(load.Specs);
                var semantic = sw.Elapsed;
                PolicyChecks.Check(load.Specs);
                var policy = sw.Elapsed;
                Console.WriteLine($"| {pass} | {read.TotalMilliseconds:F0} ms | {(loaded - read).TotalMilliseconds:F0} ms | {(semantic - loaded).TotalMilliseconds:F0} ms | {(policy - semantic).TotalMilliseconds:F0} ms | {policy.TotalMilliseconds:F0} ms |");
            }
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
