using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>
/// The operating-system side of the processes the Local driver runs. A process is identified by its pid and its
/// start time, so a pid reused by another program after a reboot or a long outage is never mistaken for ours.
/// Output goes straight to a log file (not through a pipe to <c>gitops up</c>), so a process outlives a killed
/// <c>gitops up</c> and is adopted by the next one.
/// </summary>
public static class OsProcesses
{
    /// <summary>A started process: its pid and start time; <see cref="Handle"/> is set while this process is its parent.</summary>
    public sealed record Started(int Pid, long StartTime, Process Handle);

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/>, stdout and stderr appended to
    /// <paramref name="logFile"/>, no stdin.</summary>
    public static Started Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, string logFile)
    {
        Directory.CreateDirectory(workingDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        // exec keeps the pid: the process we record is the program itself, and its exit code is ours to read.
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workingDirectory };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$GITOPS_LOCAL_LOG\" 2>&1 </dev/null");
        psi.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }
        psi.Environment["GITOPS_LOCAL_LOG"] = logFile;
        var process = Process.Start(psi) ?? throw new IOException($"cannot start {fileName}");
        return new Started(process.Id, StartTimeOf(process.Id) ?? 0, process);
    }

    /// <summary>True when <paramref name="pid"/> runs and started at <paramref name="startTime"/>.</summary>
    public static bool IsAlive(int pid, long startTime) => pid > 0 && StartTimeOf(pid) is { } actual && actual == startTime;

    /// <summary>The start time of a process in clock ticks since boot (Linux <c>/proc/PID/stat</c> field 22), or,
    /// elsewhere, in .NET ticks; null when it does not run (or is a zombie).</summary>
    public static long? StartTimeOf(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (File.Exists("/proc/self/stat"))
        {
            string text;
            try
            {
                text = File.ReadAllText(stat);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
            // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length < 20 || fields[0] == "Z")
            {
                return null;
            }
            return long.TryParse(fields[19], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : process.StartTime.ToUniversalTime().Ticks;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Asks a process to stop (SIGTERM) when it is still the one recorded.</summary>
    public static void Terminate(int pid, long startTime)
    {
        if (IsAlive(pid, startTime))
        {
            _ = Kill(pid, 15);
        }
    }

    /// <summary>Stops a process at once (SIGKILL) when it is still the one recorded.</summary>
    public static void ForceKill(int pid, long startTime)
    {
        if (IsAlive(pid, startTime))
        {
            _ = Kill(pid, 9);
        }
    }

    /// <summary>Asks a process to reload its configuration (SIGHUP) when it is still the one recorded.</summary>
    public static void Reload(int pid, long startTime)
    {
        if (IsAlive(pid, startTime))
        {
            _ = Kill(pid, 1);
        }
    }

    /// <summary>SIGTERM, then SIGKILL when it has not stopped within <paramref name="grace"/>.</summary>
    public static async Task StopAsync(int pid, long startTime, TimeSpan grace, TimeProvider time, CancellationToken ct)
    {
        Terminate(pid, startTime);
        var deadline = time.GetUtcNow() + grace;
        while (IsAlive(pid, startTime) && time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct);
        }
        ForceKill(pid, startTime);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
