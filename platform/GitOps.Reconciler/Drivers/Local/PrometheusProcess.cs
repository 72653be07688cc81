using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Formatting;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Drivers.Local;

/// <summary>
/// Prometheus for a local environment: the Debian package's binary run as a child process on 127.0.0.1 with a
/// generated configuration, its own data folder in the state folder, and a file of targets rewritten as inference
/// servers come and go (Prometheus follows the file by itself). When the binary is missing or its port is taken,
/// <see cref="Problem"/> says so and how to fix it, and the environment runs without analysis.
/// </summary>
public sealed class PrometheusProcess(StateFolder state, ProcessTable processes, TimeProvider time, ILogger log)
{
    public const string InstallCommand = "sudo apt-get install prometheus";
    private const string Id = "prometheus";

    private string _targets = "";
    private string _rules = "";

    /// <summary>Why Prometheus does not run, with what to do; null when it runs.</summary>
    public string? Problem { get; private set; }

    /// <summary>Where it answers (its HTTP API and UI); null when it does not run.</summary>
    public Uri? Address { get; private set; }

    private string Folder => state.PrometheusFolder;
    private string ConfigFile => Path.Combine(Folder, "prometheus.yml");
    private string TargetsFile => Path.Combine(Folder, "targets", "serving.json");
    private string RulesFolder => Path.Combine(Folder, "rules");

    /// <summary>Names the <c>prometheus</c> binary to run, instead of looking for one.</summary>
    public const string BinaryVariable = "GITOPS_PROMETHEUS";

