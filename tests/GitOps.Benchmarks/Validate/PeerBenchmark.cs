using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Benchmarks.Harness;
using GitOps.Testing.Generators;
using GitOps.Testing.Golden;

namespace GitOps.Benchmarks.Validate;

/// <summary>
/// <c>dotnet run -c Release --project tests/GitOps.Benchmarks -- validate-peer [--models N] [--runs N] [--keep] [--validate-only]</c>:
/// builds a repository of N clones of this repository's example models (<see cref="ExampleModelClones"/>), installs
/// ajv-cli 5 from npm into a temporary folder, and runs fresh processes in turn — ajv-cli validating every
/// <c>model.yaml</c> against the Model kind's JSON Schema, then <c>gitops validate</c> as each shipped form runs it —
/// then <c>gitops plan --all</c> on an empty cluster. Medians of wall time and peak resident memory (VmHWM), the ratio
/// against ajv-cli from the same run, and the load average.
/// </summary>
public static class PeerBenchmark
{
    private sealed record Tool(string Name, string FileName, string[] Prefix, bool Children);

    private sealed record Row(string Name, double WallSeconds, double PeakRssMiB, double? Ratio);

    public static int Run(string[] args)
    {
        var models = Option(args, "--models", 2000);
        var runs = Option(args, "--runs", 5);
        var keep = args.Contains("--keep");
        var validateOnly = args.Contains("--validate-only");
        var root = RepositoryPaths.Root;
        var dir = Directory.CreateTempSubdirectory("gitops-peer-");
        try
        {
            var repo = Path.Combine(dir.FullName, "repo");
            var sw = Stopwatch.StartNew();
            ExampleModelClones.WriteTo(repo, root, models);
            Git(repo, "init", "-q", "-b", "main");
            Git(repo, "add", "-A");
            Git(repo, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "clone the example models");
            Console.WriteLine($"repository: {models:N0} clones of the example models × {ExampleModelClones.Environments.Length} environments, " +
                              $"{Directory.EnumerateFiles(repo, "*", SearchOption.AllDirectories).Count(f => !f.Contains("/.git/", StringComparison.Ordinal)):N0} files, built in {sw.Elapsed.TotalSeconds:F1} s");
            var ajv = InstallAjv(Path.Combine(dir.FullName, "npm"));
            if (ajv is null)
            {
                return 1;
            }
            var schema = Path.Combine(root, "docs", "schemas", "model.schema.json");
            var peer = new Tool("ajv-cli 5 (Model schema only)", ajv, ["validate", "--spec=draft2020", "--allow-union-types", "-s", schema, "-d", Path.Combine(repo, "models", "*", "model.yaml")], false);
            var forms = GitOpsForms(root, Path.Combine(dir.FullName, "tool"));
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; load average before: {LoadAverage()}");
            Console.WriteLine($"peer: {string.Join(' ', [Path.GetFileName(peer.FileName), .. peer.Prefix.Select(a => a.Replace(dir.FullName, "$TMP", StringComparison.Ordinal))])}");
            var failed = false;

            // ajv-cli prints one "valid" line per file; gitops validate prints its findings (none expected).
            var validate = Measure([peer, .. forms.Select(f => f with { Name = $"gitops validate — {f.Name}", Prefix = [.. f.Prefix, "validate", repo] })], runs,
                (tool, m) => m.ExitCode == 0 && (!ReferenceEquals(tool, peer) || CountLines(m.Stderr + m.Stdout, " valid") == models));
            failed |= validate is null;
            var plan = validateOnly ? null : Measure([.. forms.Select(f => f with { Name = $"gitops plan --all — {f.Name}", Prefix = [.. f.Prefix, "plan", "--all", repo] })], runs,
                (_, m) => m.ExitCode == 0);
            failed |= !validateOnly && plan is null;
            Console.WriteLine();
            Console.WriteLine($"Load average after: {LoadAverage()}. Medians of {runs} runs after one warm-up each; tools alternate in every round.");
            Console.WriteLine();
            Print(validate, "validate");
            if (!validateOnly)
            {
                Print(plan, "plan --all (empty cluster)");
            }
            return failed ? 1 : 0;
        }
        finally
        {
            if (keep)
            {
                Console.WriteLine($"kept: {dir.FullName}");
            }
            else
            {
                dir.Delete(true);
            }
        }
    }

    /// <summary>
    /// One warm-up run of each tool (its result checked), then <paramref name="runs"/> rounds in which every tool runs
    /// once in turn, so that background load drifts over all of them alike. The ratio is the median of the per-round
    /// ratios against the first tool.
    /// </summary>
    private static List<Row>? Measure(IReadOnlyList<Tool> tools, int runs, Func<Tool, ProcessProbe.Measurement, bool> check)
    {
        foreach (var tool in tools)
        {
            var warm = ProcessProbe.Run(tool.FileName, tool.Prefix, tool.Children);
            if (!check(tool, warm))
            {
                Console.Error.WriteLine($"{tool.Name} failed (exit {warm.ExitCode}):\n{Tail(warm.Stdout)}\n{Tail(warm.Stderr)}");
                return null;
            }
        }
        var samples = tools.Select(_ => new List<ProcessProbe.Measurement>()).ToArray();
        for (var round = 0; round < runs; round++)
        {
            for (var t = 0; t < tools.Count; t++)
            {
                samples[t].Add(ProcessProbe.Run(tools[t].FileName, tools[t].Prefix, tools[t].Children));
            }
            Console.Write('.');
        }
        return [.. tools.Select((tool, t) => new Row(
            tool.Name,
            Median(samples[t].Select(m => m.Wall.TotalSeconds)),
            Median(samples[t].Select(m => m.PeakRssBytes / 1048576.0)),
            t == 0 ? null : Median(samples[t].Zip(samples[0], (m, first) => m.Wall.TotalSeconds / first.Wall.TotalSeconds))))];
    }

