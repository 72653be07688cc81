using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Testing.Golden;
using GitOps.Testing.Prometheus;
using Xunit;

namespace GitOps.Cli.Tests.Rollouts;

public sealed class AnalyzeCommandTests
{
    private const string BadCanary = "tests/GitOps.Cli.Tests/testdata/analyze/bad-canary.json";

    /// <summary>canary-standard's error-rate with the thresholds moved from 1 %/5 % to 20 %: the policy change under test.</summary>
    private const string LenientPolicy = """
        apiVersion: ml.gitops/v1alpha1
        kind: RolloutPolicy
        metadata:
          name: canary-lenient
        spec:
          strategy: canary
          steps:
            - setWeight: 10
            - analysis: {templates: [error-rate]}
          analysis:
            - name: error-rate
              query: >-
                sum(rate(gitops_inference_requests_total{model="{{model}}",track="{{track}}",code=~"5.."}[2m]))
                / sum(rate(gitops_inference_requests_total{model="{{model}}",track="{{track}}"}[2m]))
              successCondition: result < 0.2
              failureCondition: result >= 0.2
              interval: 1m
              count: 5
              failureLimit: 1
              minSamples: 50
        """;

    public sealed class WithAMeasurementsFile
    {
        [Fact]
        public async Task Should_Print_The_Verdict_Timeline_And_When_The_Rollout_Would_Have_Been_Aborted()
        {
            // Given
            using var repo = new RolloutRepository();

            // When
            var result = await CliRunner.RunAsync(["analyze", "--policy", "canary-standard", "--template", "error-rate", "-f", RepositoryPaths.Combine(BadCanary), repo.Root]);

            // Then (GITOPS_UPDATE_GOLDEN=1 rewrites the expected timeline)
            Assert.Equal((1, ""), (result.ExitCode, result.Stderr));
            Assert.EndsWith("With this policy, this rollout would have been aborted at 14:08 UTC on 2026-03-04 by error-rate (Failed: error-rate: "
                + "2 failed measurement(s), more than failureLimit 1; last: result = 0.09: failureCondition 'result >= 0.05' is true).\n", result.Stdout);
            GoldenFile.AssertMatches("tests/GitOps.Cli.Tests/testdata/analyze/bad-canary-standard.txt",
                result.Stdout.Replace(RepositoryPaths.Combine(BadCanary), BadCanary, StringComparison.Ordinal));
        }

        [Fact]
        public async Task Should_Let_A_Changed_Policy_Be_Tried_On_The_Same_Measurements()
        {
            // Given
            using var repo = new RolloutRepository();
            await File.WriteAllTextAsync(Path.Combine(repo.Root, "policies", "rollouts", "canary-lenient.yaml"), LenientPolicy);

            // When
            var result = await CliRunner.RunAsync(["analyze", "--policy", "canary-lenient", "-f", RepositoryPaths.Combine(BadCanary), "-o", "json", repo.Root]);

            // Then
            Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
            var json = JsonNode.Parse(result.Stdout)!;
            Assert.Equal("passed", json["outcome"]!.GetValue<string>());
            Assert.Equal(["successful", "successful", "running"], json["runs"]!.AsArray().Select(r => r!["verdict"]!.GetValue<string>()));
            Assert.Equal(12, json["measurements"]!.AsArray().Count);
        }

        [Fact]
        public async Task Should_Replay_The_Output_Of_Rollout_Status()
        {
            // Given
            using var repo = new RolloutRepository();
            await repo.SeedAsync("fraud-detector", repo.InAnalysis());
            var status = await CliRunner.RunAsync(repo.Args("rollout", "status", "-o", "json"));
            var file = Path.Combine(repo.StatePath, "status.json");
            await File.WriteAllTextAsync(file, status.Stdout);

            // When
            var result = await CliRunner.RunAsync(["analyze", "--policy", "canary-standard", "--template", "error-rate", "-f", file, repo.Root]);

            // Then the recorded 7 % error rate fails once; one failure is within failureLimit 1
            Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
            Assert.Contains("2026-03-04 14:03:00Z  error-rate  ✖ Failed       0.07 (125 requests)", result.Stdout);
            Assert.EndsWith("With this policy, this rollout would not have been aborted: the data ended while run 1 was still measuring (0 run(s) Successful before it).\n", result.Stdout);
        }

