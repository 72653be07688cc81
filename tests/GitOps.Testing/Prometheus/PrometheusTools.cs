using System.Diagnostics;

namespace GitOps.Testing.Prometheus;

/// <summary>Runs the command-line tools of the Debian packages (<c>promtool</c> from prometheus, <c>amtool</c> from
/// prometheus-alertmanager) and returns their exit code and output.</summary>
public static class PrometheusTools
{
    public const string Promtool = "/usr/bin/promtool";
    public const string Amtool = "/usr/bin/amtool";

    public sealed record Result(int ExitCode, string Output);

    public static async Task<Result> RunAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        if (!File.Exists(tool))
        {
            throw new InvalidOperationException($"{tool} is not installed: apt-get install -y {(tool == Amtool ? "prometheus-alertmanager" : "prometheus")}");
        }
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new Result(process.ExitCode, (await output) + (await errors));
    }
}
