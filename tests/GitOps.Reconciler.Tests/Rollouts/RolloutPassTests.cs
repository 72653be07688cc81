using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;
using GitOps.Policy;
using GitOps.Reconciler.Analysis;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.Notifications;
using GitOps.Reconciler.Registry;
using GitOps.Reconciler.Rollouts;
using GitOps.Reconciler.Tests.Analysis;
using GitOps.Reconciler.Tests.Drivers.Kubernetes;
using GitOps.Reconciler.Tests.Support;
using GitOps.Rollouts.Analysis;
using GitOps.Rollouts.Rollout;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GitOps.Reconciler.Tests.Rollouts;

/// <summary>
/// The pass advances rollouts against the fake Kubernetes API server: state in the ConfigMap store, analysis through
/// the metrics port, rollback and rejection, progressDeadline, supersede, operator commands, and restarts (a new pass
/// and controller over the same cluster, as a restarted reconciler has).
/// </summary>
public sealed class RolloutPassTests
{
    private const string Env = "prod";
    private static readonly RolloutScope Scope = new(Env, SpecRepository.Namespace);

    private const string Policy = """
        apiVersion: ml.gitops/v1alpha1
        kind: RolloutPolicy
        metadata:
          name: fast
        spec:
          strategy: canary
          progressDeadline: 30s
          steps:
            - setWeight: 50
            - analysis: {templates: [error-rate]}
            - setWeight: 100
          analysis:
            - name: error-rate
              query: sum(rate(errors_total{model="{{model}}",track="{{track}}"}[1m]))
              successCondition: result < 0.05
              interval: 1s
              count: 2

        """;

    /// <summary>A blueGreen policy under the same name: the preview at full size, switched once ready.</summary>
    private const string BlueGreenPolicy = """
        apiVersion: ml.gitops/v1alpha1
        kind: RolloutPolicy
        metadata:
          name: fast
        spec:
          strategy: blueGreen
          scaleDownDelay: 30s

        """;

    private static string Environment() => SpecRepository.Environment() + "  prometheus:\n    url: http://127.0.0.1:9\n";

    /// <summary>The repository with the blueGreen policy, in an environment whose traffic goes through
    /// <paramref name="router"/>.</summary>
    private static Dictionary<string, string> BlueGreenFiles(int trees, string router)
    {
        var files = Files(trees);
        files["policies/rollouts/fast.yaml"] = BlueGreenPolicy;
        files["environments/prod/environment.yaml"] = Environment().Replace("router: replicas", $"router: {router}", StringComparison.Ordinal);
        return files;
    }

    private static string Model(string name, int trees) =>
        SpecRepository.Model(name, replicas: 2, trees: trees).Replace("  environments:", "  rollout: fast\n  environments:", StringComparison.Ordinal);

