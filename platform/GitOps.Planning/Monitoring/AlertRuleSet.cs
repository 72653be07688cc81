using System.Collections.Immutable;
using System.Text.Json.Nodes;
using GitOps.Planning.Formatting;
using GitOps.Specs.Model;

namespace GitOps.Planning.Monitoring;

/// <summary>
/// All alert rules of one environment: the platform's group and one group per model served there. Written as a
/// Prometheus rules file (the local runtime, or any Prometheus) or as the spec of <c>PrometheusRule</c> objects.
/// </summary>
public static class AlertRuleSet
{
    public static ImmutableArray<RuleGroup> For(SpecSet specs, EnvironmentSpec environment, bool leaderElection) =>
        [.. ByModel(specs, environment, leaderElection, platform: true).Select(g => g.Group)];

    /// <summary>The groups with the model each is about (null: the platform's group, left out unless
    /// <paramref name="platform"/>).</summary>
    public static ImmutableArray<(string? Model, RuleGroup Group)> ByModel(SpecSet specs, EnvironmentSpec environment,
        bool leaderElection, bool platform)
    {
        var scope = new AlertScope(environment.Name, environment.Spec.Namespace,
            environment.Spec.Prometheus?.RunbookUrl ?? Runbooks.DefaultBase, leaderElection);
        var models = specs.Models.Where(m => m.Spec.Environments.Contains(environment.Name))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m => ((string?)m.Name, ModelAlerts.For(m, scope)));
        return platform ? [((string?)null, PlatformAlerts.For(scope)), .. models] : [.. models];
    }

    /// <summary><c>{groups: [...]}</c>: the rules file and the <c>spec</c> of a <c>PrometheusRule</c>.</summary>
    public static JsonObject ToJson(IEnumerable<RuleGroup> groups) => new()
    {
        ["groups"] = new JsonArray([.. groups.Select(Group)]),
    };

    /// <summary>A Prometheus rules file (YAML) holding <paramref name="groups"/>.</summary>
    public static string RulesFile(IEnumerable<RuleGroup> groups) => YamlWriter.Write(ToJson(groups));

    private static JsonNode Group(RuleGroup group) => new JsonObject
    {
        ["name"] = group.Name,
        ["rules"] = new JsonArray([.. group.Rules.Select(Rule)]),
    };

    private static JsonNode Rule(AlertRule rule)
    {
        var o = new JsonObject { ["alert"] = rule.Alert, ["expr"] = rule.Expr };
        if (rule.For is { } @for)
        {
            o["for"] = @for;
        }
        o["labels"] = Map(rule.Labels);
        o["annotations"] = Map(rule.Annotations);
        return o;
    }

    private static JsonObject Map(ImmutableSortedDictionary<string, string> values) =>
        new([.. values.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))]);
}
