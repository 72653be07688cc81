using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GitOps.Benchmarks.Local;
using GitOps.Benchmarks.Serving;
using GitOps.Cli.Commands;
using GitOps.Policy;
using GitOps.Reconciler.Analysis;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Rollouts;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Replay;
using GitOps.Rollouts.Rollout;
using GitOps.Testing.Golden;
using GitOps.Testing.Rollouts;
using GitOps.Training.Datasets;

namespace GitOps.Benchmarks.Rollouts;

/// <summary>
/// Progressive delivery measured on the local runtime with a real Prometheus scraping real inference servers under
/// load (dataset rows through the proxy, one request at a time every 20 ms):
/// <list type="number">
/// <item>bad canaries (half their answers 500, by fault injection): from the first measurement that saw the canary's
/// traffic to the rollback, in analysis intervals and seconds;</item>
/// <item>one good canary measured for minutes under a recording policy (same queries, limits wide open), then its
/// recorded measurements replayed in sliding windows under the real policy: how many windows would have rolled a good
/// version back;</item>
/// <item>the cost of one measurement: the Prometheus query (HTTP round trip and evaluation) and its assessment
/// (CEL conditions, run bookkeeping).</item>
/// </list>
/// Options: <c>--bad N</c> bad canaries (default 3), <c>--replays N</c> windows (default 50), <c>--step S</c> seconds
/// between window starts (default 6), <c>--out FILE</c> to also write the markdown, <c>--recordings DIR</c> to keep the
/// measurements as <c>MeasurementRecording</c> files. Every process it starts is stopped before it returns.
/// </summary>
public static class RolloutBenchmark
{
    private const string Model = "fraud-detector";
    private const string Guarded = "bench-guarded";
    private const string Recording = "bench-recording";
    private static readonly RolloutScope Scope = new("local", "ml-local");
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    /// <summary>The data each replayed window gets.</summary>
    private static readonly TimeSpan Span = TimeSpan.FromSeconds(30);

    private sealed record BadRun(string Version, long Intervals, TimeSpan FromFirstTraffic, TimeSpan FromRolloutStart, string Metric, long ReplayIntervals);

    internal sealed record Replay(DateTimeOffset From, ReplayResult Result);

