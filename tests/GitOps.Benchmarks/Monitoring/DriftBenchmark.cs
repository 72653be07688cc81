using System.Collections.Immutable;
using GitOps.Benchmarks.Harness;
using GitOps.Serving.Monitoring;
using GitOps.Serving.Protocol;
using GitOps.Specs.Contracts;

namespace GitOps.Benchmarks.Monitoring;

/// <summary>
/// The cost drift monitoring adds to the inference server: per request (copying rows into the window and counting
/// missing and out-of-range values, for 1-row and 32-row requests of 9 features) and per scrape (PSI and KS of every
/// feature and the score over a full window). Medians of 7 runs, after a warm-up.
/// </summary>
public static class DriftBenchmark
{
    private const int Features = 9;
    private const int Window = 2000;

    public static int Run(TextWriter output)
    {
        var random = new Random(1);
        var names = Enumerable.Range(0, Features).Select(i => $"f{i}").ToArray();
        var profile = new TrainingProfile(TrainingProfile.CurrentSchema, 10_000,
            [.. names.Select(n => FeatureProfile.Of(n, [.. Enumerable.Range(0, 10_000).Select(_ => random.NextDouble() * 100)]))],
            FeatureProfile.Of("Probability", [.. Enumerable.Range(0, 10_000).Select(_ => random.NextDouble())]));
        ImmutableArray<TensorSignature> inputs = [.. names.Select(n => new TensorSignature(n, TensorDatatype.Fp32, [-1, 1]))];
        var monitor = DriftMonitor.Create(profile, inputs, Prometheus.Metrics.NewCustomRegistry(), ["m", "v1", "stable"], Window);

        output.WriteLine($"drift monitoring cost, {Features} features, window {Window} rows (median of 7 runs)");
        output.WriteLine("| measure | cost |");
        output.WriteLine("|---|---|");
        foreach (var rows in new[] { 1, 32 })
        {
            var request = Request(names, rows, random);
            var scores = new Tensor("Probability", TensorDatatype.Fp32, [rows, 1], Enumerable.Range(0, rows).Select(_ => (float)random.NextDouble()).ToArray());
            const int iterations = 200_000;
            var perRequest = MicroTimer.Median(() =>
            {
                for (var i = 0; i < iterations; i++)
                {
                    monitor.Observe(request, rows, scores);
                }
            }) / iterations;
            output.WriteLine($"| Observe, {rows}-row request | {MicroTimer.Ns(perRequest)} per request |");
        }
        var perScrape = MicroTimer.Median(() => monitor.Update());
        output.WriteLine($"| Update (PSI and KS of {Features} features and the score over {Window} rows) | {MicroTimer.Ns(perScrape)} per scrape |");
        return 0;
    }

    private static ImmutableArray<Tensor> Request(string[] names, int rows, Random random) =>
        [.. names.Select(n => new Tensor(n, TensorDatatype.Fp32, [rows, 1], Enumerable.Range(0, rows).Select(_ => (float)(random.NextDouble() * 100)).ToArray()))];
}
