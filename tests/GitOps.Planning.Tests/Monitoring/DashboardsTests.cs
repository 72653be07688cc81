using System.Text;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Monitoring.Dashboards;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;
using GitOps.Specs.Model;
using GitOps.Testing.Golden;
using GitOps.Testing.Prometheus;

namespace GitOps.Planning.Tests.Monitoring;

public sealed class DashboardsTests
{
    /// <summary>An expression with Grafana's variables replaced by values Prometheus parses.</summary>
    internal static string AsPromQl(string expr) => expr
        .Replace("$__rate_interval", "5m", StringComparison.Ordinal)
        .Replace("$__range", "1h", StringComparison.Ordinal)
        .Replace("$version", ".*", StringComparison.Ordinal)
        .Replace("$track", ".*", StringComparison.Ordinal)
        .Replace("$model", ".*", StringComparison.Ordinal);

    public sealed class TheForMethod
    {
        [Fact]
        public void Should_Match_The_Golden_Dashboard_When_Every_Part_Of_Monitoring_Is_Set()
        {
            // Given
            var specs = MonitoredRepository.Specs();

            // When
            var dashboards = DashboardSet.For(specs, specs.Environment("prod")!, leaderElection: true);

            // Then
            var model = Assert.Single(dashboards, d => d.Uid == "gitops-prod-fraud-detector");
            GoldenFile.AssertMatches("tests/GitOps.Planning.Tests/testdata/dashboards/gitops-prod-fraud-detector.json", model.Text);
        }

        [Fact]
        public void Should_Give_The_Platform_And_Each_Served_Model_A_Dashboard_With_Stable_Short_Uids()
        {
            // Given a model whose name makes the uid longer than Grafana allows
            var specs = MonitoredRepository.Specs();
            var longName = new string('m', 60);
            specs = specs with { Models = [.. specs.Models, specs.Models[0] with { Metadata = specs.Models[0].Metadata with { Name = longName } }] };
            var env = specs.Environment("staging")!;

            // When
            var first = DashboardSet.For(specs, env, leaderElection: false);
            var second = DashboardSet.For(specs, env, leaderElection: false);

            // Then
            Assert.Equal(first.Select(d => d.Text), second.Select(d => d.Text));
            Assert.Equal("gitops-platform-staging", first[0].Uid);
            Assert.Equal(specs.Models.Count(m => m.Spec.Environments.Contains("staging")) + 1, first.Length);
            Assert.All(first, d => Assert.InRange(d.Uid.Length, 1, DashboardBuilder.MaxUidLength));
            Assert.Equal(first.Length, first.Select(d => d.Uid).Distinct().Count());
            var shortened = Assert.Single(first, d => d.Json["title"]!.GetValue<string>().Contains(longName, StringComparison.Ordinal));
            Assert.StartsWith("gitops-staging-mmm", shortened.Uid, StringComparison.Ordinal);
            Assert.DoesNotContain(first[0].Json["panels"]!.AsArray(), p => p!["title"]!.GetValue<string>() == "Leaders");
        }

        [Fact]
        public void Should_Use_The_Datasource_Variable_And_Draw_The_Spec_Thresholds_When_Monitoring_Sets_Them()
        {
            // Given
            var specs = MonitoredRepository.Specs();

            // When
            var model = DashboardSet.For(specs, specs.Environment("prod")!, leaderElection: true).Single(d => d.Uid == "gitops-prod-fraud-detector").Json;

            // Then
            Assert.Equal(DashboardBuilder.SchemaVersion, model["schemaVersion"]!.GetValue<int>());
            var variables = model["templating"]!["list"]!.AsArray().Select(v => v!["name"]!.GetValue<string>());
            Assert.Equal(["datasource", "version", "track"], variables);
            var panels = model["panels"]!.AsArray().Where(p => p!["type"]!.GetValue<string>() != "row").ToList();
            Assert.All(panels, p => Assert.Equal("${datasource}", p!["datasource"]!["uid"]!.GetValue<string>()));
            double? Limit(string title) => panels.Single(p => p!["title"]!.GetValue<string>() == title)!["fieldConfig"]!["defaults"]!["thresholds"]!["steps"]!
                .AsArray().Skip(1).Select(s => s!["value"]!.GetValue<double>()).Cast<double?>().SingleOrDefault();
            Assert.Equal(0.2, Limit("Feature drift (PSI)"));
            Assert.Equal(0.25, Limit("Score drift (PSI)"));
            Assert.Equal(0.01, Limit("Missing or NaN values"));
            Assert.Equal(0.5, Limit("KPI approval-rate"));
            Assert.Equal(["heatmap", "heatmap"], panels.Where(p => p!["title"]!.GetValue<string>().StartsWith("Score distribution", StringComparison.Ordinal))
                .Select(p => p!["type"]!.GetValue<string>()));
        }
    }

