using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using GitOps.Cli.Conventions;
using GitOps.Cli.Tests.Support;
using GitOps.Planning.Cluster;
using GitOps.Reconciler.Drivers.Local;
using GitOps.Reconciler.Rollouts;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;
using GitOps.Testing.Git;
using GitOps.Testing.Rollouts;
using GitOps.Training.Datasets;
using Xunit;

namespace GitOps.Cli.Tests;

public sealed partial class UpRolloutTests
{
    /// <summary>
    /// One repository, one trained first version and one load generator shared by the scenarios. Each scenario starts
    /// <c>gitops up</c> again (with the environment it needs, e.g. fault injection), which is also a restart of
    /// everything <c>gitops up</c> runs, then trains a version no scenario trained before against whatever is stable,
    /// so the scenarios do not depend on their order.
    /// </summary>
    public sealed class GuardedCanaryRun : IAsyncLifetime
    {
        private readonly FakeGitRepo _repo = FakeGitRepo.Create();
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(12));
        private Task _load = Task.CompletedTask;
        private volatile string? _proxy;
        private int _edits;
        private string _committedModel = "";

        public UpRun Up { get; private set; } = null!;

        public int PrometheusPort { get; } = UpRun.FreePort();

        public StateFolder State => StateFolder.For(Path.Combine(_repo.Path, StateFolder.DefaultName));

        public async Task InitializeAsync()
        {
            var files = UpRun.ExampleFiles(PrometheusPort);
            files["policies/rollouts/e2e-guarded.yaml"] = GuardedCanaryPolicy.Yaml("e2e-guarded");
            files[$"models/{Model}/model.yaml"] = files[$"models/{Model}/model.yaml"]!
                .Replace("    local:\n      rollout: direct\n", "    local:\n      rollout: e2e-guarded\n", StringComparison.Ordinal);
            _repo.Commit("example with a guarded canary locally", files);
            _committedModel = files[$"models/{Model}/model.yaml"]!;
            await RestartAsync(environment: null);
            _load = LoadAsync();
        }

        public async Task DisposeAsync()
        {
            await _stop.CancelAsync();
            await _load;
            Up?.Dispose();
            _stop.Dispose();
            _http.Dispose();
            _repo.Dispose();
        }

        /// <summary>Stops <c>gitops up</c> and everything it runs (as a crash would), starts it again with
        /// <paramref name="environment"/>, and waits until the stable version answers through the proxy.</summary>
        public async Task RestartAsync(IReadOnlyDictionary<string, string>? environment)
        {
            _proxy = null;
            Up?.Dispose();
            Up = UpRun.Start(_repo.Path, environment);
            await Up.EventuallyAsync(async () => Up.Output.Contains("is serving:", StringComparison.Ordinal)
                && (await StateAsync()) is { Stable: not null, InProgress: false }
                && Proxy() is { } proxy && await InferAsync(proxy) == HttpStatusCode.OK, "the stable version to answer", TimeSpan.FromMinutes(3));
            _proxy = Proxy();
        }

        /// <summary>Waits until the rollout in progress ends with its canary rejected; returns that state.</summary>
        public async Task<RolloutState> RolledBackAsync(string what)
        {
            var start = (await StateAsync())!;
            await Up.EventuallyAsync(async () => (await StateAsync())!.Rejected.Length > start.Rejected.Length,
                $"{what} to be rolled back", TimeSpan.FromMinutes(3));
            return (await StateAsync())!;
        }

        public async Task<RolloutState?> StateAsync() =>
            (await new LocalRolloutStateStore(State).LoadAsync(Local, Model, CancellationToken.None))?.State;

        /// <summary>Edits the model in the working tree (which <c>gitops up</c> follows) so that it trains a version no
        /// scenario has trained before; <paramref name="datasetSha256"/> replaces its dataset.</summary>
        public async Task NewVersionAsync(string? datasetSha256 = null)
        {
            // From the committed text each time: a dataset one scenario swapped in must not leak into the next.
            var path = Path.Combine(_repo.Path, "models", Model, "model.yaml");
            var text = Regex.Replace(_committedModel, "numberOfTrees: [0-9]+", $"numberOfTrees: {21 + Interlocked.Increment(ref _edits)}");
            if (datasetSha256 is not null)
            {
                text = Regex.Replace(text, "sha256: [0-9a-f]{64}", $"sha256: {datasetSha256}");
            }
            await File.WriteAllTextAsync(path, text);
        }