        [Fact]
        public async Task Should_Say_What_Is_Wrong_And_Where_In_A_Damaged_File()
        {
            // Given
            using var repo = new RolloutRepository();
            var file = Path.Combine(repo.Root, "broken.json");
            await File.WriteAllTextAsync(file, """{"kind":"MeasurementRecording","measurements":[{"metric":"error-rate","at":"2026-03-04T14:00:00Z"}]}""");

            // When
            var result = await CliRunner.RunAsync(["analyze", "--policy", "canary-standard", "-f", file, repo.Root]);

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Equal($"error: {file}: measurements[0]: one of \"value\" (a number, \"NaN\", \"Infinity\" or \"-Infinity\"), \"noData\": true or \"error\" is needed. "
                + "The format is described in docs/rollouts.md (Measurements file).\n", result.Stderr);
        }

        [Fact]
        public async Task Should_Exit_2_Naming_The_Measurement_And_The_Templates_When_A_Metric_Is_Not_In_The_Policy()
        {
            // Given a measurement whose metric is misspelt, which the replay would otherwise leave out
            using var repo = new RolloutRepository();
            var file = Path.Combine(repo.Root, "measurements.json");
            await File.WriteAllTextAsync(file, """
                {"kind": "MeasurementRecording", "measurements": [
                  {"metric": "error-rate", "at": "2026-03-04T14:00:00Z", "value": 0.001, "samples": 120},
                  {"metric": "error_rate", "at": "2026-03-04T14:01:00Z", "value": 0.3, "samples": 120}
                ]}
                """);

            // When
            var result = await CliRunner.RunAsync(["analyze", "--policy", "canary-standard", "-f", file, repo.Root]);

            // Then
            Assert.Equal((2, ""), (result.ExitCode, result.Stdout));
            Assert.Equal($"error: {file}: measurements[1]: \"metric\" is 'error_rate', which is not an analysis template of rollout policy canary-standard "
                + "(its templates: error-rate, latency-p99, score-drift; did you mean 'error-rate'?). "
                + "Name the template the measurement answers in \"metric\", or replay the policy that defines it (--policy).\n", result.Stderr);
        }

        [Fact]
        public async Task Should_Replay_A_File_Saved_With_A_Byte_Order_Mark()
        {
            // Given
            using var repo = new RolloutRepository();
            var file = Path.Combine(repo.Root, "measurements.json");
            await File.WriteAllTextAsync(file, await File.ReadAllTextAsync(RepositoryPaths.Combine(BadCanary)), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

            // When
            var result = await CliRunner.RunAsync(["analyze", "--policy", "canary-standard", "--template", "error-rate", "-f", file, repo.Root]);

            // Then
            Assert.Equal((1, ""), (result.ExitCode, result.Stderr));
            Assert.Contains("this rollout would have been aborted at 14:08 UTC on 2026-03-04 by error-rate", result.Stdout);
        }

        [Fact]
        public async Task Should_Suggest_The_Closest_Policy_When_The_Name_Is_Mistyped()
        {
            // Given
            using var repo = new RolloutRepository();

            // When
            var result = await CliRunner.RunAsync(["analyze", "--policy", "canary-standrd", "-f", RepositoryPaths.Combine(BadCanary), repo.Root]);

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Equal("error: --policy 'canary-standrd' is not a RolloutPolicy of this repository; did you mean 'canary-standard'?\n", result.Stderr);
        }
    }