    public sealed class ThePromQl : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("gitops-dashboards-").FullName;

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        [Fact]
        public async Task Should_Parse_In_Promtool_When_Every_Query_Of_Every_Dashboard_Is_A_Recording_Rule()
        {
            // Given every query of prod's and staging's dashboards as a recording rule
            var specs = MonitoredRepository.Specs();
            var queries = new[] { "prod", "staging" }
                .SelectMany(e => DashboardSet.For(specs, specs.Environment(e)!, leaderElection: e == "prod"))
                .SelectMany(d => DashboardSet.Queries(d.Json)).ToList();
            var file = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
            for (var i = 0; i < queries.Count; i++)
            {
                file.Append($"      - record: dashboard_query_{i}\n        expr: {JsonValue.Create(AsPromQl(queries[i].Expr)).ToJsonString()}\n");
            }
            await File.WriteAllTextAsync(Path.Combine(_folder, "dashboards.yml"), file.ToString());

            // When
            var result = await PrometheusTools.RunAsync(PrometheusTools.Promtool, ["check", "rules", "dashboards.yml"], CancellationToken.None, _folder);

            // Then
            Assert.True(result.ExitCode == 0, result.Output);
            Assert.Contains($"SUCCESS: {queries.Count} rules found", result.Output, StringComparison.Ordinal);
        }
    }

    public sealed class TheRenderer
    {
        [Fact]
        public void Should_Render_Labelled_ConfigMaps_In_The_Folder_When_The_Environment_Asks_For_Dashboards()
        {
            // Given
            var specs = MonitoredRepository.Specs(grafana: new GrafanaTarget(true, "ML models"));

            // When
            var result = Renderer.Render(specs, "staging", Clusters.AllServed(specs), new RenderContext("abc1234"));

            // Then one ConfigMap per dashboard, found by the sidecar's label, managed by the environment
            var maps = result.Objects.Where(o => ObjectKeys.Label(o, DashboardSet.SidecarLabel) is not null).ToList();
            Assert.Equal(["gitops-dashboard-model-churn-predictor", "gitops-dashboard-model-fraud-detector", "gitops-dashboard-platform-staging"],
                maps.Select(o => ObjectKeys.Of(o).Name).Order(StringComparer.Ordinal));
            Assert.All(maps, o =>
            {
                Assert.Equal((ManagedKinds.ConfigMap.Kind, "ml-staging"), (ObjectKeys.Of(o).Kind, ObjectKeys.Of(o).Namespace));
                Assert.Equal("1", ObjectKeys.Label(o, DashboardSet.SidecarLabel));
                Assert.Equal(("staging", ManagedLabels.ManagedByValue), (ObjectKeys.Label(o, ManagedLabels.Environment), ObjectKeys.Label(o, ManagedLabels.ManagedBy)));
                Assert.Equal("ML models", ObjectKeys.Annotation(o, DashboardSet.FolderAnnotation));
                var (key, json) = Assert.Single(o["data"]!.AsObject());
                var dashboard = JsonNode.Parse(json!.GetValue<string>())!;
                Assert.Equal(key, dashboard["uid"]!.GetValue<string>() + ".json");
            });
        }

        [Fact]
        public void Should_Prune_The_Dashboards_When_The_Environment_Turns_Them_Off()
        {
            // Given the cluster holds what staging renders with dashboards
            var on = MonitoredRepository.Specs(grafana: new GrafanaTarget(true));
            var off = MonitoredRepository.Specs(grafana: null);
            var before = Renderer.Render(on, "staging", Clusters.AllServed(on), new RenderContext("abc1234")).Objects;

            // When
            var plan = Planner.Plan("staging", Renderer.Render(off, "staging", Clusters.AllServed(off), new RenderContext("abc1234")).Objects, before);

            // Then exactly the three dashboard ConfigMaps are deleted
            var deleted = plan.Actions.Where(a => a.Action == ActionKind.Delete).Select(a => a.Key).ToList();
            Assert.Equal(3, deleted.Count);
            Assert.All(deleted, k => Assert.Equal(ManagedKinds.ConfigMap.Kind, k.Kind));
            Assert.All(deleted, k => Assert.StartsWith("gitops-dashboard-", k.Name, StringComparison.Ordinal));
        }

        [Fact]
        public void Should_Render_No_Dashboard_And_Change_The_Spec_Hash_With_The_Folder_When_Settings_Change()
        {
            // Given
            static string? Hash(GrafanaTarget? grafana)
            {
                var specs = MonitoredRepository.Specs(grafana: grafana);
                var objects = Renderer.Render(specs, "staging", Clusters.AllServed(specs), new RenderContext("abc1234")).Objects;
                return objects.Where(o => ObjectKeys.Label(o, DashboardSet.SidecarLabel) is not null)
                    .Select(o => ObjectKeys.Annotation(o, ManagedLabels.SpecHashAnnotation)).FirstOrDefault();
            }

            // When
            var (none, off, a, b, noFolder) = (Hash(null), Hash(new GrafanaTarget(false)), Hash(new GrafanaTarget(true, "a")), Hash(new GrafanaTarget(true, "b")), Hash(new GrafanaTarget(true)));

            // Then
            Assert.Null(none);
            Assert.Null(off);
            Assert.Equal(3, new[] { a, b, noFolder }.Distinct().Count());
        }
    }
}