        /// <summary>Writes a dataset into the state folder, where the local runtime finds it by its sha256.</summary>
        public string AddDataset(string csv)
        {
            var bytes = Encoding.UTF8.GetBytes(csv);
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            Directory.CreateDirectory(State.DatasetsFolder);
            File.WriteAllBytes(Path.Combine(State.DatasetsFolder, sha + ".csv"), bytes);
            return sha;
        }

        /// <summary>Starts Prometheus the way <c>gitops up</c> does (same port, configuration and data folder), as a
        /// process of the test: the caller kills it.</summary>
        public Process StartPrometheusLikeUp()
        {
            var psi = new ProcessStartInfo(PrometheusProcess.FindBinary()!) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add($"--config.file={Path.Combine(State.PrometheusFolder, "prometheus.yml")}");
            psi.ArgumentList.Add($"--storage.tsdb.path={Path.Combine(State.PrometheusFolder, "data")}");
            psi.ArgumentList.Add($"--web.listen-address=127.0.0.1:{PrometheusPort}");
            var process = Process.Start(psi)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }

        /// <summary>The versions the running servers serve.</summary>
        public IReadOnlyList<string> ServedVersions() =>
            [.. Up.Servers.Where(s => s.IsAlive).Select(s => s.Labels.GetValueOrDefault(ManagedLabels.Version) ?? "").Distinct()];

        public async Task<HttpStatusCode> InferAsync(string proxy)
        {
            using var response = await _http.PostAsync($"{proxy}/v2/models/{Model}/infer",
                new StringContent(UpRun.ExampleRequest(), Encoding.UTF8, "application/json"));
            return response.StatusCode;
        }

        private string? Proxy()
        {
            try
            {
                return Up.Proxy;
            }
            catch (Exception e) when (e is NullReferenceException or IOException or InvalidOperationException)
            {
                return null;
            }
        }

