using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace GitOps.Planning.Monitoring.Dashboards;

/// <summary>How a panel draws its queries.</summary>
public enum PanelKind
{
    /// <summary>Lines over time.</summary>
    TimeSeries,
    /// <summary>The last value, large.</summary>
    Stat,
    /// <summary>Histogram buckets over time (the queries return <c>le</c> series).</summary>
    Heatmap,
}

/// <summary>One query of a panel: PromQL (with Grafana's <c>$variables</c>) and the legend of its series.</summary>
public sealed record PanelQuery(string Expr, string Legend);

/// <summary>A panel: what it shows (<see cref="Description"/> is the panel's tooltip), in which unit, and an optional
/// limit drawn as a red line (a drift threshold from the spec).</summary>
public sealed record DashboardPanel(PanelKind Kind, string Title, string Description, string Unit,
    ImmutableArray<PanelQuery> Queries, double? Limit = null, int Width = 12);

/// <summary>
/// Builds Grafana dashboard JSON (schema version 39): a <c>datasource</c> variable every panel and query use, query
/// variables over label values, rows of panels laid out two to a line. The output is deterministic: same input, same
/// text, so the dashboards can be golden files and ConfigMaps with a stable spec hash.
/// </summary>
public sealed class DashboardBuilder(string uid, string title, string description, ImmutableArray<string> tags)
{
    /// <summary>Grafana's limit for a dashboard uid.</summary>
    public const int MaxUidLength = 40;
    public const int SchemaVersion = 39;
    public const string DatasourceVariable = "datasource";
    private const int Height = 8;

    private readonly JsonArray _variables = [];
    private readonly JsonArray _panels = [];
    private int _id;
    private int _x;
    private int _y;
    private int _lineHeight;

    private static JsonObject Datasource() => new() { ["type"] = "prometheus", ["uid"] = "${" + DatasourceVariable + "}" };

    /// <summary>A variable whose values are those of <paramref name="label"/> on <paramref name="series"/> (a selector).</summary>
    public DashboardBuilder LabelVariable(string name, string label, string series, string text)
    {
        var query = $"label_values({series}, {label})";
        _variables.Add(new JsonObject
        {
            ["name"] = name,
            ["label"] = text,
            ["type"] = "query",
            ["datasource"] = Datasource(),
            ["definition"] = query,
            ["query"] = new JsonObject { ["query"] = query, ["refId"] = "PrometheusVariableQueryEditor-VariableQuery" },
            ["refresh"] = 2,
            ["includeAll"] = true,
            ["multi"] = true,
            ["allValue"] = ".*",
            ["current"] = new JsonObject { ["selected"] = true, ["text"] = "All", ["value"] = "$__all" },
            ["options"] = new JsonArray(),
            ["regex"] = "",
            ["sort"] = 1,
            ["hide"] = 0,
        });
        return this;
    }

    /// <summary>A full-width row header; the panels after it belong to it.</summary>
    public DashboardBuilder Row(string rowTitle)
    {
        NewLine();
        _panels.Add(new JsonObject
        {
            ["id"] = ++_id,
            ["type"] = "row",
            ["title"] = rowTitle,
            ["collapsed"] = false,
            ["gridPos"] = Grid(24, 1),
            ["panels"] = new JsonArray(),
        });
        _y += 1;
        return this;
    }

    public DashboardBuilder Panel(DashboardPanel panel)
    {
        if (_x + panel.Width > 24)
        {
            NewLine();
        }
        var refId = 'A';
        var targets = new JsonArray();
        foreach (var query in panel.Queries)
        {
            var target = new JsonObject
            {
                ["refId"] = (refId++).ToString(),
                ["datasource"] = Datasource(),
                ["expr"] = query.Expr,
                ["legendFormat"] = query.Legend,
            };
            switch (panel.Kind)
            {
                case PanelKind.Stat:
                    target["instant"] = true;
                    break;
                case PanelKind.Heatmap:
                    target["format"] = "heatmap";
                    target["range"] = true;
                    break;
                default:
                    target["range"] = true;
                    break;
            }
            targets.Add(target);
        }
        var defaults = new JsonObject
        {
            ["unit"] = panel.Unit,
            ["thresholds"] = Thresholds(panel.Limit),
        };
        if (panel.Kind == PanelKind.TimeSeries)
        {
            defaults["custom"] = new JsonObject
            {
                ["drawStyle"] = "line",
                ["lineWidth"] = 1,
                ["fillOpacity"] = 10,
                ["showPoints"] = "never",
                ["spanNulls"] = false,
                ["thresholdsStyle"] = new JsonObject { ["mode"] = panel.Limit is null ? "off" : "line" },
            };
            defaults["color"] = new JsonObject { ["mode"] = "palette-classic" };
        }
        else if (panel.Kind == PanelKind.Stat)
        {
            defaults["color"] = new JsonObject { ["mode"] = "thresholds" };
        }
        _panels.Add(new JsonObject
        {
            ["id"] = ++_id,
            ["type"] = panel.Kind switch { PanelKind.Stat => "stat", PanelKind.Heatmap => "heatmap", _ => "timeseries" },
            ["title"] = panel.Title,
            ["description"] = panel.Description,
            ["datasource"] = Datasource(),
            ["gridPos"] = Grid(panel.Width, Height),
            ["fieldConfig"] = new JsonObject { ["defaults"] = defaults, ["overrides"] = new JsonArray() },
            ["options"] = Options(panel.Kind),
            ["targets"] = targets,
        });
        _x += panel.Width;
        _lineHeight = Height;
        return this;
    }

