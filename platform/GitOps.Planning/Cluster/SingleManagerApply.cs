using System.Text.Json.Nodes;

namespace GitOps.Planning.Cluster;

/// <summary>
/// Server-side apply as one field manager sees it, for stores that keep objects themselves (the Local driver, the
/// in-memory test driver): fields applied before and no longer sent are removed, fields set by others are kept,
/// status and server-populated metadata are never taken from an apply.
/// </summary>
public static class SingleManagerApply
{
    private static readonly string[] ServerPopulatedMetadata =
        ["resourceVersion", "uid", "creationTimestamp", "managedFields", "generation", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];

    /// <summary>The fields an apply of <paramref name="desired"/> sends: a copy without status and server-populated metadata.</summary>
    public static JsonObject Configuration(JsonObject desired)
    {
        var applied = (JsonObject)desired.DeepClone();
        applied.Remove("status");
        if (applied["metadata"] is JsonObject metadata)
        {
            foreach (var field in ServerPopulatedMetadata)
            {
                metadata.Remove(field);
            }
        }
        return applied;
    }

    /// <summary>
    /// The object after applying <paramref name="applied"/> (from <see cref="Configuration"/>) over <paramref name="live"/>,
    /// given what the same manager applied last time. <paramref name="live"/> is not changed.
    /// </summary>
    public static JsonObject Merge(JsonObject? live, JsonObject applied, JsonObject? previouslyApplied)
    {
        var result = live is null ? new JsonObject() : (JsonObject)live.DeepClone();
        var appliedPaths = FieldPaths.Leaves(applied);
        if (previouslyApplied is not null)
        {
            var now = appliedPaths.Select(FieldPaths.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var dropped in FieldPaths.Leaves(previouslyApplied).Where(p => !now.Contains(FieldPaths.Key(p))))
            {
                if (appliedPaths.Any(a => a.Length > dropped.Length && FieldPaths.Overlap(a, dropped)))
                {
                    // An empty map asserted before now has keys we set: keep it and whatever else it holds.
                    continue;
                }
                FieldPaths.Remove(result, dropped);
            }
        }
        foreach (var path in appliedPaths)
        {
            FieldPaths.TryGet(applied, path, out var value);
            FieldPaths.Set(result, path, value);
        }
        return result;
    }
}
