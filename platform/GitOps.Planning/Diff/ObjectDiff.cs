using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;

namespace GitOps.Planning.Diff;

/// <summary>
/// Compares the fields we set with the same fields in the cluster. Everything else — status, uid, resourceVersion,
/// managedFields, creationTimestamp, generation, annotations and labels others add, defaulted fields we never set —
/// is ignored, so it never shows as drift. Rules:
/// <list type="bullet">
/// <item>objects: only the keys we set are compared;</item>
/// <item>lists of objects that all carry <c>name</c> (containers, env, ports, volumes) are matched by name, like the
/// API server's associative lists; items others added are left alone;</item>
/// <item>other lists are atomic: same length, and each of our items must match the cluster's item at that index;</item>
/// <item>scalars are equal when their values are (a number and its text form are equal: YAML quoting varies);</item>
/// <item>a few optional fields we own (<see cref="OwnedOptionalFields"/>) show as removals when we stop setting them;</item>
/// <item>the <c>ml.gitops/source-commit</c> annotation is informational and never compared.</item>
/// </list>
/// </summary>
public static class ObjectDiff
{
    /// <summary>Fields we set only sometimes; when we do not set them, the cluster must not have them either.</summary>
    public static readonly ImmutableArray<string> OwnedOptionalFields =
    [
        "spec.template.spec.nodeSelector",
        "spec.template.spec.tolerations",
        "spec.template.spec.containers[].resources",
        "spec.template.spec.containers[].command",
        "spec.template.spec.containers[].args",
        "spec.parentRefs",
    ];

    private static readonly HashSet<string> Optional = [.. OwnedOptionalFields];

    private static readonly HashSet<string> OptionalLeaves = [.. OwnedOptionalFields.Select(f => f[(f.LastIndexOf('.') + 1)..])];

    public static ImmutableArray<FieldChange> Compare(JsonObject desired, JsonObject? observed)
    {
        var walk = new Walk();
        walk.Object(desired, observed);
        return walk.Changes?.ToImmutable() ?? [];
    }

    /// <summary>
    /// One comparison. Most objects match, so the walk allocates nothing until a field differs: objects are read by
    /// index, and the path of the current field is kept as a stack of segments, turned into text only for a change.
    /// </summary>
    private sealed class Walk
    {
        // Key is the field name, or the item's name for an item of a list matched by name.
        private readonly List<(string Key, bool Item)> _segments = new(16);

        public ImmutableArray<FieldChange>.Builder? Changes { get; private set; }

        public void Object(JsonObject desired, JsonObject? observed)
        {
            for (var i = 0; i < desired.Count; i++)
            {
                var (key, value) = desired.GetAt(i);
                if (value is null)
                {
                    continue;
                }
                var other = observed?[key];
                if (value is JsonValue)
                {
                    if (!ScalarEquals(value, other))
                    {
                        Add(Path(key), other, value);
                    }
                    continue;
                }
                if (_segments.Count == 1 && _segments[0].Key == "metadata" && key == "annotations" && value is JsonObject annotations)
                {
                    Annotations(annotations, other as JsonObject);
                    continue;
                }
                _segments.Add((key, false));
                Node(value, other);
                _segments.RemoveAt(_segments.Count - 1);
            }
            if (observed is null)
            {
                return;
            }
            for (var i = 0; i < observed.Count; i++)
            {
                var (key, value) = observed.GetAt(i);
                if (!OptionalLeaves.Contains(key) || desired.ContainsKey(key))
                {
                    continue;
                }
                if (Optional.Contains(Pattern(key)) && !IsEmpty(value))
                {
                    Add(Path(key), value, null);
                }
            }
        }

        private void Annotations(JsonObject desired, JsonObject? observed)
        {
            for (var i = 0; i < desired.Count; i++)
            {
                var (name, text) = desired.GetAt(i);
                // The spec hash changes exactly when another field does; the commit is informational.
                if (name is ManagedLabels.CommitAnnotation or ManagedLabels.SpecHashAnnotation || text is null)
                {
                    continue;
                }
                var other = observed?[name];
                if (!ScalarEquals(text, other))
                {
                    Add($"metadata.annotations[{name}]", other, text);
                }
            }
        }