    public JsonObject Build() => new()
    {
        ["uid"] = uid,
        ["title"] = title,
        ["description"] = description,
        ["tags"] = new JsonArray([.. tags.Select(t => (JsonNode)JsonValue.Create(t))]),
        ["schemaVersion"] = SchemaVersion,
        ["version"] = 1,
        ["editable"] = true,
        ["graphTooltip"] = 1,
        ["refresh"] = "1m",
        ["timezone"] = "browser",
        ["time"] = new JsonObject { ["from"] = "now-6h", ["to"] = "now" },
        ["annotations"] = new JsonObject { ["list"] = new JsonArray() },
        ["links"] = new JsonArray(),
        ["templating"] = new JsonObject
        {
            ["list"] = new JsonArray([
                new JsonObject
                {
                    ["name"] = DatasourceVariable,
                    ["label"] = "Data source",
                    ["type"] = "datasource",
                    ["query"] = "prometheus",
                    ["current"] = new JsonObject(),
                    ["options"] = new JsonArray(),
                    ["refresh"] = 1,
                    ["regex"] = "",
                    ["hide"] = 0,
                },
                .. _variables.Select(v => v!.DeepClone()),
            ]),
        },
        ["panels"] = _panels.DeepClone(),
    };

    private void NewLine()
    {
        if (_x > 0)
        {
            _y += _lineHeight;
            _x = 0;
        }
    }

    private JsonObject Grid(int width, int height) => new() { ["h"] = height, ["w"] = width, ["x"] = _x, ["y"] = _y };

    private static JsonObject Thresholds(double? limit)
    {
        var steps = new JsonArray { new JsonObject { ["color"] = "green", ["value"] = null } };
        if (limit is { } l)
        {
            steps.Add(new JsonObject { ["color"] = "red", ["value"] = JsonValue.Create(l) });
        }
        return new JsonObject { ["mode"] = "absolute", ["steps"] = steps };
    }

    private static JsonObject Options(PanelKind kind) => kind switch
    {
        PanelKind.Stat => new JsonObject
        {
            ["reduceOptions"] = new JsonObject { ["calcs"] = new JsonArray("lastNotNull"), ["fields"] = "", ["values"] = false },
            ["colorMode"] = "value",
            ["graphMode"] = "none",
            ["textMode"] = "value_and_name",
            ["justifyMode"] = "auto",
            ["orientation"] = "auto",
        },
        PanelKind.Heatmap => new JsonObject
        {
            ["calculate"] = false,
            ["cellGap"] = 1,
            ["color"] = new JsonObject { ["mode"] = "scheme", ["scheme"] = "Oranges", ["exponent"] = 0.5, ["steps"] = 64 },
            ["yAxis"] = new JsonObject { ["axisPlacement"] = "left", ["axisLabel"] = "score" },
            ["rowsFrame"] = new JsonObject { ["layout"] = "le" },
            ["legend"] = new JsonObject { ["show"] = true },
            ["tooltip"] = new JsonObject { ["mode"] = "single", ["yHistogram"] = true },
        },
        _ => new JsonObject
        {
            ["legend"] = new JsonObject { ["displayMode"] = "list", ["placement"] = "bottom", ["showLegend"] = true },
            ["tooltip"] = new JsonObject { ["mode"] = "multi", ["sort"] = "desc" },
        },
    };

    /// <summary>A uid Grafana accepts (at most 40 characters of letters, digits, <c>-</c>, <c>_</c>): the readable
    /// <paramref name="parts"/> joined, shortened with a hash of the whole when too long.</summary>
    public static string Uid(params string[] parts) =>
        Specs.Kubernetes.ResourceNames.Sanitize(string.Join('-', parts), MaxUidLength);
}
