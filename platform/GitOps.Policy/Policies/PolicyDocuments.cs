using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Specs.Model;

namespace GitOps.Policy.Policies;

/// <summary>
/// Builds the plain data (<c>Dictionary&lt;string, object?&gt;</c>, <c>List&lt;object?&gt;</c>, string, long, double,
/// bool, null) that policies see as <c>object</c> and <c>environment</c>.
/// </summary>
public static class PolicyDocuments
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Keys of a model's per-environment override and where each lands in the model's <c>spec</c>, with the
    /// semantics of <see cref="ModelSettings"/>: <c>serving</c> merges field by field (<c>replicas</c> and
    /// <c>autoscaling</c> count as one field), the others replace.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> OverrideTargets = new Dictionary<string, string[]>
    {
        ["serving"] = ["serving"],
        ["rollout"] = ["rollout"],
        ["gates"] = ["gates"],
        ["trainingResources"] = ["training", "resources"],
    };

    /// <summary>
    /// The document as written (from <see cref="SpecOrigin.Raw"/>), or, for specs built in memory, a camelCase
    /// serialisation of the record in the same shape. Callers must not modify it.
    /// </summary>
    public static Dictionary<string, object?> Of(SpecObject spec) => Of(spec, null);

    /// <summary>
    /// <see cref="Of(SpecObject)"/>, built only along <paramref name="along"/> when given (a document loaded from YAML):
    /// for readers that read nothing else, such as rules whose every use of <c>object</c> is a field selection.
    /// </summary>
    public static Dictionary<string, object?> Of(SpecObject spec, FieldPaths? along)
    {
        var raw = along is null ? spec.Origin.Raw : spec.Origin.RawAlong(along);
        if (raw is Dictionary<string, object?> { Count: > 0 } plain)
        {
            // The loader already builds exactly this shape; nothing here mutates it (overrides copy on write).
            return plain;
        }
        if (raw.Count > 0)
        {
            return (Dictionary<string, object?>)Normalise(raw)!;
        }
        var body = spec.GetType().GetProperty("Spec")?.GetValue(spec);
        var document = new Dictionary<string, object?>
        {
            ["apiVersion"] = SpecKinds.ApiVersion,
            ["kind"] = spec.Kind,
            ["metadata"] = FromJson(JsonSerializer.SerializeToElement(spec.Metadata, Json)),
        };
        if (body is not null)
        {
            document["spec"] = FromJson(JsonSerializer.SerializeToElement(body, body.GetType(), Json));
        }
        return document;
    }

    /// <summary>
    /// The model as served in <paramref name="environment"/>: <c>spec.overrides[environment]</c> merged into
    /// <c>spec</c> (see <see cref="OverrideTargets"/>). <c>spec.overrides</c> itself is kept. Shares unchanged
    /// branches with <paramref name="model"/>.
    /// </summary>
    public static Dictionary<string, object?> Effective(Dictionary<string, object?> model, string environment)
    {
        if (model.GetValueOrDefault("spec") is not Dictionary<string, object?> spec
            || spec.GetValueOrDefault("overrides") is not Dictionary<string, object?> overrides
            || overrides.GetValueOrDefault(environment) is not Dictionary<string, object?> change)
        {
            return model;
        }
        var effectiveSpec = new Dictionary<string, object?>(spec);
        foreach (var (key, value) in change)
        {
            if (OverrideTargets.TryGetValue(key, out var target))
            {
                SetMerged(effectiveSpec, target, 0, value);
            }
        }
        return new Dictionary<string, object?>(model) { ["spec"] = effectiveSpec };
    }

    private static void SetMerged(Dictionary<string, object?> into, string[] path, int index, object? value)
    {
        var key = path[index];
        if (index == path.Length - 1)
        {
            into[key] = key == "serving" ? MergeServing(into.GetValueOrDefault(key), value) : value;
            return;
        }
        var child = into.GetValueOrDefault(key) is Dictionary<string, object?> existing
            ? new Dictionary<string, object?>(existing)
            : [];
        into[key] = child;
        SetMerged(child, path, index + 1, value);
    }

    private static object? MergeServing(object? current, object? change)
    {
        if (current is not Dictionary<string, object?> model || change is not Dictionary<string, object?> over)
        {
            return change ?? current;
        }
        var merged = new Dictionary<string, object?>(model);
        if (over.ContainsKey("replicas") || over.ContainsKey("autoscaling"))
        {
            merged.Remove("replicas");
            merged.Remove("autoscaling");
        }
        foreach (var (key, value) in over)
        {
            merged[key] = value;
        }
        return merged;
    }

    private static object? Normalise(object? value) => value switch
    {
        null or string or bool or long or double => value,
        int i => (long)i,
        uint u => (long)u,
        short s => (long)s,
        ulong ul => (double)ul,
        float f => (double)f,
        decimal m => (double)m,
        IDictionary<string, object?> d => d.ToDictionary(kv => kv.Key, kv => Normalise(kv.Value), StringComparer.Ordinal),
        IReadOnlyDictionary<string, object?> d => d.ToDictionary(kv => kv.Key, kv => Normalise(kv.Value), StringComparer.Ordinal),
        IDictionary d => d.Keys.Cast<object>().ToDictionary(k => Convert.ToString(k, System.Globalization.CultureInfo.InvariantCulture) ?? "", k => Normalise(d[k]), StringComparer.Ordinal),
        IEnumerable e => e.Cast<object?>().Select(Normalise).ToList(),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
