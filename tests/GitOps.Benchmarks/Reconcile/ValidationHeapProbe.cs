using System.Globalization;
using GitOps.Planning.Cluster;
using GitOps.Policy;
using GitOps.Specs;

namespace GitOps.Benchmarks.Reconcile;

/// <summary>
/// <c>dotnet run -c Release --project tests/GitOps.Benchmarks -- validation-heap [MODELS...]</c>: what validating a whole
/// commit holds and allocates, as every reconciler shard validates it (the reconcile benchmark's repository of MODELS
/// models, spec files only, <see cref="LoaderLimits.KeepTrees"/> off). Live heap after a full compacting collection
/// with the result held, against the heap before; allocated bytes of the validation itself. Exact, in-process: the
/// part of a pass's peak that grows with the models of the commit rather than those of the shard. <c>MODELS:SHARDS</c>
/// validates as shard 1 of SHARDS does, a part at a time keeping only its own models (<see cref="ValidationChunks"/>).
/// </summary>
public static class ValidationHeapProbe
{
    public static int Run(string[] args)
    {
        var sizes = (args.Length > 0 ? args : ["2000", "8000"])
            .Select(a => a.Split(':') is [var m, var s] ? (Models: int.Parse(m, CultureInfo.InvariantCulture), Shards: int.Parse(s, CultureInfo.InvariantCulture))
                : (Models: int.Parse(a, CultureInfo.InvariantCulture), Shards: 1))
            .ToArray();
        var limits = LoaderLimits.Default with { KeepTrees = false };
        // One small run first: what the first use loads (schemas, the expression engine) is not the commit's.
        RepositoryValidator.Validate(Files(10), limits);
        Console.WriteLine("| models | shards | spec file bytes | live heap the validated commit holds | per model | allocated while validating | errors |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (models, shards) in sizes)
        {
            var chunks = new Shard(1, shards).ValidationChunks;
            var files = Files(models);
            var before = ReconcileBenchmark.LiveHeap();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var result = RepositoryValidator.Validate(files, limits, chunks);
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            var held = ReconcileBenchmark.LiveHeap() - before;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {models:N0} | {shards} | {files.Sum(f => (long)f.Content.Length) / 1048576.0:F1} MiB | {held / 1048576.0:F1} MiB | {held / (double)models / 1024:F2} KiB | {allocated / 1048576.0:F0} MiB | {result.Diagnostics.Length} |"));
            GC.KeepAlive(result);
        }
        return 0;
    }

    private static List<SourceFile> Files(int models) =>
        [.. RepositoryFiles.Select(ReconcileBenchmark.Repository(models)
            .Where(f => f.Value is not null)
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => SourceFile.FromText(f.Key, f.Value!)))];
}
