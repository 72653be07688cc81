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
        var changes = ImmutableArray.CreateBuilder<FieldChange>();
        WalkObject(desired, observed, "", "", changes);
        return changes.ToImmutable();
    }

    private static void WalkObject(JsonObject desired, JsonObject? observed, string path, string pattern,
        ImmutableArray<FieldChange>.Builder changes)
    {
        foreach (var (key, value) in desired)
        {
            if (value is null)
            {
                continue;
            }
            if (value is JsonValue)
            {
                // Most fields are scalars: their path is only built when they differ.
                var other = observed?[key];
                if (!ScalarEquals(value, other))
                {
                    changes.Add(new FieldChange(Child(path, key), other?.DeepClone(), value.DeepClone()));
                }
                continue;
            }
            var childPath = Child(path, key);
            var childPattern = pattern.Length == 0 ? key : $"{pattern}.{key}";
            if (childPath == "metadata.annotations" && value is JsonObject annotations)
            {
                var observedAnnotations = observed?[key] as JsonObject;
                foreach (var (name, text) in annotations)
                {
                    // The spec hash changes exactly when another field does; the commit is informational.
                    if (name is ManagedLabels.CommitAnnotation or ManagedLabels.SpecHashAnnotation || text is null)
                    {
                        continue;
                    }
                    var other = observedAnnotations?[name];
                    if (!ScalarEquals(text, other))
                    {
                        changes.Add(new FieldChange($"metadata.annotations[{name}]", other?.DeepClone(), text.DeepClone()));
                    }
                }
                continue;
            }
            Walk(value, observed?[key], childPath, childPattern, changes);
        }
        if (observed is null)
        {
            return;
        }
        foreach (var (key, value) in observed)
        {
            if (!OptionalLeaves.Contains(key) || desired.ContainsKey(key))
            {
                continue;
            }
            var childPattern = pattern.Length == 0 ? key : $"{pattern}.{key}";
            if (Optional.Contains(childPattern) && !IsEmpty(value))
            {
                changes.Add(new FieldChange(Child(path, key), value!.DeepClone(), null));
            }
        }
    }

    /// <summary>Keys such as label names hold dots and slashes: they are written in brackets.</summary>
    private static string Child(string path, string key) =>
        key.Contains('.') || key.Contains('/') ? $"{path}[{key}]" : path.Length == 0 ? key : $"{path}.{key}";

    private static void Walk(JsonNode desired, JsonNode? observed, string path, string pattern,
        ImmutableArray<FieldChange>.Builder changes)
    {
        switch (desired)
        {
            case JsonObject obj when observed is JsonObject other:
                WalkObject(obj, other, path, pattern, changes);
                return;
            case JsonObject:
                changes.Add(new FieldChange(path, observed?.DeepClone(), desired.DeepClone()));
                return;
            case JsonArray array when IsAssociative(array) && observed is JsonArray otherArray:
                var byName = new Dictionary<string, JsonObject>();
                foreach (var item in otherArray.OfType<JsonObject>())
                {
                    if (item["name"] is JsonValue n)
                    {
                        byName.TryAdd(n.ToString(), item);
                    }
                }
                foreach (var item in array.Cast<JsonObject>())
                {
                    var name = item["name"]!.ToString();
                    var itemPath = $"{path}[name={name}]";
                    if (byName.TryGetValue(name, out var match))
                    {
                        WalkObject(item, match, itemPath, pattern + "[]", changes);
                    }
                    else
                    {
                        changes.Add(new FieldChange(itemPath, null, item.DeepClone()));
                    }
                }
                return;
            case JsonArray array:
                if (observed is not JsonArray observedArray || !AtomicEquals(array, observedArray))
                {
                    changes.Add(new FieldChange(path, observed?.DeepClone(), desired.DeepClone()));
                }
                return;
            default:
                if (!ScalarEquals(desired, observed))
                {
                    changes.Add(new FieldChange(path, observed?.DeepClone(), desired.DeepClone()));
                }
                return;
        }
    }

    private static bool IsAssociative(JsonArray array) =>
        array.Count > 0 && array.All(i => i is JsonObject o && o["name"] is JsonValue);

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