    private static Dictionary<string, string> Files(int trees, bool otherModel = false)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["environments/prod/environment.yaml"] = Environment(),
            ["policies/rollouts/fast.yaml"] = Policy,
            ["models/fraud/model.yaml"] = Model("fraud", trees),
        };
        if (otherModel)
        {
            files["models/churn/model.yaml"] = SpecRepository.Model("churn");
        }
        return files;
    }

    /// <summary>Answers every analysis query with what <see cref="Answer"/> says.</summary>
    private sealed class ScriptedMetrics : IMetricsQuery
    {
        public Func<string, Observation> Answer { get; set; } = q => Observation.Of(q, 0.0);

        public int Queries { get; private set; }

        public Task<Observation> QueryAsync(string query, DateTimeOffset at, CancellationToken cancellationToken)
        {
            Queries++;
            return Task.FromResult(Answer(query));
        }

        public Task<RangeAnswer> QueryRangeAsync(string query, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken) =>
            Task.FromResult(RangeAnswer.Failed(query, "not scripted"));
    }

    private sealed class Rig : IAsyncDisposable
    {
        private Rig(FakeCluster cluster)
        {
            Cluster = cluster;
            Store = new ConfigMapRolloutStateStore(cluster.Connection);
            Restart();
        }

        public FakeCluster Cluster { get; }
        public ScriptedGitSource Git { get; } = new();
        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        public ScriptedMetrics Prometheus { get; } = new();

        /// <summary>When set, the analysis queries this instead of <see cref="Prometheus"/> (e.g. a real client).</summary>
        public IMetricsQuery? Source { get; set; }
        public RecordingNotifier Notifier { get; } = new();
        public ConfigMapRolloutStateStore Store { get; }
        public ReconcilerMetrics Metrics { get; private set; } = null!;
        public ReconcilePass Pass { get; private set; } = null!;

        /// <summary>The repository at a number of trees (a new number trains a new version).</summary>
        public Func<int, Dictionary<string, string>> Repository { get; init; } = trees => Files(trees);

        public static async Task<Rig> StartAsync(Func<int, Dictionary<string, string>>? repository = null) =>
            new(await FakeCluster.StartAsync()) { Repository = repository ?? (trees => Files(trees)) };

        /// <summary>A new pass and controller over the same cluster: everything a restarted reconciler has.</summary>
        public void Restart()
        {
            Metrics = new ReconcilerMetrics(includeProcessMetrics: false);
            var controller = new RolloutController(new ConfigMapRolloutStateStore(Cluster.Connection), Metrics.Rollouts, Time,
                NullLogger.Instance, _ => Source ?? Prometheus);
            Pass = new ReconcilePass(Git, Cluster.Driver(), new InMemoryStatusStore(),
                new ClusterRegistry(new InMemoryRegistryFactStore()), Metrics, Time,
                new ReconcilePassSettings { Validate = RepositoryValidator.Validate, Rollouts = controller, Notifier = Notifier },
                NullLogger<ReconcilePass>.Instance);
        }

        public async Task<ReconcileOutcome> PassAsync() => (await Pass.RunAsync([Env], CancellationToken.None)).Single();

        public IEnumerable<JsonObject> Objects(string kind) =>
            Cluster.Server.ListObjects(kind == "Job" ? "batch/v1" : "apps/v1", kind, SpecRepository.Namespace);

        public JsonObject? Deployment(string name) => Objects("Deployment").FirstOrDefault(d => d["metadata"]!["name"]!.ToString() == name);

        public string? VersionOf(string deployment) => Deployment(deployment) is { } d ? ObjectKeys.Label(d, ManagedLabels.Version) : null;

        public int? ReplicasOf(string deployment) => Deployment(deployment)?["spec"]?["replicas"]?.GetValue<int>();

        /// <summary>The track all live traffic goes to: the HTTPRoute's weighted backend, or without a router the track
        /// the model's shared Service selects.</summary>
        public string LiveTrack(string router)
        {
            if (router == "replicas")
            {
                var service = Cluster.Server.ListObjects("v1", "Service", SpecRepository.Namespace).Single(s => s["metadata"]!["name"]!.ToString() == "fraud");
                return service["spec"]!["selector"]![ManagedLabels.Track]!.ToString();
            }
            var route = Cluster.Server.ListObjects("gateway.networking.k8s.io/v1", "HTTPRoute", SpecRepository.Namespace).Single();
            var live = Assert.Single(route["spec"]!["rules"]!.AsArray().Last()!["backendRefs"]!.AsArray(), b => b!["weight"]!.GetValue<int>() > 0)!;
            Assert.Equal(100, live["weight"]!.GetValue<int>());
            return live["name"]!.ToString()["fraud-".Length..];
        }

        /// <summary>Training Jobs succeed; with <paramref name="canary"/> false the canary's pods never become ready.</summary>
        public void Settle(bool canary = true)
        {
            foreach (var job in Objects("Job"))
            {
                Cluster.Server.SetStatus(ObjectKeys.Of(job), new JsonObject { ["succeeded"] = 1 });
            }
            foreach (var d in Objects("Deployment"))
            {
                if (!canary && d["metadata"]!["name"]!.ToString().EndsWith("-canary", StringComparison.Ordinal))
                {
                    continue;
                }
                var replicas = d["spec"]?["replicas"]?.GetValue<int>() ?? 1;
                Cluster.Server.SetStatus(ObjectKeys.Of(d), new JsonObject
                {
                    ["observedGeneration"] = d["metadata"]?["generation"]?.DeepClone() ?? 1,
                    ["replicas"] = replicas,
                    ["updatedReplicas"] = replicas,
                    ["readyReplicas"] = replicas,
                    ["availableReplicas"] = replicas,
                });
            }
        }

        /// <summary>Passes (each after a second, pods ready) until <paramref name="done"/> or a bounded number of passes.</summary>
        public async Task RunUntilAsync(Func<bool> done, bool canaryReady = true, int passes = 40)
        {
            for (var i = 0; i < passes && !done(); i++)
            {
                Settle(canaryReady);
                Time.Advance(TimeSpan.FromSeconds(1));
                await PassAsync();
            }
            Assert.True(done(), $"the condition did not hold after {passes} passes");
        }

        public async Task<RolloutState> StateAsync() => (await Store.LoadAsync(Scope, "fraud", CancellationToken.None))!.State;

        /// <summary>v1 stable, then v2 committed and trained: the rollout of v2 has started.</summary>
        public async Task<(string V1, string V2)> StartRolloutAsync()
        {
            Git.Commit(Repository(100));
            await RunUntilAsync(() => VersionOf("fraud-stable") is not null);
            var v1 = VersionOf("fraud-stable")!;
            Git.Commit(Repository(200));
            await RunUntilAsync(() => VersionOf("fraud-canary") is { } c && c != v1);
            return (v1, VersionOf("fraud-canary")!);
        }

        public async Task<string> ExportAsync() => await Metrics.ExportAsync(CancellationToken.None);

        public ValueTask DisposeAsync() => Cluster.DisposeAsync();
    }

    public sealed class TheRunAsyncMethod
    {
        [Fact]
        public async Task Should_Promote_A_Good_Canary_Through_Every_Step_When_The_Reconciler_Restarts_Mid_Rollout()
        {
            // Given a rollout of v2 at its first step
            await using var rig = await Rig.StartAsync();
            var (v1, v2) = await rig.StartRolloutAsync();
            Assert.Equal((1, 1), (rig.ReplicasOf("fraud-stable"), rig.ReplicasOf("fraud-canary")));
            await rig.RunUntilAsync(() => rig.StateAsync().Result.StepAnalysis is not null);
            var atRestart = await rig.StateAsync();

            // When the reconciler restarts and keeps going
            rig.Restart();
            await rig.PassAsync();
            var resumed = await rig.StateAsync();
            await rig.RunUntilAsync(() => rig.VersionOf("fraud-stable") == v2);

            // Then it resumed at the same step, measured each slot once, and promoted v2
            Assert.Equal(atRestart.StepIndex, resumed.StepIndex);
            Assert.Equal(atRestart.Generation, resumed.Generation);
            var state = await rig.StateAsync();
            Assert.Equal((v2, (string?)null, RolloutPhase.Healthy), (state.Stable, state.Canary, state.Phase));
            var run = Assert.Single(state.PastRuns);
            Assert.Equal(2, run.Measurements.Length);
            Assert.Equal(AnalysisPhase.Successful, run.Phase);
            Assert.Contains(state.History, e => e.Kind == RolloutEventKind.Promoted && e.Message.Contains(v1, StringComparison.Ordinal));
            Assert.Null(rig.Deployment("fraud-canary"));
            var metrics = await rig.ExportAsync();
            Assert.Contains("gitops_rollout_phase{environment=\"prod\",model=\"fraud\",phase=\"Healthy\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("gitops_analysis_verdicts_total{environment=\"prod\",model=\"fraud\",verdict=\"Successful\"} 1", metrics, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Should_Roll_Back_And_Never_Serve_The_Version_Again_When_The_Analysis_Fails()
        {
            // Given a canary whose error rate is too high
            await using var rig = await Rig.StartAsync();
            var (v1, v2) = await rig.StartRolloutAsync();
            rig.Prometheus.Answer = q => Observation.Of(q, 0.5);

            // When
            await rig.RunUntilAsync(() => rig.StateAsync().Result.Phase == RolloutPhase.Degraded);

            // Then traffic is back on v1, the canary has no pods and v2 is rejected, even after a restart
            Assert.Equal((v1, 0), (rig.VersionOf("fraud-stable"), rig.ReplicasOf("fraud-canary")));
            var state = await rig.StateAsync();
            var rejected = Assert.Single(state.Rejected);
            Assert.Equal(v2, rejected.Version);
            Assert.Contains("error-rate", rejected.Reason, StringComparison.Ordinal);
            var rollback = Assert.Single(rig.Notifier.Received.OfType<AutomaticRollback>());
            Assert.Equal(("fraud", v2, "error-rate"), (rollback.Model, rollback.Version, rollback.FailedMetric));
            Assert.NotEmpty(rollback.Measurements);
            Assert.Contains("gitops_rollbacks_total{environment=\"prod\",model=\"fraud\"} 1", await rig.ExportAsync(), StringComparison.Ordinal);
            rig.Restart();
            rig.Prometheus.Answer = q => Observation.Of(q, 0.0);
            for (var i = 0; i < 5; i++)
            {
                rig.Settle();
                rig.Time.Advance(TimeSpan.FromSeconds(5));
                await rig.PassAsync();
                Assert.Equal((v1, 0), (rig.VersionOf("fraud-stable"), rig.ReplicasOf("fraud-canary")));
            }
            Assert.Equal(RolloutPhase.Degraded, (await rig.StateAsync()).Phase);
        }

        [Fact]
        public async Task Should_Roll_Back_When_The_Business_Kpi_A_Template_Names_Leaves_Its_Range()
        {
            // Given a policy measuring the model's approval-rate KPI, whose query reads the payments of this namespace
            await using var rig = await Rig.StartAsync(trees =>
            {
                var files = Files(trees);
                files["policies/rollouts/fast.yaml"] = Policy.Replace(
                    "      query: sum(rate(errors_total{model=\"{{model}}\",track=\"{{track}}\"}[1m]))\n      successCondition: result < 0.05\n",
                    "      kpi: approval-rate\n      successCondition: result >= 0.5\n", StringComparison.Ordinal);
                files["models/fraud/model.yaml"] = Model("fraud", trees).Replace("  environments:",
                    "  monitoring:\n    kpis:\n      - name: approval-rate\n        query: sum(rate(payments_approved_total{namespace=\"{{namespace}}\"}[5m]))\n  environments:",
                    StringComparison.Ordinal);
                return files;
            });
            var (v1, v2) = await rig.StartRolloutAsync();
            var asked = new List<string>();
            rig.Prometheus.Answer = q =>
            {
                asked.Add(q);
                return Observation.Of(q, q.Contains("payments_approved_total", StringComparison.Ordinal) ? 0.2 : 1.0);
            };

            // When
            await rig.RunUntilAsync(() => rig.StateAsync().Result.Phase == RolloutPhase.Degraded);

            // Then the KPI's query was measured with the environment's namespace filled in, and its failure rolled v2 back
            Assert.Contains($"sum(rate(payments_approved_total{{namespace=\"{SpecRepository.Namespace}\"}}[5m]))", asked);
            Assert.Equal((v1, 0), (rig.VersionOf("fraud-stable"), rig.ReplicasOf("fraud-canary")));
            var rejected = Assert.Single((await rig.StateAsync()).Rejected);
            Assert.Equal(v2, rejected.Version);
            Assert.Contains("error-rate", rejected.Reason, StringComparison.Ordinal);
            Assert.Contains("result = 0.2", rejected.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Should_Roll_Back_When_The_Canary_Is_Not_Ready_Within_The_Progress_Deadline()
        {
            // Given
            await using var rig = await Rig.StartAsync();
            var (v1, v2) = await rig.StartRolloutAsync();

            // When the canary's pods never become ready
            await rig.RunUntilAsync(() => rig.StateAsync().Result.Phase == RolloutPhase.Degraded, canaryReady: false);

            // Then
            var state = await rig.StateAsync();
            Assert.Contains("progressDeadline", Assert.Single(state.Rejected).Reason, StringComparison.Ordinal);
            Assert.Equal((v1, 0), (rig.VersionOf("fraud-stable"), rig.ReplicasOf("fraud-canary")));
            Assert.Equal("progressDeadline", Assert.Single(rig.Notifier.Received.OfType<AutomaticRollback>()).FailedMetric);
            Assert.Equal(v2, state.Canary);
        }

        [Fact]
        public async Task Should_Supersede_The_Canary_When_A_Newer_Version_Is_Committed()
        {
            // Given a rollout of v2 waiting at its analysis (no data yet: paused for a human)
            await using var rig = await Rig.StartAsync();
            var (v1, v2) = await rig.StartRolloutAsync();
            rig.Prometheus.Answer = q => Observation.NoData(q);
            await rig.RunUntilAsync(() => rig.StateAsync().Result.Phase == RolloutPhase.Paused);

            // When v3 is committed and trained
            rig.Git.Commit(Files(trees: 300));
            var mostVersions = 0;
            await rig.RunUntilAsync(() =>
            {
                mostVersions = Math.Max(mostVersions, rig.Objects("Deployment").Select(d => ObjectKeys.Label(d, ManagedLabels.Version)).Distinct().Count());
                return rig.VersionOf("fraud-canary") is { } c && c != v2;
            });

            // Then v3 starts from the first step against v1; v2 is not rejected; never three versions at once
            var state = await rig.StateAsync();
            Assert.Equal(v1, state.Stable);
            Assert.NotEqual(v2, state.Canary);
            Assert.Empty(state.Rejected);
            Assert.Contains(state.History, e => e.Kind == RolloutEventKind.Superseded);
            Assert.DoesNotContain(rig.Objects("Deployment"), d => ObjectKeys.Label(d, ManagedLabels.Version) == v2);
            Assert.Equal(2, mostVersions);
        }

        [Fact]
        public async Task Should_Continue_At_The_Same_Step_When_Only_An_Unrelated_Spec_Changes()
        {
            // Given
            await using var rig = await Rig.StartAsync();
            var (_, v2) = await rig.StartRolloutAsync();
            await rig.RunUntilAsync(() => rig.StateAsync().Result.StepAnalysis is not null);
            var before = await rig.StateAsync();

            // When another model is added
            rig.Git.Commit(Files(trees: 200, otherModel: true));
            await rig.PassAsync();

            // Then
            var after = await rig.StateAsync();
            Assert.Equal((v2, before.Generation, before.StepIndex), (after.Canary, after.Generation, after.StepIndex));
            Assert.DoesNotContain(after.History, e => e.Kind is RolloutEventKind.Superseded or RolloutEventKind.Started && e.At > before.History[^1].At);
        }

        [Fact]
        public async Task Should_Pause_On_No_Data_And_Continue_When_An_Operator_Promotes()
        {
            // Given a canary with no traffic: the analysis is Inconclusive and the rollout pauses
            await using var rig = await Rig.StartAsync();
            var (_, v2) = await rig.StartRolloutAsync();
            rig.Prometheus.Answer = q => Observation.NoData(q);
            await rig.RunUntilAsync(() => rig.StateAsync().Result.Phase == RolloutPhase.Paused);

            // When an operator promotes through the store's command hand-off
            await rig.Store.WriteCommandAsync(Scope, "fraud", new RolloutCommand(RolloutCommandKind.Promote, "alice", rig.Time.GetUtcNow()), CancellationToken.None);
            await rig.RunUntilAsync(() => rig.VersionOf("fraud-stable") == v2);

            // Then the command was applied once, recorded with its actor, and is no longer pending
            var stored = await rig.Store.LoadAsync(Scope, "fraud", CancellationToken.None);
            Assert.Empty(stored!.PendingCommands);
            Assert.Single(stored.State.History, e => e.Actor == "alice");
            Assert.Contains("gitops_analysis_verdicts_total{environment=\"prod\",model=\"fraud\",verdict=\"Inconclusive\"} 1", await rig.ExportAsync(), StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("gatewayApi")]
        [InlineData("replicas")]
        public async Task Should_Switch_Traffic_Back_At_Once_Without_Rolling_A_Deployment_When_A_BlueGreen_Switch_Is_Aborted(string router)
        {
            // Given a blueGreen switch from v1 to v2: the preview's pods now serve everyone, v1's are kept
            await using var rig = await Rig.StartAsync(trees => BlueGreenFiles(trees, router));
            var (v1, v2) = await rig.StartRolloutAsync();
            await rig.RunUntilAsync(() => rig.StateAsync().Result is { LiveOnCanary: true } s && s.Stable == v2);
            var stableBefore = rig.Deployment("fraud-stable")!.DeepClone();
            var canaryBefore = rig.Deployment("fraud-canary")!.DeepClone();
            Assert.Equal((v1, v2), (rig.VersionOf("fraud-stable"), rig.VersionOf("fraud-canary")));
            Assert.Equal("canary", rig.LiveTrack(router));

            // When an operator aborts within scaleDownDelay, in the very next pass (no pod became ready in between)
            await rig.Store.WriteCommandAsync(Scope, "fraud", new RolloutCommand(RolloutCommandKind.Abort, "bob", rig.Time.GetUtcNow()), CancellationToken.None);
            rig.Time.Advance(TimeSpan.FromSeconds(1));
            await rig.PassAsync();

            // Then traffic is back on v1's pods at once: only the route (or the Service selector) changed; v1's
            // Deployment is untouched (same generation and pod template), v2's keeps its pod template and is scaled to 0
            var state = await rig.StateAsync();
            Assert.Equal((v1, RolloutPhase.Degraded, false), (state.Stable, state.Phase, state.LiveOnCanary));
            Assert.True(state.IsRejected(v2));
            Assert.Equal("stable", rig.LiveTrack(router));
            var stable = rig.Deployment("fraud-stable")!;
            Assert.Equal(stableBefore["metadata"]!["generation"]!.GetValue<long>(), stable["metadata"]!["generation"]!.GetValue<long>());
            Assert.True(JsonNode.DeepEquals(stableBefore["spec"], stable["spec"]));
            var canary = rig.Deployment("fraud-canary")!;
            Assert.True(JsonNode.DeepEquals(canaryBefore["spec"]!["template"], canary["spec"]!["template"]));
            Assert.Equal(0, rig.ReplicasOf("fraud-canary"));
        }

        [Fact]
        public async Task Should_Move_Traffic_To_The_Stable_Deployment_Only_When_It_Runs_The_New_Version_After_ScaleDownDelay()
        {
            // Given a blueGreen switch from v1 to v2
            await using var rig = await Rig.StartAsync(trees => BlueGreenFiles(trees, "gatewayApi"));
            var (_, v2) = await rig.StartRolloutAsync();
            await rig.RunUntilAsync(() => rig.StateAsync().Result is { LiveOnCanary: true } s && s.Stable == v2);

            // When scaleDownDelay passes, with the stable Deployment's new pods not ready yet
            rig.Time.Advance(TimeSpan.FromSeconds(31));
            await rig.PassAsync();
            Assert.Equal(v2, rig.VersionOf("fraud-stable"));
            await rig.PassAsync();

            // Then traffic stays on the canary Deployment until they are, then moves and the canary Deployment goes
            Assert.Equal("canary", rig.LiveTrack("gatewayApi"));
            await rig.RunUntilAsync(() => !rig.StateAsync().Result.LiveOnCanary);
            await rig.PassAsync();
            Assert.Equal("stable", rig.LiveTrack("gatewayApi"));
            Assert.Null(rig.Deployment("fraud-canary"));
        }

        [Fact]
        public async Task Should_Apply_Every_Pending_Command_In_One_Pass_With_Abort_Winning_Over_Promote()
        {
            // Given a paused rollout, and before the next pass: promote --full by alice, abort by bob, promote by carol
            await using var rig = await Rig.StartAsync();
            var (v1, v2) = await rig.StartRolloutAsync();
            rig.Prometheus.Answer = q => Observation.NoData(q);
            await rig.RunUntilAsync(() => rig.StateAsync().Result.Phase == RolloutPhase.Paused);
            var given = rig.Time.GetUtcNow();
            var commands = new[]
            {
                new RolloutCommand(RolloutCommandKind.PromoteFull, "alice", given.AddSeconds(-3)),
                new RolloutCommand(RolloutCommandKind.Abort, "bob", given.AddSeconds(-2)),
                new RolloutCommand(RolloutCommandKind.Promote, "carol", given.AddSeconds(-1)),
            };
            var written = new List<PendingRolloutCommand>();
            foreach (var command in commands)
            {
                written.Add(await rig.Store.WriteCommandAsync(Scope, "fraud", command, CancellationToken.None));
            }

            // When one pass runs
            rig.Settle();
            rig.Time.Advance(TimeSpan.FromSeconds(1));
            await rig.PassAsync();

            // Then all three were read in that pass and marked done in the same write as the new state: the rollout is
            // rolled back (abort wins; nothing was promoted), and each command is in the history with who and when
            var stored = (await rig.Store.LoadAsync(Scope, "fraud", CancellationToken.None))!;
            Assert.Empty(stored.PendingCommands);
            Assert.Equal(written[^1].Id, stored.LastCompletedCommandId);
            Assert.Equal((v1, RolloutPhase.Degraded), (stored.State.Stable, stored.State.Phase));
            Assert.True(stored.State.IsRejected(v2));
            Assert.Equal((v1, 0), (rig.VersionOf("fraud-stable"), rig.ReplicasOf("fraud-canary")));
            var byOperators = stored.State.History.Where(e => e.Actor is not null).Select(e => (e.Actor, e.GivenAt, e.Kind)).ToList();
            Assert.Equal([
                ("alice", commands[0].At, RolloutEventKind.CommandRefused),
                ("bob", commands[1].At, RolloutEventKind.RolledBack),
                ("carol", commands[2].At, RolloutEventKind.CommandRefused),
            ], byOperators.Select(e => (e.Actor!, e.GivenAt!.Value, e.Kind)));
            Assert.DoesNotContain(stored.State.History, e => e.Kind == RolloutEventKind.Promoted && e.Message.Contains(v2, StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// The analysis with the real Prometheus client against a Prometheus that misbehaves: each answer is the phase the
    /// decided semantics give it, and none of them ever promotes the canary.
    /// </summary>
    public sealed class WhenPrometheusMisbehaves(FakePrometheusApi api) : IClassFixture<FakePrometheusApi>
    {
        [Theory]
        [InlineData("error", MeasurementPhase.Error, RolloutPhase.Degraded)]
        [InlineData("slow", MeasurementPhase.Error, RolloutPhase.Degraded)]
        [InlineData("html", MeasurementPhase.Error, RolloutPhase.Degraded)]
        [InlineData("matrix", MeasurementPhase.Error, RolloutPhase.Degraded)]
        [InlineData("unreachable", MeasurementPhase.Error, RolloutPhase.Degraded)]
        [InlineData("nan", MeasurementPhase.Inconclusive, RolloutPhase.Paused)]
        [InlineData("empty", MeasurementPhase.Inconclusive, RolloutPhase.Paused)]
        [InlineData("inf", MeasurementPhase.Failed, RolloutPhase.Degraded)]
        public async Task Should_Never_Promote_When_Prometheus_Answers(string answer, MeasurementPhase measured, RolloutPhase ends)
        {
            // Given a rollout whose analysis asks a Prometheus that answers badly (errors are retried 10 s apart,
            // more than errorLimit 4 in a row end the analysis)
            await using var rig = await Rig.StartAsync();
            var baseUrl = answer == "unreachable" ? new Uri($"http://127.0.0.1:{ClosedPort()}/") : api.At(answer);
            var options = new PrometheusOptions { BaseUrl = baseUrl, Timeout = TimeSpan.FromMilliseconds(300) };
            using var http = PrometheusClient.CreateHttpClient(options);
            rig.Source = new PrometheusClient(http, options);
            var (v1, v2) = await rig.StartRolloutAsync();

            // When the reconciler keeps passing
            await rig.RunUntilAsync(() => rig.StateAsync().Result.Phase == ends, passes: 80);

            // Then every measurement has the phase the semantics give that answer, and v2 never became stable
            var state = await rig.StateAsync();
            var measurements = state.PastRuns.Concat(state.StepAnalysis is { } step ? [step] : []).SelectMany(r => r.Measurements).ToList();
            Assert.NotEmpty(measurements);
            Assert.All(measurements, m => Assert.Equal(measured, m.Phase));
            Assert.Equal(v1, state.Stable);
            Assert.Equal(v1, rig.VersionOf("fraud-stable"));
            Assert.DoesNotContain(state.History, e => e.Kind == RolloutEventKind.Promoted && e.Message.Contains(v2, StringComparison.Ordinal));
            Assert.Equal(ends == RolloutPhase.Degraded, state.IsRejected(v2));
        }

        private static int ClosedPort()
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
