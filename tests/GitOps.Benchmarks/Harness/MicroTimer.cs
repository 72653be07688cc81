using System.Diagnostics;
using System.Globalization;

namespace GitOps.Benchmarks.Harness;

/// <summary>Times in-process work: the median of 7 runs after a warm-up run, in nanoseconds.</summary>
public static class MicroTimer
{
    public static double Median(Action run)
    {
        run();
        var times = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            var start = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6);
        }
        times.Sort();
        return times[3];
    }

    /// <summary>A duration in nanoseconds as ns, µs or ms with two decimals.</summary>
    public static string Ns(double nanoseconds) => nanoseconds >= 1e6
        ? (nanoseconds / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " ms"
        : nanoseconds >= 1e3
            ? (nanoseconds / 1e3).ToString("0.00", CultureInfo.InvariantCulture) + " µs"
            : nanoseconds.ToString("0", CultureInfo.InvariantCulture) + " ns";
}
