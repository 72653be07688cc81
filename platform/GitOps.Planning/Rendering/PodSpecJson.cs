using System.Text.Json.Nodes;

namespace GitOps.Planning.Rendering;

/// <summary>
/// The pieces of pod specs the renderer builds as JSON trees (variables, string lists, maps) and the edits its
/// decorators make to them: appending volumes and mounts, merging variables in name order.
/// </summary>
internal static class PodSpecJson
{
    public static JsonObject EnvVar(string name, string value) => new() { ["name"] = name, ["value"] = value };

    public static JsonArray Strings(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode)JsonValue.Create(i))]);

    public static JsonObject Map(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var map = new JsonObject();
        foreach (var (key, value) in pairs)
        {
            map[key] = value;
        }
        return map;
    }

    /// <summary>Adds <paramref name="item"/> at the end of the array under <paramref name="key"/>, creating it if absent.</summary>
    public static void Append(JsonObject owner, string key, JsonNode item)
    {
        if (owner[key] is not JsonArray array)
        {
            array = [];
            owner[key] = array;
        }
        array.Add(item);
    }

    /// <summary>The init containers, then the containers of <paramref name="pod"/>.</summary>
    public static List<JsonObject> Containers(JsonObject pod) =>
        [.. Items(pod["initContainers"]), .. Items(pod["containers"])];

    /// <summary>Adds <paramref name="variables"/> to the container's <c>env</c> and orders all of them by name (the order
    /// is stable: equal names keep theirs). The list is written even when nothing is added.</summary>
    public static void AddEnv(JsonObject container, IEnumerable<JsonObject> variables)
    {
        List<JsonObject> all = [.. Items(container["env"])];
        if (container["env"] is JsonArray existing)
        {
            // Detached so the same nodes can go into the new list.
            existing.Clear();
        }
        all.AddRange(variables);
        container["env"] = new JsonArray([.. all.OrderBy(v => v["name"]!.GetValue<string>(), StringComparer.Ordinal)]);
    }

    private static IEnumerable<JsonObject> Items(JsonNode? array) =>
        array is JsonArray items ? items.OfType<JsonObject>() : [];
}
