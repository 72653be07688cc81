return await GitOps.Benchmarks.Reconcile.ReconcileBenchmark.RunAsync(args);