    public sealed class WithPrometheus
    {
        [Fact]
        public async Task Should_Replay_Past_Data_Read_With_Range_Queries_From_A_Real_Prometheus()
        {
            // Given a Prometheus holding an hour-old canary whose error rate climbs from 0.5 % to 12 % after 6 minutes
            using var repo = new RolloutRepository();
            var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds() / 3600 * 3600);
            await using var prometheus = await PrometheusProcess.StartAsync([], CancellationToken.None, History(start));
            var from = start.AddMinutes(6);

            // When
            var result = await CliRunner.RunAsync(["analyze", "--policy", "canary-standard", "--template", "error-rate", "--model", "fraud-detector", "--version", "v2",
                "--env", "prod", "--prometheus", prometheus.BaseUrl.ToString(),
                "--from", from.ToString("O", CultureInfo.InvariantCulture), "--to", start.AddMinutes(25).ToString("O", CultureInfo.InvariantCulture), repo.Root]);

            // Then measurements every minute from --from: good until the errors start, then two failures abort it
            Assert.True((1, "") == (result.ExitCode, result.Stderr), result.Stdout + result.Stderr);
            Assert.True(result.Stdout.Contains($"{Clock(from)}  error-rate  ✔ Successful   0.005 (", StringComparison.Ordinal), result.Stdout);
            var abortedAt = start.AddMinutes(15);
            Assert.EndsWith($"With this policy, this rollout would have been aborted at {abortedAt.UtcDateTime:HH:mm} UTC on {abortedAt.UtcDateTime:yyyy-MM-dd} by error-rate "
                + "(Failed: error-rate: 2 failed measurement(s), more than failureLimit 1; last: result = 0.12: failureCondition 'result >= 0.05' is true).\n", result.Stdout);
        }

        [Fact]
        public async Task Should_Measure_The_Models_Kpi_When_A_Template_Names_It()
        {
            // Given a policy whose template names the approval-rate KPI, which fraud-detector defines over payments of its
            // namespace, and a Prometheus where approvals fall from 90 % to 30 % after 10 minutes (other namespaces stay high)
            using var repo = new RolloutRepository();
            await File.WriteAllTextAsync(Path.Combine(repo.Root, "policies", "rollouts", "canary-kpi.yaml"), KpiPolicy);
            var model = Path.Combine(repo.Root, "models", "fraud-detector", "model.yaml");
            var text = await File.ReadAllTextAsync(model);
            Assert.Contains("  monitoring:\n", text, StringComparison.Ordinal);
            await File.WriteAllTextAsync(model, text.Replace("  rollout: canary-standard\n", "  rollout: canary-kpi\n", StringComparison.Ordinal).Replace("  monitoring:\n",
                "  monitoring:\n    kpis:\n      - name: approval-rate\n        query: sum(increase(payments_approved_total{namespace=\"{{namespace}}\"}[2m])) / sum(increase(payments_total{namespace=\"{{namespace}}\"}[2m]))\n",
                StringComparison.Ordinal));
            var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds() / 3600 * 3600);
            await using var prometheus = await PrometheusProcess.StartAsync([], CancellationToken.None, Payments(start));

            // When
            var result = await CliRunner.RunAsync(["analyze", "--policy", "canary-kpi", "--model", "fraud-detector", "--env", "prod",
                "--prometheus", prometheus.BaseUrl.ToString(), "--from", start.AddMinutes(5).ToString("O", CultureInfo.InvariantCulture),
                "--to", start.AddMinutes(20).ToString("O", CultureInfo.InvariantCulture), repo.Root]);

