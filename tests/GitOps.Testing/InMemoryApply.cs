using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Plans;
using GitOps.Planning.Rendering;

namespace GitOps.Testing;

/// <summary>
/// Applies a plan to a list of observed objects the way an API server with server-side apply would: creates add
/// server-populated fields (uid, resourceVersion, creationTimestamp, generation, status) and a few defaults,
/// updates merge our fields over the object (named list items by name, other lists replaced, owned optional
/// fields removed when we no longer set them), deletes remove. Used by tests and benchmarks to prove that plans converge.
/// </summary>
public static class InMemoryApply
{
    public static IReadOnlyList<JsonObject> Apply(Plan plan, IReadOnlyList<JsonObject> observed, DateTimeOffset now)
    {
        var byKey = new SortedDictionary<ResourceKey, JsonObject>();
        var extra = new List<JsonObject>();
        foreach (var o in observed)
        {
            if (!byKey.TryAdd(ObjectKeys.Of(o), (JsonObject)o.DeepClone()))
            {
                extra.Add((JsonObject)o.DeepClone());
            }
        }
        foreach (var action in plan.Actions)
        {
            switch (action.Action)
            {
                case ActionKind.Create:
                    byKey[action.Key] = Created(action.Desired!, now);
                    break;
                case ActionKind.Update:
                    var current = byKey[action.Key];
                    Merge(current, action.Desired!, "");
                    foreach (var change in action.Diff.Where(c => c.After is null))
                    {
                        Remove(current, change.Path);
                    }
                    var meta = (JsonObject)current["metadata"]!;
                    meta["resourceVersion"] = (long.Parse(meta["resourceVersion"]?.ToString() ?? "0", CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
                    meta["generation"] = (meta["generation"]?.GetValue<long>() ?? 0) + 1;
                    break;
                case ActionKind.Delete:
                    byKey.Remove(action.Key);
                    break;
            }
        }
        return [.. byKey.Values, .. extra];
    }

    private static JsonObject Created(JsonObject desired, DateTimeOffset now)
    {
        var obj = (JsonObject)desired.DeepClone();
        var meta = (JsonObject)obj["metadata"]!;
        meta["uid"] = CanonicalJson.Sha256Hex(ObjectKeys.Of(desired).ToString())[..32];
        meta["resourceVersion"] = "1";
        meta["generation"] = 1L;
        meta["creationTimestamp"] = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        meta["managedFields"] = new JsonArray { new JsonObject { ["manager"] = ManagedLabels.FieldManager, ["operation"] = "Apply" } };
        obj["status"] = new JsonObject();
        // Defaults the API server adds to fields we never set: they must not read as drift.
        if (obj["spec"]?["template"]?["spec"] is JsonObject pod)
        {
            pod["dnsPolicy"] ??= "ClusterFirst";
            pod["schedulerName"] ??= "default-scheduler";
            pod["terminationGracePeriodSeconds"] ??= 30;
            foreach (var c in (pod["containers"] as JsonArray ?? []).OfType<JsonObject>())
            {
                c["imagePullPolicy"] ??= "IfNotPresent";
                c["terminationMessagePath"] ??= "/dev/termination-log";
            }
        }
        if (obj["kind"]?.ToString() == "Deployment" && obj["spec"] is JsonObject spec)
        {
            spec["progressDeadlineSeconds"] ??= 600;
            spec["revisionHistoryLimit"] ??= 10;
        }
        if (obj["kind"]?.ToString() == "Service" && obj["spec"] is JsonObject svc)
        {
            svc["clusterIP"] ??= "10.0.0.1";
            svc["type"] ??= "ClusterIP";
        }
        return obj;
    }

    private static void Merge(JsonObject target, JsonObject source, string path)
    {
        foreach (var (key, value) in source)
        {
            if (value is JsonObject sourceObj && target[key] is JsonObject targetObj)
            {
                Merge(targetObj, sourceObj, $"{path}.{key}");
            }
            else if (value is JsonArray sourceArray && target[key] is JsonArray targetArray
                     && sourceArray.Count > 0 && sourceArray.All(i => i is JsonObject o && o["name"] is JsonValue))
            {
                foreach (var item in sourceArray.Cast<JsonObject>())
                {
                    var name = item["name"]!.ToString();
                    var existing = targetArray.OfType<JsonObject>().FirstOrDefault(o => o["name"]?.ToString() == name);
                    if (existing is null)
                    {
                        targetArray.Add(item.DeepClone());
                    }
                    else
                    {
                        Merge(existing, item, $"{path}.{key}[]");
                    }
                }
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    /// <summary>Removes the field at a diff path such as <c>spec.template.spec.containers[name=server].resources</c>.</summary>
    private static void Remove(JsonObject root, string path)
    {
        JsonNode? node = root;
        var segments = path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            string? name = null;
            var bracket = segment.IndexOf("[name=", StringComparison.Ordinal);
            if (bracket >= 0)
            {
                name = segment[(bracket + 6)..^1];
                segment = segment[..bracket];
            }
            if (i == segments.Length - 1 && name is null)
            {
                (node as JsonObject)?.Remove(segment);
                return;
            }
            node = node?[segment];
            if (name is not null)
            {
                node = (node as JsonArray)?.OfType<JsonObject>().FirstOrDefault(o => o["name"]?.ToString() == name);
            }
        }
    }
}
