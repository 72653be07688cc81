using System.Diagnostics;
using System.Globalization;
using GitOps.Testing.Net;

namespace GitOps.Testing.Prometheus;

/// <summary>
/// A real Prometheus server on 127.0.0.1 (the Debian package's binary) scraping the given targets every second,
/// with its data in a temporary folder. Disposing stops the process and deletes the folder.
/// </summary>
public sealed class PrometheusProcess : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly Process _process;
    private readonly string _folder;

    private PrometheusProcess(Process process, string folder, Uri baseUrl)
    {
        _process = process;
        _folder = folder;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>Starts Prometheus scraping <paramref name="targets"/> (<c>host:port</c>) and waits until it is ready. With
    /// <paramref name="history"/> (OpenMetrics text with timestamps, ending in <c># EOF</c>) its storage first gets that
    /// past data, written into blocks by <c>promtool tsdb create-blocks-from openmetrics</c>, so range queries over a past
    /// window answer from it.</summary>
    public static async Task<PrometheusProcess> StartAsync(IEnumerable<string> targets, CancellationToken cancellationToken, string? history = null)
    {
        var folder = Directory.CreateTempSubdirectory("gitops-prometheus-").FullName;
        if (history is not null)
        {
            await WriteHistoryAsync(folder, history, cancellationToken);
        }
        var port = LoopbackPorts.Free();
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: test
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"'{t}'"))}]
            """, cancellationToken);
        var start = new ProcessStartInfo(Binary)
        {
            ArgumentList =
            {
                $"--config.file={config}",
                $"--storage.tsdb.path={Path.Combine(folder, "data")}",
                $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
                "--log.level=warn",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Binary} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusProcess(process, folder, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await server.WaitReadyAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private static async Task WriteHistoryAsync(string folder, string history, CancellationToken cancellationToken)
    {
        var input = Path.Combine(folder, "history.om");
        await File.WriteAllTextAsync(input, history, cancellationToken);
        var result = await PrometheusTools.RunAsync(PrometheusTools.Promtool,
            ["tsdb", "create-blocks-from", "openmetrics", input, Path.Combine(folder, "data")], cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"promtool could not write the history (exit {result.ExitCode}): {result.Output}");
        }
    }

    /// <summary>Kills the process now (as a crash would), leaving the folder for <see cref="DisposeAsync"/>.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public ValueTask DisposeAsync() => TestProcesses.StopAsync(_process, _folder);

    private async Task WaitReadyAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with code {_process.ExitCode} before it was ready");
            }
            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, "-/ready"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"prometheus was not ready within {limit}");
            }
            await Task.Delay(100, cancellationToken);
        }
    }
}