            // Then the KPI's query, filled for prod's namespace, passes at first and fails once approvals fall
            Assert.True((1, "") == (result.ExitCode, result.Stderr), result.Stdout + result.Stderr);
            Assert.True(result.Stdout.Contains("approval  ✔ Successful   0.9", StringComparison.Ordinal), result.Stdout);
            Assert.True(result.Stdout.Contains("approval  ✖ Failed       0.3", StringComparison.Ordinal), result.Stdout);
            Assert.Contains("would have been aborted", result.Stdout, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Should_Say_Which_Kpi_The_Model_Lacks_When_The_Policy_Names_One()
        {
            // Given fraud-detector defines no KPI
            using var repo = new RolloutRepository();
            await File.WriteAllTextAsync(Path.Combine(repo.Root, "policies", "rollouts", "canary-kpi.yaml"), KpiPolicy);

            // When
            var result = await CliRunner.RunAsync(["analyze", "--policy", "canary-kpi", "--model", "fraud-detector", "--env", "prod",
                "--prometheus", "http://127.0.0.1:9", "--from", "2h", repo.Root]);

            // Then
            Assert.Equal(2, result.ExitCode);
            Assert.Equal("error: analysis template approval of canary-kpi measures KPI 'approval-rate', which model fraud-detector does not define under spec.monitoring.kpis (it has no KPIs).\n", result.Stderr);
        }

        private const string KpiPolicy = """
            apiVersion: ml.gitops/v1alpha1
            kind: RolloutPolicy
            metadata:
              name: canary-kpi
            spec:
              strategy: canary
              steps:
                - setWeight: 10
                - analysis: {templates: [approval]}
              analysis:
                - name: approval
                  kpi: approval-rate
                  successCondition: result >= 0.5
                  interval: 1m
                  count: 20
            """;

        /// <summary>20 minutes of payment counters, a sample every 15 s: 100 payments a second in ml-prod, 90 % approved
        /// for 10 minutes and 30 % after; ml-staging approves 95 % throughout.</summary>
        private static string Payments(DateTimeOffset start)
        {
            var text = new StringBuilder("# TYPE payments_total counter\n");
            foreach (var ns in new[] { "ml-prod", "ml-staging" })
            {
                double total = 0;
                for (var t = 0; t <= 20 * 60; t += 15)
                {
                    total += 100 * 15;
                    text.Append(CultureInfo.InvariantCulture, $"payments_total{{namespace=\"{ns}\"}} {total} {start.ToUnixTimeSeconds() + t}\n");
                }
            }
            text.Append("# TYPE payments_approved_total counter\n");
            foreach (var ns in new[] { "ml-prod", "ml-staging" })
            {
                double approved = 0;
                for (var t = 0; t <= 20 * 60; t += 15)
                {
                    approved += 100 * 15 * (ns == "ml-staging" ? 0.95 : t <= 10 * 60 ? 0.9 : 0.3);
                    text.Append(CultureInfo.InvariantCulture, $"payments_approved_total{{namespace=\"{ns}\"}} {approved} {start.ToUnixTimeSeconds() + t}\n");
                }
            }
            return text.Append("# EOF\n").ToString();
        }

        private static string Clock(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        /// <summary>
        /// 30 minutes of the inference server's request counter for fraud-detector's canary, a sample every 15 s: 100
        /// requests a second; 0.5 % answer 500 for the first 13 minutes, 12 % after.
        /// Measured from minute 6: run 1 passes at minute 10; run 2 sees 6 % at minute 14 and 12 % at 15, two failures.
        /// </summary>
        private static string History(DateTimeOffset start)
        {
            var text = new StringBuilder("# TYPE gitops_inference_requests counter\n");
            foreach (var code in new[] { "200", "500" })
            {
                double total = 0;
                for (var t = 0; t <= 30 * 60; t += 15)
                {
                    var errorShare = t <= 13 * 60 ? 0.005 : 0.12;
                    total += 100 * 15 * (code == "500" ? errorShare : 1 - errorShare);
                    text.Append(CultureInfo.InvariantCulture,
                        $"gitops_inference_requests_total{{model=\"fraud-detector\",version=\"v2\",track=\"canary\",code=\"{code}\"}} {total} {start.ToUnixTimeSeconds() + t}\n");
                }
            }
            return text.Append("# EOF\n").ToString();
        }
    }
}