    private static void Print(List<Row>? rows, string what)
    {
        if (rows is null)
        {
            Console.WriteLine($"{what}: failed (see above)");
            return;
        }
        Console.WriteLine($"| {what} | wall (median) | peak RSS (median) | wall ÷ {rows[0].Name} (median of paired runs) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var row in rows)
        {
            var ratio = row.Ratio is { } r ? $"{r:F2} ({1 / r:F2}× as fast)" : "1";
            Console.WriteLine($"| {row.Name} | {row.WallSeconds:F2} s | {row.PeakRssMiB:F0} MiB | {ratio} |");
        }
        Console.WriteLine();
    }

    /// <summary>The shipped native executable, single file and .NET tool when they were built (the tool installed
    /// into <paramref name="toolPath"/> from <c>artifacts/packages</c>, as a user installs it), the built program
    /// under <c>dotnet</c>, and <c>dotnet run --no-build</c>.</summary>
    private static List<Tool> GitOpsForms(string root, string toolPath)
    {
        var forms = new List<Tool>();
        var native = Path.Combine(root, "artifacts", "publish-native", "linux-x64", "gitops");
        if (File.Exists(native))
        {
            forms.Add(new Tool("native (artifacts/publish-native/linux-x64/gitops)", native, [], false));
        }
        else
        {
            Console.WriteLine("no native executable at artifacts/publish-native/linux-x64/gitops ('dotnet cake build/build.cake --target=PublishNative' makes it)");
        }
        var single = Path.Combine(root, "artifacts", "publish", "linux-x64", "gitops");
        if (File.Exists(single))
        {
            forms.Add(new Tool("single file (artifacts/publish/linux-x64/gitops)", single, [], false));
        }
        else
        {
            Console.WriteLine("no single file at artifacts/publish/linux-x64/gitops ('dotnet cake build/build.cake --target=Publish' makes it): measuring the other forms");
        }
        var packages = Path.Combine(root, "artifacts", "packages");
        if (Directory.Exists(packages) && Directory.EnumerateFiles(packages, "GitOps.Ml.Cli.*.nupkg").Any())
        {
            var install = ProcessProbe.Run("dotnet", ["tool", "install", "--tool-path", toolPath, "GitOps.Ml.Cli", "--add-source", packages]);
            var tool = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "gitops.exe" : "gitops");
            if (install.ExitCode == 0 && File.Exists(tool))
            {
                var package = Directory.EnumerateDirectories(Path.Combine(toolPath, ".store", "gitops.ml.cli"), "gitops.ml.cli.*", SearchOption.AllDirectories)
                    .Select(Path.GetFileName).FirstOrDefault() ?? "gitops.ml.cli";
                forms.Add(new Tool($".NET tool ({package}, installed from artifacts/packages)", tool, [], false));
            }
            else
            {
                Console.WriteLine($"dotnet tool install from artifacts/packages failed (exit {install.ExitCode}): measuring the other forms\n{Tail(install.Stderr + install.Stdout)}");
            }
        }
        else
        {
            Console.WriteLine("no tool package in artifacts/packages ('dotnet cake build/build.cake --target=Pack' makes it): measuring the other forms");
        }
        forms.Add(new Tool("dotnet gitops.dll (Release build)", "dotnet", [Path.Combine(AppContext.BaseDirectory, "gitops.dll")], false));
        forms.Add(new Tool("dotnet run --no-build", "dotnet", ["run", "--project", Path.Combine(root, "platform", "GitOps.Cli"), "-c", "Release", "--no-build", "--"], true));
        return forms;
    }

    /// <summary>Installs ajv-cli 5 into <paramref name="prefix"/> with npm and returns its executable, or null.</summary>
    private static string? InstallAjv(string prefix)
    {
        Directory.CreateDirectory(prefix);
        var sw = Stopwatch.StartNew();
        var install = ProcessProbe.Run("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save", "--loglevel=error", "ajv-cli@5"]);
        var bin = Path.Combine(prefix, "node_modules", ".bin", "ajv");
        if (install.ExitCode != 0 || !File.Exists(bin))
        {
            Console.Error.WriteLine($"npm install ajv-cli@5 failed (exit {install.ExitCode}):\n{Tail(install.Stderr)}");
            return null;
        }
        var version = (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(prefix, "node_modules", "ajv-cli", "package.json")))?["version"];
        var ajvVersion = (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(prefix, "node_modules", "ajv", "package.json")))?["version"];
        var node = ProcessProbe.Run("node", ["--version"]).Stdout.Trim();
        Console.WriteLine($"ajv-cli {version} (ajv {ajvVersion}, YAML through js-yaml), node {node}; npm install took {sw.Elapsed.TotalSeconds:F1} s");
        return bin;
    }

    private static void Git(string repo, params string[] args)
    {
        var result = ProcessProbe.Run("git", ["-C", repo, .. args]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {result.Stderr}");
        }
    }

    private static int CountLines(string text, string suffix) =>
        text.Split('\n').Count(l => l.EndsWith(suffix, StringComparison.Ordinal));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string Tail(string text) => text.Length > 2000 ? text[^2000..] : text;

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
