using System.Text.Json.Nodes;

namespace GitOps.Planning.Cluster;

/// <summary>
/// Leaf field paths of an object, the unit of ownership in the simplified server-side apply of the fake API server
/// and the Local driver. A path is a list of object keys; arrays are atomic (owned whole), as are empty objects.
/// Identity and server-populated fields are never owned, matching what the real server leaves out of
/// <c>managedFields</c>.
/// </summary>
public static class FieldPaths
{
    private static readonly HashSet<string> UnownedMetadata =
        ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "deletionTimestamp", "selfLink", "generateName"];

    public static IReadOnlyList<string[]> Leaves(JsonObject obj)
    {
        var result = new List<string[]>();
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind" or "status")
            {
                continue;
            }
            if (key == "metadata" && value is JsonObject metadata)
            {
                foreach (var (mk, mv) in metadata)
                {
                    if (!UnownedMetadata.Contains(mk))
                    {
                        Collect(mv, ["metadata", mk], result);
                    }
                }
                continue;
            }
            Collect(value, [key], result);
        }
        return result;
    }

    private static void Collect(JsonNode? node, string[] path, List<string[]> into)
    {
        if (node is JsonObject obj && obj.Count > 0)
        {
            foreach (var (key, value) in obj)
            {
                Collect(value, [.. path, key], into);
            }
            return;
        }
        into.Add(path);
    }

    public static string Format(string[] path) => "." + string.Join(".", path);

    public static string Key(string[] path) => string.Join("\u0000", path);

    public static string[] FromKey(string key) => key.Split('\u0000');

    /// <summary>True when one path equals the other or is an ancestor of it.</summary>
    public static bool Overlap(string[] a, string[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }
        return true;
    }

    public static bool TryGet(JsonObject root, string[] path, out JsonNode? value)
    {
        JsonNode? current = root;
        foreach (var segment in path)
        {
            if (current is not JsonObject obj || !obj.TryGetPropertyValue(segment, out current))
            {
                value = null;
                return false;
            }
        }
        value = current;
        return true;
    }

    public static void Set(JsonObject root, string[] path, JsonNode? value)
    {
        var current = root;
        for (var i = 0; i < path.Length - 1; i++)
        {
            if (current[path[i]] is not JsonObject next)
            {
                next = new JsonObject();
                current[path[i]] = next;
            }
            current = next;
        }
        var last = path[^1];
        if (value is JsonObject { Count: 0 } && current[last] is JsonObject)
        {
            // An empty object in applied configuration asserts the map exists; it must not wipe other owners' keys.
            return;
        }
        current[last] = value?.DeepClone();
    }

    /// <summary>Removes a leaf, then any parent maps the removal left empty (never the top level or metadata).</summary>
    public static void Remove(JsonObject root, string[] path)
    {
        var chain = new List<JsonObject> { root };
        var current = root;
        for (var i = 0; i < path.Length - 1; i++)
        {
            if (current[path[i]] is not JsonObject next)
            {
                return;
            }
            chain.Add(next);
            current = next;
        }
        current.Remove(path[^1]);
        for (var i = path.Length - 2; i >= 0; i--)
        {
            if (chain[i + 1].Count > 0 || (i == 0 && path[0] == "metadata"))
            {
                break;
            }
            chain[i].Remove(path[i]);
        }
    }

    /// <summary>Renders owned paths in the real <c>FieldsV1</c> shape (<c>{"f:data":{"f:key":{}}}</c>).</summary>
    public static JsonObject ToFieldsV1(IEnumerable<string[]> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths.OrderBy(Key, StringComparer.Ordinal))
        {
            var current = root;
            foreach (var segment in path)
            {
                var key = "f:" + segment;
                if (current[key] is not JsonObject next)
                {
                    next = new JsonObject();
                    current[key] = next;
                }
                current = next;
            }
        }
        return root;
    }
}
