namespace GitOps.Testing.Prometheus;

/// <summary>Runs the command-line tools of the Debian packages (<c>promtool</c> from prometheus, <c>amtool</c> from
/// prometheus-alertmanager) and returns their exit code and output.</summary>
public static class PrometheusTools
{
    public const string Promtool = "/usr/bin/promtool";
    public const string Amtool = "/usr/bin/amtool";

    public static Task<ChildProcess.Result> RunAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        if (!File.Exists(tool))
        {
            throw new InvalidOperationException($"{tool} is not installed: apt-get install -y {(tool == Amtool ? "prometheus-alertmanager" : "prometheus")}");
        }
        return ChildProcess.RunAsync(tool, arguments, cancellationToken, workingDirectory);
    }
}
