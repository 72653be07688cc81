using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Specs.Model;

namespace GitOps.Planning.Monitoring.Dashboards;

/// <summary>A generated dashboard: the name of its ConfigMap, its uid (also its file name) and its JSON.</summary>
public sealed record GrafanaDashboard(string Name, string Uid, JsonObject Json)
{
    /// <summary>The file the dashboard is written to, and its key in the ConfigMap.</summary>
    public string FileName => Uid + ".json";

    /// <summary>The dashboard as Grafana imports it (indented, keys in a fixed order, ending in a newline).</summary>
    public string Text => DashboardSet.ToText(Json);
}

/// <summary>
/// All dashboards of one environment: the platform's and one per model served there. Written as files
/// (<c>gitops dashboards</c>) or rendered as ConfigMaps the Grafana sidecar loads (<c>grafana.dashboards</c> on the
/// Environment).
/// </summary>
public static class DashboardSet
{
    /// <summary>The label the Grafana sidecar (k8s-sidecar, as in the Grafana Helm chart) looks for.</summary>
    public const string SidecarLabel = "grafana_dashboard";
    public const string SidecarLabelValue = "1";
    /// <summary>The annotation naming the Grafana folder a dashboard goes in (the chart's <c>folderAnnotation</c>).</summary>
    public const string FolderAnnotation = "grafana_folder";

    private static readonly JsonSerializerOptions TextOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static ImmutableArray<GrafanaDashboard> For(SpecSet specs, EnvironmentSpec environment, bool leaderElection) =>
        [.. ByModel(specs, environment, leaderElection, platform: true).Select(d => d.Dashboard)];

    /// <summary>The dashboards with the model each is about (null: the platform's dashboard, left out unless
    /// <paramref name="platform"/>).</summary>
    public static ImmutableArray<(string? Model, GrafanaDashboard Dashboard)> ByModel(SpecSet specs, EnvironmentSpec environment,
        bool leaderElection, bool platform)
    {
        var scope = new AlertScope(environment.Name, environment.Spec.Namespace,
            environment.Spec.Prometheus?.RunbookUrl ?? Runbooks.DefaultBase, leaderElection);
        var models = specs.Models.Where(m => m.Spec.Environments.Contains(environment.Name))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m => ((string?)m.Name, new GrafanaDashboard(Specs.Kubernetes.ResourceNames.Of("gitops-dashboard-model", m.Name),
                ModelDashboard.Uid(environment.Name, m.Name), ModelDashboard.For(m, scope))));
        return platform
            ? [((string?)null, new GrafanaDashboard(Specs.Kubernetes.ResourceNames.Of("gitops-dashboard-platform", environment.Name),
                PlatformDashboard.Uid(environment.Name), PlatformDashboard.For(scope))), .. models]
            : [.. models];
    }

    /// <summary>
    /// Every PromQL expression of a dashboard and where it is: each panel's queries, and the series selector of each
    /// <c>label_values(SERIES, LABEL)</c> variable. Grafana's variables (<c>$version</c>, <c>$__rate_interval</c>) are
    /// left in.
    /// </summary>
    public static IEnumerable<(string Where, string Expr)> Queries(JsonObject dashboard)
    {
        foreach (var panel in dashboard["panels"]!.AsArray())
        {
            foreach (var target in panel!["targets"]?.AsArray() ?? [])
            {
                yield return ($"{dashboard["uid"]}: panel '{panel["title"]}' {target!["refId"]}", target["expr"]!.GetValue<string>());
            }
        }
        foreach (var variable in dashboard["templating"]!["list"]!.AsArray().Where(v => v!["type"]!.GetValue<string>() == "query"))
        {
            var definition = variable!["definition"]!.GetValue<string>();
            const string Prefix = "label_values(";
            yield return ($"{dashboard["uid"]}: variable {variable["name"]}", definition[Prefix.Length..definition.LastIndexOf(", ", StringComparison.Ordinal)]);
        }
    }

    /// <summary>The <c>data</c> of a dashboard's ConfigMap: one key, the file name, holding the JSON.</summary>
    public static JsonObject ConfigMapData(GrafanaDashboard dashboard) => new() { [dashboard.FileName] = dashboard.Text };

    /// <summary>Dashboard JSON as written to files: indented, with PromQL quotes and comparisons left readable.</summary>
    public static string ToText(JsonNode dashboard) => dashboard.ToJsonString(TextOptions).ReplaceLineEndings("\n") + "\n";
}
