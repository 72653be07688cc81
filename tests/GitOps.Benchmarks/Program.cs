using GitOps.Benchmarks.Serving;
using GitOps.Benchmarks.Validate;

// Each area adds one line: the first argument picks the benchmark, the rest are its options.
return args.FirstOrDefault() switch
{
    "validate" => ValidateBenchmark.Run(args[1..]),
    "validate-phases" => ValidateBenchmark.Phases(args[1..]),
    "validate-peer" => PeerBenchmark.Run(args[1..]),
    "plan" => GitOps.Benchmarks.Planning.PlanningBench.Run(Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000),
    "plan-process" => GitOps.Benchmarks.Planning.PlanningBench.RunProcess(Console.Out,
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000),
    "plan-phases" => GitOps.Benchmarks.Planning.PlanningPhases.Run(Console.Out,
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5),
    "serving" => await ServingBenchmark.RunAsync(args[1..]),
    "serving-grpc" => await GrpcServingBenchmark.RunAsync(args[1..]),
    "serving-peer" => await PeerServingBenchmark.RunAsync(args[1..]),
    "reconcile" => await GitOps.Benchmarks.Reconcile.ReconcileBenchmark.RunAsync(args[1..]),
    "shard-heap" => await GitOps.Benchmarks.Reconcile.ShardHeapProbe.RunAsync(args[1..]),
    "validation-heap" => GitOps.Benchmarks.Reconcile.ValidationHeapProbe.Run(args[1..]),
    "reconcile-shards" => await GitOps.Benchmarks.Reconcile.ShardedReconcileBenchmark.RunAsync(args[1..]),
    "kube-client" => await GitOps.Benchmarks.Kubernetes.KubernetesClientBenchmark.RunAsync(args[1..]),
    "local" => await GitOps.Benchmarks.Local.LocalBenchmark.RunAsync(args[1..]),
    "lifecycle" => await GitOps.Benchmarks.Lifecycle.LifecycleBenchmark.RunAsync(args[1..]),
    "drift" => GitOps.Benchmarks.Monitoring.DriftBenchmark.Run(Console.Out),
    "cache" => await CacheBenchmark.RunAsync(Console.Out),
    "rollout" => await GitOps.Benchmarks.Rollouts.RolloutBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/GitOps.Benchmarks -- <benchmark> [options]");
    Console.Error.WriteLine("benchmarks: validate [sizes...], validate-phases [models|folder] [--warm-runs N], validate-peer [--models N] [--runs N] [--keep] [--validate-only], plan [models], plan-phases [models] [runs], plan-process [models], serving, serving-grpc, serving-peer, reconcile [models] [--quick] [--gitops EXECUTABLE], reconcile-shards [MODELS:SHARDS...] [--gitops EXECUTABLE], shard-heap [MODELS] [SHARDS], validation-heap [MODELS[:SHARDS]...], kube-client [objects] [rounds], local [--runs N], lifecycle [models] [trials], drift, cache, rollout [--bad N] [--replays N] [--step S] [--recordings DIR]");
    return 2;
}