        /// <summary>Infer requests through the proxy of the running <c>gitops up</c> until the class ends.</summary>
        private async Task LoadAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    if (_proxy is { } proxy)
                    {
                        await InferAsync(proxy);
                    }
                    await Task.Delay(20, _stop.Token);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    // A server being replaced, gitops up restarting, or the end of the class.
                }
            }
        }
    }

    /// <summary>
    /// Bad canaries on the local runtime with a real Prometheus scraping real <c>gitops serve</c> processes: each one
    /// is caught by the analysis the design decides, rolled back and never served again.
    /// </summary>
    [Collection(nameof(UpRolloutTests))]
    public sealed class WhenTheCanaryIsBad(GuardedCanaryRun run) : IClassFixture<GuardedCanaryRun>
    {
        [Fact]
        public async Task Should_Roll_Back_And_Reject_A_Canary_That_Answers_5xx_When_Its_Error_Rate_Fails()
        {
            // Given every canary gitops up starts answers half of its requests with 500
            var faults = new Dictionary<string, string>
            {
                [EnvironmentVariables.FaultErrors] = "0.5",
                [EnvironmentVariables.FaultTrack] = "canary",
            };
            await run.RestartAsync(faults);
            var stable = (await run.StateAsync())!.Stable!;

            // When a new version is rolled out
            await run.NewVersionAsync();
            var state = await run.RolledBackAsync("the 5xx canary");

            // Then traffic is back on the stable version, the canary is rejected with the failed metric and its values
            var rejected = state.Rejected.Last();
            Assert.Equal(stable, state.Stable);
            Assert.Equal(0, state.Weight);
            Assert.Equal(RolloutPhase.Degraded, state.Phase);
            Assert.Contains("error-rate", rejected.Reason, StringComparison.Ordinal);
            Assert.Contains("failureCondition 'result >= 0.2' is true", rejected.Reason, StringComparison.Ordinal);
            var analysis = state.PastRuns.Last();
            Assert.Equal(AnalysisPhase.Failed, analysis.Phase);
            Assert.Contains(analysis.Measurements, m => m is { Metric: "error-rate", Phase: MeasurementPhase.Failed, Value: >= 0.2 and <= 1 });
            Assert.Contains(state.History, e => e.Kind == RolloutEventKind.RolledBack);
            // within 2 analysis intervals of its first traffic, counted in the recorded measurements: from the first one
            // that saw the canary's traffic (those before it had no data yet: the new route, the canary's first answers
            // and Prometheus's first scrapes of them take a few seconds) to the one that failed it, whose pass rolled back
            var errorRate = analysis.Measurements.Where(m => m.Metric == "error-rate").ToList();
            var firstTraffic = errorRate.First(m => m.Value is { } v && !double.IsNaN(v));
            var deciding = errorRate.First(m => m.Phase == MeasurementPhase.Failed);
            Assert.All(errorRate.TakeWhile(m => m != firstTraffic), m => Assert.Equal(MeasurementPhase.Inconclusive, m.Phase));
            Assert.Equal((deciding.At, deciding.At), (rejected.At, analysis.CompletedAt!.Value));
            var intervals = Slot(analysis.StartedAt, deciding.At) - Slot(analysis.StartedAt, firstTraffic.At);
            Assert.True(intervals <= 2, $"rolled back {intervals} intervals after the first measured traffic:\n"
                + string.Join("\n", errorRate.Select(m => $"{m.At:O} {m.Phase} {m.Value} {m.Reason}")));
            // the canary is scaled to 0 and every request is answered by v1 again
            await run.Up.EventuallyAsync(() => Task.FromResult(run.ServedVersions().SequenceEqual([stable])), "the canary's servers to stop");
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await run.InferAsync(run.Up.Proxy));
            }

            // And after a restart of gitops up, with Git still asking for it, the rejected version gets no traffic:
            // watched for as long as the analysis took to catch it the first time
            await run.RestartAsync(faults);
            var watchUntil = DateTime.UtcNow + (rejected.At - analysis.StartedAt) + TimeSpan.FromSeconds(2);
            while (DateTime.UtcNow < watchUntil)
            {
                var afterRestart = (await run.StateAsync())!;
                Assert.Equal(stable, afterRestart.Stable);
                Assert.True(afterRestart.IsRejected(rejected.Version));
                Assert.False(afterRestart.InProgress);
                Assert.Equal(0, afterRestart.Weight);
                Assert.DoesNotContain(rejected.Version, run.ServedVersions());
                Assert.Equal(HttpStatusCode.OK, await run.InferAsync(run.Up.Proxy));
                await Task.Delay(200);
            }
        }

        [Fact]
        public async Task Should_Roll_Back_A_Canary_Trained_On_A_Shifted_Dataset_When_Its_Score_Drift_Fails()
        {
            // Given the example dataset after an upstream change flipped its label (1 now marks a genuine payment):
            // a model trained on it is as accurate on its own rows, passes the gates, answers every request without
            // error, and scores the opposite of the stable version
            await run.RestartAsync(environment: null);
            var stable = (await run.StateAsync())!.Stable!;
            var shifted = run.AddDataset(FlippedLabels());

            // When a version trained on it is rolled out
            await run.NewVersionAsync(shifted);
            var state = await run.RolledBackAsync("the canary trained on the shifted dataset");

            // Then the score-drift analysis caught what the error rate could not, and the canary is gone
            var rejected = state.Rejected.Last();
            Assert.Equal(stable, state.Stable);
            Assert.Contains("score-drift", rejected.Reason, StringComparison.Ordinal);
            Assert.Contains("successCondition 'result < 0.1' is false", rejected.Reason, StringComparison.Ordinal);
            var analysis = state.PastRuns.Last();
            Assert.Equal(AnalysisPhase.Failed, analysis.Phase);
            Assert.Contains(analysis.Measurements, m => m is { Metric: "score-drift", Phase: MeasurementPhase.Failed, Value: >= 0.1 });
            Assert.DoesNotContain(analysis.Measurements, m => m is { Metric: "error-rate", Phase: MeasurementPhase.Failed or MeasurementPhase.Error });
            await run.Up.EventuallyAsync(() => Task.FromResult(run.ServedVersions().SequenceEqual([stable])), "the canary's servers to stop");
        }

        [Fact]
        public async Task Should_Roll_Back_And_Never_Promote_When_Prometheus_Is_Killed_Mid_Analysis()
        {
            // Given a good canary whose analysis has measured real traffic at least once
            await run.RestartAsync(environment: null);
            var stable = (await run.StateAsync())!.Stable!;
            await run.NewVersionAsync();
            await run.Up.EventuallyAsync(async () => (await run.StateAsync())?.StepAnalysis?.Measurements.Any(m => m.Phase == MeasurementPhase.Successful) is true,
                "the canary's analysis to measure", TimeSpan.FromMinutes(3));
            var measuring = (await run.StateAsync())!;
            var canary = measuring.Canary!;

            // When Prometheus is killed mid-analysis (gitops up does not restart it)
            var prometheus = run.Up.Processes.Single(p => p.Role == ProcessRole.Prometheus);
            OsProcesses.ForceKill(prometheus.Pid, prometheus.StartTime);
            var state = await run.RolledBackAsync("the canary whose analysis cannot reach Prometheus");

            // Then its queries are Error measurements, retried 10 s later; the second in a row (more than errorLimit 1)
            // ends the analysis Error, and Error rolls the canary back: it was never promoted
            var rejected = state.Rejected.Last();
            Assert.Equal((stable, canary, RolloutPhase.Degraded, 0), (state.Stable, rejected.Version, state.Phase, state.Weight));
            Assert.Contains("Error", rejected.Reason, StringComparison.Ordinal);
            Assert.Contains("consecutive query errors, more than errorLimit 1", rejected.Reason, StringComparison.Ordinal);
            Assert.Contains("cannot reach Prometheus", rejected.Reason, StringComparison.Ordinal);
            var analysis = state.PastRuns.Last();
            Assert.Equal(AnalysisPhase.Error, analysis.Phase);
            Assert.Contains(analysis.Measurements, m => m.Phase == MeasurementPhase.Successful);
            var errors = analysis.Measurements.Where(m => m.Phase == MeasurementPhase.Error).GroupBy(m => m.Metric)
                .First(g => rejected.Reason.Contains($"{g.Key}: 2 consecutive", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, errors.Count);
            Assert.True(errors[1].At - errors[0].At >= AnalysisMetric.ErrorRetryDelay, $"retried after {errors[1].At - errors[0].At}");
            Assert.All(errors, e => Assert.Null(e.Value));
            Assert.DoesNotContain(state.History, e => e.Kind == RolloutEventKind.Promoted && e.At >= measuring.RolloutStartedAt);
            await run.Up.EventuallyAsync(() => Task.FromResult(run.ServedVersions().SequenceEqual([stable])), "the canary's servers to stop");
        }

        /// <summary>The fixed-rate analysis slot (interval 2 s) of a measurement taken at <paramref name="at"/> in a run
        /// started at <paramref name="start"/>.</summary>
        private static long Slot(DateTimeOffset start, DateTimeOffset at) => (at - start).Ticks / TimeSpan.FromSeconds(2).Ticks;

        /// <summary>The example fraud dataset with its label flipped on every row.</summary>
        private static string FlippedLabels()
        {
            using var writer = new StringWriter(CultureInfo.InvariantCulture);
            FraudDataset.Write(writer, FraudDataset.DefaultRows, FraudDataset.DefaultSeed);
            var lines = writer.ToString().Split('\n');
            var flipped = new StringBuilder();
            flipped.Append(lines[0]).Append('\n');
            foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
            {
                flipped.Append(line.AsSpan(0, line.Length - 1)).Append(line[^1] == '1' ? '0' : '1').Append('\n');
            }
            return flipped.ToString();
        }
    }
}