    public static async Task<int> RunAsync(string[] args)
    {
        int bad = 3, replays = 50, step = 6;
        string? outFile = null, recordings = null, fromRecordings = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--bad" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b is > 0 and <= 20:
                    bad = b;
                    i++;
                    break;
                case "--replays" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r is >= 1 and <= 500:
                    replays = r;
                    i++;
                    break;
                case "--step" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is >= 2 and <= 60:
                    step = s;
                    i++;
                    break;
                case "--out" when i + 1 < args.Length:
                    outFile = args[++i];
                    break;
                case "--recordings" when i + 1 < args.Length:
                    recordings = args[++i];
                    break;
                case "--from-recordings" when i + 1 < args.Length:
                    fromRecordings = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"unknown or invalid option '{args[i]}'; options: --bad N (1-20), --replays N (1-500), --step S (2-60 s), --out FILE, --recordings DIR, --from-recordings DIR");
                    return 2;
            }
        }

        if (fromRecordings is not null)
        {
            return await ReplayRecordingsAsync(fromRecordings, replays, step, outFile);
        }

        // Enough recorded measurements for every window (each starts a run of the real policy, count 6 × 2 s, and
        // gets Span of data: the reconciler measures at its passes, so 6 measurements can take more than 12 s).
        var recordedCount = (int)Math.Ceiling(((replays - 1) * step + Span.TotalSeconds + 10) / Interval.TotalSeconds);
        var root = Directory.CreateTempSubdirectory("gitops-bench-rollout-").FullName;
        var clone = Path.Combine(root, "clone");
        var policy = Prepare(clone, recordedCount);
        var rows = Path.Combine(root, "rows.csv");
        FraudDataset.WriteFile(rows, 600, 5);
        var bodies = ServingBenchmark.ReadRows(rows, 512).Select(r => Encoding.UTF8.GetBytes(ServingBenchmark.InferBody(r))).ToArray();
        var state = StateFolder.For(Path.Combine(clone, StateFolder.DefaultName));
        var edits = 0;
        Process? up = null;
        using var stopLoad = new CancellationTokenSource();
        var load = Task.CompletedTask;
        try
        {
            // 1. Bad canaries, each a new version rolled out against whatever is stable.
            up = Start(clone, new Dictionary<string, string> { ["GITOPS_SERVING_FAULT_ERRORS"] = "0.5", ["GITOPS_SERVING_FAULT_TRACK"] = "canary" });
            await ServingAsync(up, state);
            load = LoadAsync(state, bodies, stopLoad.Token);
            var badRuns = new List<BadRun>();
            for (var run = 1; run <= bad; run++)
            {
                var before = (await RolloutAsync(state))!;
                NewVersion(clone, ++edits, Guarded);
                var after = await UntilAsync(up, state, s => s.Rejected.Length > before.Rejected.Length, "the bad canary to be rolled back");
                var measured = Measure(after, policy);
                badRuns.Add(measured);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"bad canary {run}: rolled back by {measured.Metric} {measured.Intervals} interval(s), {measured.FromFirstTraffic.TotalSeconds:F1} s after its first measured traffic"));
                Keep(recordings, $"bad-canary-{run}.json", MeasurementRecording.FromState(Model, Scope.Environment, after, after.Rejected[^1].Version));
            }

            // 2. A good canary measured for minutes, then replayed in windows under the real policy.
            Stop(up, state);
            up = Start(clone, environment: null);
            await ServingAsync(up, state);
            NewVersion(clone, ++edits, Recording);
            var recordingStart = await UntilAsync(up, state, s => s.InProgress && s.StepAnalysis is not null, "the good canary's analysis to start");
            var canary = recordingStart.Canary!;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"recording good canary {canary}: {recordedCount} measurements per metric, about {recordedCount * Interval.TotalSeconds / 60:F1} min"));
            var recorded = await UntilAsync(up, state, s => s.StepAnalysis?.Measurements.Count(m => m.Metric == "score-drift") >= recordedCount
                || s.PastRuns.Any(r => r.Measurements.Length >= 2 * recordedCount), "the good canary's recording", TimeSpan.FromMinutes((recordedCount * Interval.TotalMinutes) + 3));
            var goodRecording = MeasurementRecording.FromState(Model, Scope.Environment, recorded, canary);
            Keep(recordings, "good-canary.json", goodRecording);
            var windows = Windows(policy, goodRecording, replays, TimeSpan.FromSeconds(step));

            // 3. The cost of one measurement.
            var prometheusUrl = new Uri($"http://127.0.0.1:{PrometheusPort(clone)}");
            var query = QueryCost(prometheusUrl, policy, canary);
            var assess = AssessmentCost(policy, goodRecording);
            await stopLoad.CancelAsync();
            await load;

            var report = Format(badRuns, windows, step, await query, assess, goodRecording);
            Console.WriteLine(report);
            if (outFile is not null)
            {
                await File.WriteAllTextAsync(outFile, report);
            }
            return badRuns.All(r => r.Intervals <= 2) && windows.All(w => w.Result.Outcome != ReplayOutcome.RolledBack) ? 0 : 1;
        }
        finally
        {
            await stopLoad.CancelAsync();
            await load;
            if (up is not null)
            {
                Stop(up, state);
            }
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>A fresh clone of this checkout with a small forest (fast training), Prometheus on a free port, the
    /// bench policies, and the example model rolled out by the guarded one locally; returns the guarded policy.</summary>
    private static RolloutPolicy Prepare(string clone, int recordedCount)
    {
        LocalBenchmark.Run("git", ["clone", "--quiet", "--no-local", RepositoryPaths.Root, clone]);
        var environment = Path.Combine(clone, "environments", "local", "environment.yaml");
        File.WriteAllText(environment, File.ReadAllText(environment)
            .Replace("http://127.0.0.1:9090", $"http://127.0.0.1:{LocalBenchmark.FreePort()}", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(clone, "policies", "rollouts", Guarded + ".yaml"), GuardedCanaryPolicy.Yaml(Guarded));
        File.WriteAllText(Path.Combine(clone, "policies", "rollouts", Recording + ".yaml"), GuardedCanaryPolicy.Yaml(Recording, recordedCount, recordedCount));
        NewVersion(clone, 0, Guarded);
        // The latency gate measures on a machine busy with load and Prometheus: keep it from rejecting the versions.
        var gate = Path.Combine(clone, "policies", "gates", "fraud-quality.yaml");
        File.WriteAllText(gate, File.ReadAllText(gate).Replace("model.latencyP99Ms <= 20.0", "model.latencyP99Ms <= 2000.0", StringComparison.Ordinal));
        var specs = RepositoryValidator.Validate(RepositoryReader.Read(clone)).Specs;
        return RolloutPolicy.From(specs.RolloutPolicy(Guarded)!);
    }

    /// <summary>Edits the model in the working tree (which <c>gitops up</c> follows): a forest of a size not trained
    /// before is a new version; <paramref name="policy"/> rolls it out locally.</summary>
    private static void NewVersion(string clone, int edit, string policy)
    {
        var path = Path.Combine(clone, "models", Model, "model.yaml");
        var text = Regex.Replace(File.ReadAllText(path), "numberOfTrees: [0-9]+", $"numberOfTrees: {20 + edit}");
        text = Regex.Replace(text, "(    local:\n      rollout: )[a-z0-9-]+\n", $"${{1}}{policy}\n");
        File.WriteAllText(path, text);
    }

    private static int PrometheusPort(string clone) =>
        int.Parse(Regex.Match(File.ReadAllText(Path.Combine(clone, "environments", "local", "environment.yaml")), @"http://127\.0\.0\.1:([0-9]+)").Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>Live figures of a rolled-back canary from its recorded analysis, and the same measurements replayed.</summary>
    private static BadRun Measure(RolloutState state, RolloutPolicy policy)
    {
        var rejected = state.Rejected[^1];
        var analysis = state.PastRuns[^1];
        var deciding = analysis.Measurements.First(m => m.Phase is MeasurementPhase.Failed or MeasurementPhase.Error && rejected.Reason.Contains(m.Metric, StringComparison.Ordinal));
        var firstTraffic = analysis.Measurements.Where(m => m.Metric == deciding.Metric).First(m => m.Value is { } v && !double.IsNaN(v));
        var replay = AnalysisReplay.Run(policy, [.. policy.Metrics.Keys.Order(StringComparer.Ordinal)],
            MeasurementRecording.FromState(Model, Scope.Environment, state, rejected.Version).Observations, analysis.StartedAt, rejected.At);
        var replayed = replay.DecidedAt is { } decided ? Slot(analysis.StartedAt, decided) - Slot(analysis.StartedAt, firstTraffic.At) : -1;
        return new BadRun(rejected.Version, Slot(analysis.StartedAt, deciding.At) - Slot(analysis.StartedAt, firstTraffic.At),
            rejected.At - firstTraffic.At, rejected.At - (state.RolloutStartedAt ?? analysis.StartedAt), deciding.Metric, replayed);
    }

    private static long Slot(DateTimeOffset start, DateTimeOffset at) => (at - start).Ticks / Interval.Ticks;

    /// <summary>The recording cut into <paramref name="count"/> windows starting <paramref name="step"/> apart after the
    /// first measured traffic, each replayed under the real policy with <see cref="Span"/> of data: as many canaries
    /// whose analysis started at that moment.</summary>
    internal static List<Replay> Windows(RolloutPolicy policy, MeasurementRecording recording, int count, TimeSpan step)
    {
        var names = policy.Metrics.Keys.Order(StringComparer.Ordinal).ToList();
        var first = recording.Observations.Where(o => o.Observation is { Kind: ObservationKind.Value, Value: { } v } && !double.IsNaN(v)).Min(o => o.At);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var from = first + (step * i);
            return new Replay(from, AnalysisReplay.Run(policy, names, recording.Observations, from, from + Span));
        })];
    }

    /// <summary>Replays kept recordings (the <c>--recordings</c> of a live run, or the ones the tests keep) without
    /// starting anything: the bad canaries' rollback in intervals, the good canary's windows, the assessment cost.</summary>
    private static async Task<int> ReplayRecordingsAsync(string folder, int replays, int step, string? outFile)
    {
        var policy = RolloutPolicy.From(RepositoryValidator.Validate([GitOps.Specs.SourceFile.FromText("policies/rollouts/" + Guarded + ".yaml", GuardedCanaryPolicy.Yaml(Guarded))])
            .Specs.RolloutPolicy(Guarded)!);
        MeasurementRecording Read(string path) =>
            MeasurementRecording.Parse(File.ReadAllText(path), null, out var error) ?? throw new InvalidOperationException($"{path}: {error}");
        var bad = Directory.GetFiles(folder, "bad-canary-*.json").Order(StringComparer.Ordinal).Select(path =>
        {
            var recording = Read(path);
            var start = recording.Observations.Min(o => o.At);
            var firstTraffic = recording.Observations.First(o => o.Metric == "error-rate" && o.Observation is { Kind: ObservationKind.Value, Value: { } v } && !double.IsNaN(v));
            var result = AnalysisReplay.Run(policy, [.. policy.Metrics.Keys.Order(StringComparer.Ordinal)], recording.Observations, start, recording.Observations.Max(o => o.At));
            var intervals = result.DecidedAt is { } decided ? Slot(start, decided) - Slot(start, firstTraffic.At) : -1;
            return new BadRun(recording.Version ?? Path.GetFileNameWithoutExtension(path), intervals, (result.DecidedAt ?? firstTraffic.At) - firstTraffic.At,
                TimeSpan.Zero, result.DecidingMetric ?? result.Outcome.ToString(), intervals);
        }).ToList();
        var good = Read(Path.Combine(folder, "good-canary.json"));
        var windows = Windows(policy, good, replays, TimeSpan.FromSeconds(step));
        var report = Format(bad, windows, step, null, AssessmentCost(policy, good), good);
        Console.WriteLine(report);
        if (outFile is not null)
        {
            await File.WriteAllTextAsync(outFile, report);
        }
        return bad.All(r => r.Intervals is >= 0 and <= 2) && windows.All(w => w.Result.Outcome != ReplayOutcome.RolledBack) ? 0 : 1;
    }

    private sealed record Cost(double MedianMs, double P99Ms, int Queries);

    /// <summary>The error-rate query of the canary against the live Prometheus, as the reconciler sends it.</summary>
    private static async Task<Cost> QueryCost(Uri prometheus, RolloutPolicy policy, string canary)
    {
        var options = new PrometheusOptions { BaseUrl = prometheus, Timeout = TimeSpan.FromSeconds(10) };
        using var http = PrometheusClient.CreateHttpClient(options);
        var client = new PrometheusClient(http, options);
        var query = QueryTemplate.Render(policy.Metrics["error-rate"].Query, new QueryValues(Model, canary, Scope.Namespace, "canary", Scope.Environment)).Query!;
        var times = new List<double>();
        for (var i = 0; i < 220; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var answer = await client.QueryAsync(query, DateTimeOffset.UtcNow, CancellationToken.None);
            if (answer.Kind == ObservationKind.Error)
            {
                throw new InvalidOperationException($"the query failed: {answer.Error}");
            }
            if (i >= 20)
            {
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        times.Sort();
        return new Cost(times[times.Count / 2], times[(int)(times.Count * 0.99)], times.Count);
    }

    /// <summary>Assessing one recorded answer and recording it in its run: what the reconciler does per measurement
    /// once Prometheus has answered. Median of 7 rounds over every answer of the recording.</summary>
    private static double AssessmentCost(RolloutPolicy policy, MeasurementRecording recording)
    {
        var names = policy.Metrics.Keys.Order(StringComparer.Ordinal).ToList();
        var answers = recording.Observations;
        void Round()
        {
            var run = AnalysisRuns.Start("cost", names, answers[0].At);
            foreach (var answer in answers)
            {
                if (run.Phase.IsCompleted())
                {
                    run = AnalysisRuns.Start("cost", names, answer.At);
                }
                var measurement = MeasurementAssessor.Assess(policy.Metrics[answer.Metric], answer.Observation, answer.At);
                run = AnalysisRuns.Record(run, policy.Metrics, measurement, out _);
                run = AnalysisRuns.Evaluate(run, policy.Metrics, answer.At);
            }
        }
        Round();
        var times = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var r = 0; r < 20; r++)
            {
                Round();
            }
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000 / (20.0 * answers.Length));
        }
        times.Sort();
        return times[3];
    }

    private static string Format(List<BadRun> bad, List<Replay> windows, int step, Cost? query, double assessMicros, MeasurementRecording good)
    {
        var md = new StringBuilder();
        var loadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}; analysis interval 2 s over 10 s windows, Prometheus scraping every 1 s; 1-minute load average at the end: {loadAverage}.");
        md.AppendLine();
        if (query is not null)
        {
            md.AppendLine("| bad canary (half its answers 500) | rolled back by | intervals after its first measured traffic | seconds after it | seconds after the rollout started | same measurements replayed: intervals |");
            md.AppendLine("|---|---|---:|---:|---:|---:|");
            foreach (var (run, i) in bad.Select((r, i) => (r, i + 1)))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {i} (`{run.Version}`) | {run.Metric} | {run.Intervals} | {run.FromFirstTraffic.TotalSeconds:F1} | {run.FromRolloutStart.TotalSeconds:F1} | {run.ReplayIntervals} |");
            }
        }
        else
        {
            md.AppendLine("| recorded bad canary, replayed | rolled back by | intervals after its first measured traffic |");
            md.AppendLine("|---|---|---:|");
            foreach (var (run, i) in bad.Select((r, i) => (r, i + 1)))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {i} (`{run.Version}`) | {run.Metric} | {run.Intervals} |");
            }
        }
        md.AppendLine();
        var outcomes = windows.GroupBy(w => w.Result.Outcome).ToDictionary(g => g.Key, g => g.Count());
        var firstRuns = windows.GroupBy(w => w.Result.Runs[0].Verdict).ToDictionary(g => g.Key, g => g.Count());
        var span = good.Observations.Max(o => o.At) - good.Observations.Min(o => o.At);
        md.AppendLine(CultureInfo.InvariantCulture, $"Good canary `{good.Version}`: {good.Observations.Length} measurements recorded over {span.TotalMinutes:F1} min; {windows.Count} windows starting {step} s apart, each a canary whose analysis starts there ({Span.TotalSeconds:F0} s of data), replayed under the real policy:");
        md.AppendLine();
        md.AppendLine("| replays | rolled back (false rollbacks) | paused (Inconclusive) | first run Successful (would promote) | first run still measuring when the data ends |");
        md.AppendLine("|---:|---:|---:|---:|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| {windows.Count} | {outcomes.GetValueOrDefault(ReplayOutcome.RolledBack)} | {outcomes.GetValueOrDefault(ReplayOutcome.Paused)} | {firstRuns.GetValueOrDefault(AnalysisPhase.Successful)} | {firstRuns.GetValueOrDefault(AnalysisPhase.Running)} |");
        foreach (var w in windows.Where(w => w.Result.Outcome != ReplayOutcome.Passed))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- window from {w.From:HH:mm:ss}: {w.Result.Outcome} ({w.Result.Reason})");
        }
        md.AppendLine();
        md.AppendLine("| cost of one measurement | median | p99 |");
        md.AppendLine("|---|---:|---:|");
        if (query is not null)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| Prometheus query of the error rate (HTTP on 127.0.0.1, {query.Queries} queries) | {query.MedianMs:F2} ms | {query.P99Ms:F2} ms |");
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"| assessment: CEL conditions, run bookkeeping and verdict ({good.Observations.Length} answers × 20, median of 7) | {assessMicros:F2} µs | |");
        return md.ToString();
    }

    private static void Keep(string? folder, string name, MeasurementRecording recording)
    {
        if (folder is null)
        {
            return;
        }
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name), recording.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static Process Start(string clone, IReadOnlyDictionary<string, string>? environment)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = clone };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec dotnet \"$0\" up --listen 127.0.0.1:0 >>up.out 2>&1 </dev/null");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gitops.dll"));
        return Process.Start(psi)!;
    }

    /// <summary>Kills <c>gitops up</c> and everything its state folder records.</summary>
    private static void Stop(Process up, StateFolder state)
    {
        if (!up.HasExited)
        {
            up.Kill(entireProcessTree: true);
            up.WaitForExit();
        }
        up.Dispose();
        foreach (var record in ProcessTable.Load(state.ProcessesFile))
        {
            OsProcesses.ForceKill(record.Pid, record.StartTime);
        }
    }

    /// <summary>Waits until the stable version answers through the proxy with no rollout in progress.</summary>
    private static Task ServingAsync(Process up, StateFolder state) =>
        UntilAsync(up, state, s => s is { Stable: not null, InProgress: false } && Proxy(state) is not null, "the stable version to serve");

    private static async Task<RolloutState> UntilAsync(Process up, StateFolder state, Func<RolloutState, bool> condition, string what, TimeSpan? deadline = null)
    {
        var end = DateTime.UtcNow + (deadline ?? Deadline);
        while (true)
        {
            if (up.HasExited)
            {
                throw new InvalidOperationException($"gitops up exited with {up.ExitCode} before {what}; see {Path.Combine(state.Root, "..", "up.out")}");
            }
            if (await RolloutAsync(state) is { } rollout && condition(rollout))
            {
                return rollout;
            }
            if (DateTime.UtcNow > end)
            {
                throw new TimeoutException($"{what} did not happen within {deadline ?? Deadline}");
            }
            await Task.Delay(200);
        }
    }

    private static async Task<RolloutState?> RolloutAsync(StateFolder state) =>
        (await new LocalRolloutStateStore(state).LoadAsync(Scope, Model, CancellationToken.None))?.State;

    private static string? Proxy(StateFolder state) => UpLock.Owner(state)?["proxy"]?.GetValue<string>()?.TrimEnd('/');

    /// <summary>Dataset rows through the proxy of the running <c>gitops up</c>, one at a time every 20 ms.</summary>
    private static async Task LoadAsync(StateFolder state, byte[][] bodies, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var next = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (Proxy(state) is { } proxy)
                {
                    using var content = new ByteArrayContent(bodies[next++ % bodies.Length]);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    using var response = await http.PostAsync($"{proxy}/v2/models/{Model}/infer", content, stop);
                }
                await Task.Delay(20, stop);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                // A server being replaced, gitops up restarting, or the end of the run.
            }
        }
    }
}
