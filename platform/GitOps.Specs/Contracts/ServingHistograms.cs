using System.Collections.Immutable;
using System.Globalization;

namespace GitOps.Specs.Contracts;

/// <summary>
/// The bucket bounds of the inference server's request-duration histogram
/// (<c>gitops_inference_request_duration_seconds</c>): 0.1 ms doubling 18 times, up to 13.1 s. The server and the
/// latency-SLO alert rules both use this list, so a rule's <c>le</c> matcher names a bucket the server exports.
/// </summary>
public static class ServingHistograms
{
    /// <summary>Bounds in seconds, computed like Prometheus client libraries compute exponential buckets.</summary>
    public static readonly ImmutableArray<double> RequestDurationBounds = Exponential(0.0001, 2, 18);

    /// <summary>The largest bound at or below <paramref name="threshold"/> (the smallest bound when the threshold is
    /// below it): requests in that bucket are certainly within the threshold.</summary>
    public static double LatencyBound(TimeSpan threshold)
    {
        var seconds = threshold.TotalSeconds;
        var below = RequestDurationBounds.Where(b => b <= seconds * (1 + 1e-9)).ToList();
        return below.Count == 0 ? RequestDurationBounds[0] : below[^1];
    }

    /// <summary>The bounds on either side of <paramref name="threshold"/>, for a hint.</summary>
    public static IEnumerable<double> NearBounds(TimeSpan threshold)
    {
        var at = LatencyBound(threshold);
        var index = RequestDurationBounds.IndexOf(at);
        return RequestDurationBounds.Skip(Math.Max(0, index)).Take(2);
    }

    /// <summary>The <c>le</c> label value Prometheus client libraries write for a bound (shortest round-trip form).</summary>
    public static string Le(double bound) => bound.ToString(CultureInfo.InvariantCulture);

    /// <summary>A bound for a person: <c>204.8ms</c>, <c>1.6384s</c>.</summary>
    public static string Describe(double bound) => bound < 1
        ? (bound * 1000).ToString("0.###", CultureInfo.InvariantCulture) + "ms"
        : bound.ToString("0.####", CultureInfo.InvariantCulture) + "s";

    private static ImmutableArray<double> Exponential(double start, double factor, int count)
    {
        var bounds = ImmutableArray.CreateBuilder<double>(count);
        var next = start;
        for (var i = 0; i < count; i++)
        {
            bounds.Add(next);
            next *= factor;
        }
        return bounds.MoveToImmutable();
    }
}
