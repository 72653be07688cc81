using System.Diagnostics;
using System.Globalization;

namespace GitOps.Benchmarks.Harness;

/// <summary>Runs a child process to completion and measures its wall time and peak resident memory (VmHWM).</summary>
public static class ProcessProbe
{
    public sealed record Measurement(TimeSpan Wall, long PeakRssBytes, int ExitCode, string Stdout, string Stderr);

    /// <summary>
    /// Runs <paramref name="fileName"/>; with <paramref name="includeChildren"/> the peak is the largest VmHWM of the
    /// process and its descendants (<c>dotnet run</c> starts the program as a child process).
    /// </summary>
    /// <param name="environment">Variables set for the child on top of this process's (e.g. GC settings).</param>
    public static Measurement Run(string fileName, IEnumerable<string> args, bool includeChildren = false,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var drainOut = p.StandardOutput.ReadToEndAsync();
        var drainErr = p.StandardError.ReadToEndAsync();
        long peak = 0;
        var status = $"/proc/{p.Id}/status";
        while (!p.WaitForExit(5))
        {
            peak = Math.Max(peak, ReadHighWaterMark(status));
            if (includeChildren)
            {
                peak = Math.Max(peak, DescendantsHighWaterMark(p.Id));
            }
        }
        sw.Stop();
        Task.WaitAll(drainOut, drainErr);
        return new Measurement(sw.Elapsed, peak, p.ExitCode, drainOut.Result, drainErr.Result);
    }

    private static long ReadHighWaterMark(string statusPath) => ReadStatusBytes(statusPath, "VmHWM:");

    private static long DescendantsHighWaterMark(int pid)
    {
        long peak = 0;
        string children;
        try
        {
            children = File.ReadAllText($"/proc/{pid}/task/{pid}/children");
        }
        catch (IOException)
        {
            return 0;
        }
        foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var id = int.Parse(child, CultureInfo.InvariantCulture);
            peak = Math.Max(peak, Math.Max(ReadHighWaterMark($"/proc/{id}/status"), DescendantsHighWaterMark(id)));
        }
        return peak;
    }

    /// <summary>The resident memory (VmRSS) of a running process in bytes; 0 when it has ended.</summary>
    public static long ResidentBytes(int pid) => ReadStatusBytes($"/proc/{pid}/status", "VmRSS:");

    /// <summary>A <c>kB</c> field of <c>/proc/PID/status</c> in bytes; 0 when the process ended between two reads.</summary>
    private static long ReadStatusBytes(string statusPath, string field)
    {
        try
        {
            foreach (var line in File.ReadLines(statusPath))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var kb = line[field.Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // The process ended between two reads.
        }
        return 0;
    }
}
