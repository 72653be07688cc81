using System.Text;
using System.Text.Json.Nodes;
using GitOps.Cli.Conventions;
using GitOps.Reconciler.Drivers.Kubernetes;
using GitOps.Reconciler.Rollouts;
using GitOps.Rollouts.Rollout;
using GitOps.Testing.FakeKubernetes;
using GitOps.Testing.Golden;
using Xunit;

namespace GitOps.Cli.Tests.Rollouts;

public sealed class RolloutCommandTests
{
    private static readonly Dictionary<string, string> Alice = new() { ["USER"] = "alice" };

    public sealed class TheStatusCommand
    {
        [Fact]
        public async Task Should_Draw_Steps_Weight_And_Every_Measurement_As_A_Tree()
        {
            // Given
            using var repo = new RolloutRepository();
            await repo.SeedAsync("fraud-detector", repo.InAnalysis());

            // When
            var result = await CliRunner.RunAsync(repo.Args("rollout", "status", "--model", "fraud-detector"));

            // Then (GITOPS_UPDATE_GOLDEN=1 rewrites the expected tree)
            Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
            GoldenFile.AssertMatches("tests/GitOps.Cli.Tests/testdata/rollout/status-in-analysis.txt", result.Stdout);
        }

        [Fact]
        public async Task Should_Write_The_State_And_A_Replayable_Measurements_File_As_Json()
        {
            // Given
            using var repo = new RolloutRepository();
            await repo.SeedAsync("fraud-detector", repo.InAnalysis());

            // When
            var result = await CliRunner.RunAsync(repo.Args("rollout", "status", "-o", "json"));

            // Then
            Assert.Equal(0, result.ExitCode);
            var rollout = JsonNode.Parse(result.Stdout)!["rollouts"]!.AsArray().Single()!;
            Assert.Equal(("fraud-detector", "progressing", 10, 2), (rollout["model"]!.GetValue<string>(), rollout["phase"]!.GetValue<string>(),
                rollout["weight"]!.GetValue<int>(), rollout["step"]!.GetValue<int>()));
            Assert.Equal("current", rollout["steps"]![1]!["status"]!.GetValue<string>());
            Assert.Equal(6, rollout["recording"]!["measurements"]!.AsArray().Count);
            Assert.Equal("1-step-2", rollout["state"]!["stepAnalysis"]!["id"]!.GetValue<string>());
        }

        [Fact]
        public async Task Should_Say_So_When_The_Environment_Has_No_Rollout_Yet()
        {
            // Given
            using var repo = new RolloutRepository();

            // When
            var result = await CliRunner.RunAsync(repo.Args("rollout", "status"));

            // Then
            Assert.Equal(0, result.ExitCode);
            Assert.Equal("No rollouts in environment local yet: the reconciler records one when it first deploys a model.\n", result.Stdout);
        }

        [Fact]
        public async Task Should_Print_Again_When_The_Rollout_Changes_While_Watching()
        {
            // Given
            using var repo = new RolloutRepository();
            var stored = await repo.SeedAsync("fraud-detector", repo.InAnalysis());
            var stdout = new LockedWriter();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));

            // When
            var watching = GitOpsCommandLine.RunAsync(
                repo.Args("rollout", "status", "--model", "fraud-detector", "--watch", "--interval", "50ms"),
                stdout, new LockedWriter(), CliEnvironment.Isolated(), stop.Token);
            await Eventually(() => stdout.Text.Contains("Status:          ◌ Progressing", StringComparison.Ordinal), stop.Token);
            await repo.Store.SaveAsync(RolloutRepository.Local, "fraud-detector", RolloutRepository.RolledBack(), stored.ResourceVersion, CancellationToken.None);
            await Eventually(() => stdout.Text.Contains("Status:          ✖ Degraded", StringComparison.Ordinal), stop.Token);
            await stop.CancelAsync();
            var code = await watching;