    /// <summary>The <c>prometheus</c> binary: the one <see cref="BinaryVariable"/> names, else <c>/usr/bin/prometheus</c>
    /// or the first on <c>PATH</c>; null when there is none.</summary>
    public static string? FindBinary()
    {
        if (Environment.GetEnvironmentVariable(BinaryVariable) is { Length: > 0 } named)
        {
            return File.Exists(named) ? named : null;
        }
        var candidates = new List<string> { "/usr/bin/prometheus" };
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Path.Combine(p, "prometheus")));
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>Starts Prometheus on <paramref name="listen"/> (or adopts the one a previous <c>gitops up</c> started)
    /// scraping the servers and <paramref name="platformMetrics"/>; waits until it is ready.</summary>
    public async Task StartAsync(IPEndPoint listen, Uri platformMetrics, CancellationToken ct)
    {
        var binary = FindBinary();
        if (binary is null)
        {
            Problem = Environment.GetEnvironmentVariable(BinaryVariable) is { Length: > 0 } named
                ? $"Prometheus is not at {named} ({BinaryVariable}), so models run without analysis. Point {BinaryVariable} at the prometheus binary, or unset it to use the installed one."
                : $"Prometheus is not installed, so models run without analysis. Install it with: {InstallCommand}";
            return;
        }
        Directory.CreateDirectory(Path.Combine(Folder, "data"));
        Directory.CreateDirectory(Path.GetDirectoryName(TargetsFile)!);
        Directory.CreateDirectory(RulesFolder);
        if (!File.Exists(TargetsFile))
        {
            StateFolder.WriteAtomically(TargetsFile, "[]");
        }
        var config = Config(platformMetrics);
        var changed = !File.Exists(ConfigFile) || File.ReadAllText(ConfigFile) != config;
        StateFolder.WriteAtomically(ConfigFile, config);
        var address = new Uri($"http://{listen.Address}:{listen.Port}/");

        if (processes.Find(Id) is { } running && running.IsAlive && running.Port == listen.Port)
        {
            if (changed)
            {
                OsProcesses.Reload(running.Pid, running.StartTime);
            }
            log.LogInformation("Prometheus (pid {Pid}) still runs at {Address}: adopted", running.Pid, address);
        }
        else
        {
            if (processes.Find(Id) is { } stale)
            {
                await OsProcesses.StopAsync(stale.Pid, stale.StartTime, TimeSpan.FromSeconds(5), time, ct);
                processes.Remove(Id);
            }
            if (!IsFree(listen))
            {
                Problem = $"Prometheus cannot listen on {listen}: the port is in use. Stop what uses it or change spec.prometheus.url of the environment; models run without analysis meanwhile.";
                return;
            }
            var logFile = Path.Combine(state.LogsFolder, "prometheus.log");
            var started = OsProcesses.Start(binary,
                [
                    $"--config.file={ConfigFile}",
                    $"--storage.tsdb.path={Path.Combine(Folder, "data")}",
                    $"--web.listen-address={listen}",
                    "--storage.tsdb.retention.time=2d",
                ],
                new Dictionary<string, string>(), Folder, logFile);
            processes.Put(new ProcessRecord
            {
                Id = Id,
                Role = ProcessRole.Prometheus,
                Pid = started.Pid,
                StartTime = started.StartTime,
                Owner = "prometheus",
                Port = listen.Port,
                Log = logFile,
                Started = time.GetUtcNow(),
            });
            log.LogInformation("Prometheus started at {Address} (pid {Pid}, log {Log})", address, started.Pid, logFile);
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (time.GetUtcNow() < deadline)
        {
            try
            {
                using var ready = await http.GetAsync(new Uri(address, "-/ready"), ct);
                if (ready.IsSuccessStatusCode)
                {
                    Address = address;
                    Problem = null;
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // Not listening yet.
            }
            if (processes.Find(Id) is not { IsAlive: true })
            {
                break;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }
        Problem = $"Prometheus did not become ready; see {Path.Combine(state.LogsFolder, "prometheus.log")}. Models run without analysis.";
    }

    /// <summary>Rewrites the scrape targets when the set of ready servers changed.</summary>
    public void WriteTargets(IReadOnlyList<ServingEndpoint> endpoints)
    {
        if (Address is null)
        {
            return;
        }
        var groups = new JsonArray();
        foreach (var endpoint in endpoints.OrderBy(e => e.Port))
        {
            var labels = new JsonObject { ["namespace"] = endpoint.Namespace, ["pod"] = $"{endpoint.Owner.Split('/').Last()}-{endpoint.Pid}" };
            foreach (var (name, label) in new[] { (ManagedLabels.Environment, "environment"), (ManagedLabels.Model, "model"), (ManagedLabels.Version, "version"), (ManagedLabels.Track, "track") })
            {
                if (endpoint.Labels.TryGetValue(name, out var value))
                {
                    labels[label] = value;
                }
            }
            groups.Add(new JsonObject { ["targets"] = new JsonArray { $"127.0.0.1:{endpoint.Port}" }, ["labels"] = labels });
        }
        var text = groups.ToJsonString();
        if (text != _targets)
        {
            _targets = text;
            StateFolder.WriteAtomically(TargetsFile, text);
        }
    }

    /// <summary>
    /// Loads the environment's alert rules the way the Prometheus operator loads <c>PrometheusRule</c> objects: each
    /// object's rule groups become one file of the rules folder, files of removed objects are deleted, and Prometheus
    /// reloads its configuration when anything changed.
    /// </summary>
    public void WriteRules(IReadOnlyList<JsonObject> prometheusRules)
    {
        if (Address is null)
        {
            return;
        }
        var files = prometheusRules
            .Select(o => (Name: $"{o["metadata"]?["name"]?.GetValue<string>()}.yml", Text: YamlWriter.Write(o["spec"])))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        var fingerprint = string.Join("\n", files.Select(f => f.Name + "\n" + f.Text));
        if (fingerprint == _rules)
        {
            return;
        }
        _rules = fingerprint;
        foreach (var (name, text) in files)
        {
            StateFolder.WriteAtomically(Path.Combine(RulesFolder, name), text);
        }
        var wanted = files.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in Directory.EnumerateFiles(RulesFolder, "*.yml").Where(f => !wanted.Contains(Path.GetFileName(f))))
        {
            File.Delete(stale);
        }
        if (processes.Find(Id) is { IsAlive: true } running)
        {
            OsProcesses.Reload(running.Pid, running.StartTime);
            log.LogInformation("Prometheus reloads {Count} alert rule file(s) from {Folder}", files.Count, RulesFolder);
        }
    }

    /// <summary>Stops Prometheus (gitops down).</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        if (processes.Find(Id) is { } running)
        {
            await OsProcesses.StopAsync(running.Pid, running.StartTime, TimeSpan.FromSeconds(10), time, ct);
            processes.Remove(Id);
        }
        Address = null;
    }

    private string Config(Uri platformMetrics)
    {
        var text = new StringBuilder();
        text.AppendLine("# Generated by gitops up; rewritten on every start.");
        text.AppendLine("global:");
        text.AppendLine("  scrape_interval: 2s");
        text.AppendLine("  evaluation_interval: 2s");
        // The environment's PrometheusRule objects, one file each (WriteRules).
        text.AppendLine("rule_files:");
        text.AppendLine(CultureInfo.InvariantCulture, $"  - '{Path.Combine(RulesFolder, "*.yml")}'");
        text.AppendLine("scrape_configs:");
        text.AppendLine("  - job_name: gitops-serving");
        text.AppendLine("    scrape_interval: 1s");
        // The servers label their own series with model, version and track: theirs win over the target's.
        text.AppendLine("    honor_labels: true");
        text.AppendLine("    file_sd_configs:");
        text.AppendLine(CultureInfo.InvariantCulture, $"      - files: ['{TargetsFile}']");
        text.AppendLine("        refresh_interval: 1s");
        text.AppendLine("  - job_name: gitops-platform");
        text.AppendLine("    static_configs:");
        text.AppendLine(CultureInfo.InvariantCulture, $"      - targets: ['{platformMetrics.Authority}']");
        return text.ToString();
    }

    private static bool IsFree(IPEndPoint endpoint)
    {
        try
        {
            using var listener = new TcpListener(endpoint);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