        private void Node(JsonNode desired, JsonNode? observed)
        {
            switch (desired)
            {
                case JsonObject obj when observed is JsonObject other:
                    Object(obj, other);
                    return;
                case JsonObject:
                    Add(Path(), observed, desired);
                    return;
                case JsonArray array when IsAssociative(array) && observed is JsonArray otherArray:
                    for (var i = 0; i < array.Count; i++)
                    {
                        var item = (JsonObject)array[i]!;
                        var name = item["name"]!.ToString();
                        _segments.Add((name, true));
                        if (FindByName(otherArray, name) is { } match)
                        {
                            Object(item, match);
                        }
                        else
                        {
                            Add(Path(), null, item);
                        }
                        _segments.RemoveAt(_segments.Count - 1);
                    }
                    return;
                case JsonArray array:
                    if (observed is not JsonArray observedArray || !AtomicEquals(array, observedArray))
                    {
                        Add(Path(), observed, desired);
                    }
                    return;
                default:
                    if (!ScalarEquals(desired, observed))
                    {
                        Add(Path(), observed, desired);
                    }
                    return;
            }
        }

        private void Add(string path, JsonNode? before, JsonNode? after) =>
            (Changes ??= ImmutableArray.CreateBuilder<FieldChange>()).Add(new FieldChange(path, before?.DeepClone(), after?.DeepClone()));

        /// <summary>Keys such as label names hold dots and slashes: they are written in brackets.</summary>
        private string Path(string? leaf = null)
        {
            var path = new System.Text.StringBuilder();
            foreach (var (key, item) in _segments)
            {
                Append(path, key, item);
            }
            if (leaf is not null)
            {
                Append(path, leaf, false);
            }
            return path.ToString();

            static void Append(System.Text.StringBuilder path, string key, bool item)
            {
                if (item)
                {
                    path.Append("[name=").Append(key).Append(']');
                }
                else if (key.Contains('.') || key.Contains('/'))
                {
                    path.Append('[').Append(key).Append(']');
                }
                else
                {
                    if (path.Length > 0)
                    {
                        path.Append('.');
                    }
                    path.Append(key);
                }
            }
        }

        /// <summary>The path with list items as <c>[]</c>, as <see cref="OwnedOptionalFields"/> are written.</summary>
        private string Pattern(string leaf)
        {
            var pattern = new System.Text.StringBuilder();
            foreach (var (key, item) in _segments)
            {
                if (item)
                {
                    pattern.Append("[]");
                }
                else
                {
                    (pattern.Length > 0 ? pattern.Append('.') : pattern).Append(key);
                }
            }
            return (pattern.Length > 0 ? pattern.Append('.') : pattern).Append(leaf).ToString();
        }
    }

    private static JsonObject? FindByName(JsonArray items, string name)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is JsonObject item && item["name"] is JsonValue n && n.ToString() == name)
            {
                return item;
            }
        }
        return null;
    }

    private static bool IsAssociative(JsonArray array)
    {
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject o || o["name"] is not JsonValue)
            {
                return false;
            }
        }
        return array.Count > 0;
    }

    private static bool AtomicEquals(JsonArray desired, JsonArray observed)
    {
        if (desired.Count != observed.Count)
        {
            return false;
        }
        for (var i = 0; i < desired.Count; i++)
        {
            if (!Contains(desired[i], observed[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>True when every field of <paramref name="desired"/> has the same value in <paramref name="observed"/>.</summary>
    public static bool Contains(JsonNode? desired, JsonNode? observed)
    {
        switch (desired)
        {
            case null:
                return true;
            case JsonObject obj:
                return observed is JsonObject other && obj.All(p => p.Value is null || Contains(p.Value, other[p.Key]));
            case JsonArray array:
                return observed is JsonArray otherArray && (IsAssociative(array)
                    ? array.Cast<JsonObject>().All(i => otherArray.OfType<JsonObject>().Any(o => o["name"]?.ToString() == i["name"]!.ToString() && Contains(i, o)))
                    : AtomicEquals(array, otherArray));
            default:
                return ScalarEquals(desired, observed);
        }
    }

    private static bool ScalarEquals(JsonNode desired, JsonNode? observed)
    {
        if (observed is not JsonValue b || desired is not JsonValue a)
        {
            return false;
        }
        var ka = a.GetValueKind();
        var kb = b.GetValueKind();
        if (ka == JsonValueKind.Number && kb == JsonValueKind.Number)
        {
            return Number(a) == Number(b);
        }
        if (ka == kb || ka is JsonValueKind.Number or JsonValueKind.String && kb is JsonValueKind.Number or JsonValueKind.String)
        {
            return Text(a) == Text(b);
        }
        return false;
    }

    private static decimal? Number(JsonValue v) =>
        decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    private static string Text(JsonValue v) =>
        v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString();

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonObject o => o.Count == 0,
        JsonArray a => a.Count == 0,
        _ => false,
    };
}