            // Then
            Assert.Equal(0, code);
            Assert.Equal(1, Occurrences(stdout.Text, "Status:          ◌ Progressing"));
            Assert.Equal(1, Occurrences(stdout.Text, "Status:          ✖ Degraded"));
        }
    }

    public sealed class TheOperatorCommands
    {
        [Fact]
        public async Task Should_Keep_Both_Commands_And_Say_How_They_Apply_When_A_Second_One_Is_Given_Before_The_Pass()
        {
            // Given a promote by alice still pending
            using var repo = new RolloutRepository();
            await repo.SeedAsync("fraud-detector", repo.InAnalysis());
            await CliRunner.RunWithVariablesAsync(Alice, repo.Args("rollout", "promote", "--model", "fraud-detector"));

            // When bob aborts before the reconciler's next pass
            var abort = await CliRunner.RunAsync(repo.Args("rollout", "abort", "--model", "fraud-detector", "--actor", "bob"));
            var status = await CliRunner.RunAsync(repo.Args("rollout", "status", "--model", "fraud-detector"));

            // Then neither replaces the other: both wait for the reconciler, which applies them as documented
            Assert.Equal((0, ""), (abort.ExitCode, abort.Stderr));
            Assert.Contains("Also pending: promote by alice; all are applied in that pass, in the order given, an abort winning over a promote.", abort.Stdout);
            var pending = await repo.Store.TakePendingCommandsAsync(RolloutRepository.Local, "fraud-detector", CancellationToken.None);
            Assert.Equal([(RolloutCommandKind.Promote, "alice"), (RolloutCommandKind.Abort, "bob")], pending.Select(p => (p.Command.Kind, p.Command.Actor)));
            Assert.Contains("Pending:         promote by alice at ", status.Stdout);
            Assert.Contains("Pending:         abort by bob at ", status.Stdout);
        }

        [Fact]
        public async Task Should_Record_Promote_With_Who_And_When_For_The_Reconciler()
        {
            // Given
            using var repo = new RolloutRepository();
            await repo.SeedAsync("fraud-detector", repo.InAnalysis());
            var before = DateTimeOffset.UtcNow;

            // When
            var result = await CliRunner.RunWithVariablesAsync(Alice, repo.Args("rollout", "promote", "--model", "fraud-detector"));

            // Then
            Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
            var pending = Assert.Single(await repo.Store.TakePendingCommandsAsync(RolloutRepository.Local, "fraud-detector", CancellationToken.None));
            Assert.Equal((RolloutCommandKind.Promote, "alice"), (pending.Command.Kind, pending.Command.Actor));
            Assert.InRange(pending.Command.At, before, DateTimeOffset.UtcNow);
            Assert.StartsWith("promote of fraud-detector (v2) in environment local recorded by alice at ", result.Stdout);
            Assert.Contains($"(command {pending.Id})", result.Stdout);
        }

        [Fact]
        public async Task Should_Record_Promote_Full_As_Given_By_The_Actor_Flag_Over_The_Variable()
        {
            // Given
            using var repo = new RolloutRepository();
            await repo.SeedAsync("fraud-detector", repo.InAnalysis());

            // When
            var result = await CliRunner.RunWithVariablesAsync(new Dictionary<string, string> { ["GITOPS_ACTOR"] = "ci-bot", ["USER"] = "alice" },
                repo.Args("rollout", "promote", "--full", "--model", "fraud-detector", "--actor", "bob"));

            // Then
            Assert.Equal(0, result.ExitCode);
            var pending = Assert.Single(await repo.Store.TakePendingCommandsAsync(RolloutRepository.Local, "fraud-detector", CancellationToken.None));
            Assert.Equal((RolloutCommandKind.PromoteFull, "bob"), (pending.Command.Kind, pending.Command.Actor));
        }

        [Fact]
        public async Task Should_Take_The_Actor_From_GITOPS_ACTOR_When_No_Flag_Is_Given()
        {
            // Given
            using var repo = new RolloutRepository();
            await repo.SeedAsync("fraud-detector", repo.InAnalysis());

            // When
            await CliRunner.RunWithVariablesAsync(new Dictionary<string, string> { ["GITOPS_ACTOR"] = "ci-bot", ["USER"] = "alice" },
                repo.Args("rollout", "abort", "--model", "fraud-detector"));

            // Then
            var pending = Assert.Single(await repo.Store.TakePendingCommandsAsync(RolloutRepository.Local, "fraud-detector", CancellationToken.None));
            Assert.Equal((RolloutCommandKind.Abort, "ci-bot"), (pending.Command.Kind, pending.Command.Actor));
        }

        [Fact]
        public async Task Should_Refuse_To_Promote_A_Rolled_Back_Version_And_Point_To_Retry()
        {
            // Given
            using var repo = new RolloutRepository();
            await repo.SeedAsync("fraud-detector", RolloutRepository.RolledBack());

            // When
            var result = await CliRunner.RunWithVariablesAsync(Alice, repo.Args("rollout", "promote", "--model", "fraud-detector"));

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Equal("error: cannot promote fraud-detector in environment local: version v2 was rolled back (analysis of step 2 Failed: error-rate: "
                + "2 failed measurement(s), more than failureLimit 1); run 'gitops rollout retry' to roll it out again from the first step.\n", result.Stderr);
            Assert.Empty(await repo.Store.TakePendingCommandsAsync(RolloutRepository.Local, "fraud-detector", CancellationToken.None));
        }

        [Fact]
        public async Task Should_Refuse_To_Abort_When_No_Rollout_Is_In_Progress()
        {
            // Given
            using var repo = new RolloutRepository();
            await repo.SeedAsync("fraud-detector", RolloutRepository.Settled());

            // When
            var result = await CliRunner.RunWithVariablesAsync(Alice, repo.Args("rollout", "abort", "--model", "fraud-detector"));

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Equal("error: cannot abort fraud-detector in environment local: no rollout is in progress (stable version v1); there is nothing to abort.\n", result.Stderr);
        }

        [Fact]
        public async Task Should_Record_Retry_Of_A_Rolled_Back_Version()
        {
            // Given
            using var repo = new RolloutRepository();
            await repo.SeedAsync("fraud-detector", RolloutRepository.RolledBack());

            // When
            var result = await CliRunner.RunWithVariablesAsync(Alice, repo.Args("rollout", "retry", "--model", "fraud-detector"));

            // Then
            Assert.Equal(0, result.ExitCode);
            var pending = Assert.Single(await repo.Store.TakePendingCommandsAsync(RolloutRepository.Local, "fraud-detector", CancellationToken.None));
            Assert.Equal(RolloutCommandKind.Retry, pending.Command.Kind);
        }

        [Fact]
        public async Task Should_Suggest_The_Closest_Model_When_The_Name_Is_Mistyped()
        {
            // Given
            using var repo = new RolloutRepository();
            await repo.SeedAsync("fraud-detector", repo.InAnalysis());

            // When
            var result = await CliRunner.RunWithVariablesAsync(Alice, repo.Args("rollout", "abort", "--model", "fraud-detecter"));

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Equal("error: --model 'fraud-detecter' is not a Model of this repository; did you mean 'fraud-detector'?\n", result.Stderr);
        }

        [Fact]
        public async Task Should_Say_When_A_Model_Served_In_The_Environment_Has_No_Rollout_There_Yet()
        {
            // Given fraud-detector, served in local, before gitops up deployed it
            using var repo = new RolloutRepository();

            // When
            var result = await CliRunner.RunWithVariablesAsync(Alice, repo.Args("rollout", "promote", "--model", "fraud-detector"));

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Equal("error: model fraud-detector has no rollout in environment local yet: the reconciler has not deployed it there "
                + "(is 'gitops up' running for this repository?).\n", result.Stderr);
        }

        [Theory]
        [InlineData("status")]
        [InlineData("promote")]
        public async Task Should_Name_The_Environments_Serving_The_Model_When_It_Is_Not_Served_In_This_One(string verb)
        {
            // Given ticket-classifier, served in staging and prod only
            using var repo = new RolloutRepository();

            // When its rollout in local is asked for
            var result = await CliRunner.RunWithVariablesAsync(Alice, repo.Args("rollout", verb, "--model", "ticket-classifier"));

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Equal("error: model ticket-classifier is not served in environment local (it is served in: staging, prod); "
                + "pass --env with one of them.\n", result.Stderr);
        }
    }

    public sealed class OnKubernetes
    {
        [Fact]
        public async Task Should_Write_The_Command_Annotation_On_The_Rollout_ConfigMap_Of_The_Environment()
        {
            // Given the prod environment's context points at a fake API server holding fraud-detector's rollout
            using var repo = new RolloutRepository();
            await using var server = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = "t0k3n" });
            Directory.CreateDirectory(repo.StatePath + "-kube");
            var kubeconfig = server.WriteKubeconfig(Path.Combine(repo.StatePath + "-kube", "config"), contextName: "prod-eu-west", @namespace: "ml-prod");
            using (var connection = KubernetesApiConnection.FromKubeconfig(kubeconfig, "prod-eu-west"))
            {
                await new ConfigMapRolloutStateStore(connection).SaveAsync(new RolloutScope("prod", "ml-prod"), "fraud-detector", repo.InAnalysis(), null, CancellationToken.None);
            }

            // When
            var promote = await CliRunner.RunAsync(["rollout", "promote", "--env", "prod", "--model", "fraud-detector", "--actor", "alice", "--kubeconfig", kubeconfig, repo.Root]);
            var status = await CliRunner.RunAsync(["rollout", "status", "--env", "prod", "--kubeconfig", kubeconfig, repo.Root]);

            // Then
            Assert.Equal((0, ""), (promote.ExitCode, promote.Stderr));
            var annotation = server.GetObject("v1", "ConfigMap", "ml-prod", "gitops-rollout-fraud-detector")!["metadata"]!["annotations"]!["gitops.ml/rollout-command"]!.GetValue<string>();
            var command = Assert.Single(JsonNode.Parse(annotation)!.AsArray())!;
            Assert.Equal(("promote", "alice"), (command["command"]!.GetValue<string>(), command["actor"]!.GetValue<string>()));
            Assert.Equal(0, status.ExitCode);
            Assert.Contains("Pending:         promote by alice at ", status.Stdout);
            Assert.Contains("├── ► 2. analysis error-rate, latency-p99, score-drift", status.Stdout);
        }
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    private static async Task Eventually(Func<bool> condition, CancellationToken ct)
    {
        while (!condition())
        {
            await Task.Delay(20, ct);
        }
    }

    /// <summary>A writer that a test can read while the command writes to it from another thread.</summary>
    private sealed class LockedWriter : TextWriter
    {
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }
    }
}
